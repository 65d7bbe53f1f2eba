using System.Collections.Immutable;
using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Hardware;

/// <summary>What the run decided for one layer on top of the hardware description: the mapper, the components and energy
/// pricing read the <see cref="AcceleratorConfig"/> together with it, and the config itself is never rewritten.</summary>
/// <remarks>Built by the execution layer (per layer: its BFP formats, whether its input and output stay on chip, the split
/// of a unified buffer it chose). <see cref="Of"/> gives the context of a layer nothing was decided for.</remarks>
public sealed record LayerContext
{
    /// <summary>The run-level settings the layer runs under.</summary>
    public required RunSettings Run { get; init; }

    /// <summary>The buffers as the layer uses them: the config's, or for a unified buffer the split the layer chose
    /// (<see cref="BufferSetConfig.Partitioned"/> true once chosen).</summary>
    public required BufferSetConfig Buffers { get; init; }

    /// <summary>The layer's effective BFP settings: the config's, with the layer's own formats where it gives them.</summary>
    public required BfpSettings Bfp { get; init; }

    /// <summary>This layer's input is the previous layer's output, on chip.</summary>
    public bool InputFromChip { get; init; }

    /// <summary>This layer's output stays on chip for the next layer.</summary>
    public bool OutputToChip { get; init; }

    /// <summary>How the layer's input feature map is stored (its producer's output format; float32 unless decided).</summary>
    public FeatureMapFormat Input { get; init; } = FeatureMapFormat.Float32;

    /// <summary>Each map the layer reads, in its producer's format (empty: one map, stored as <see cref="Input"/>): a
    /// residual add or a concat whose inputs are stored differently reads each at its own size.</summary>
    public ImmutableArray<InputMap> Inputs { get; init; } = [];

    /// <summary>Bytes of the inputs read for <paramref name="outputs"/> outputs of a layer reading
    /// <paramref name="inputsPerOutput"/> input elements per output (an add: 2; a concat: 1).</summary>
    /// <remarks>Maps of one format are sized as one piece (as a single map is). Otherwise the
    /// <c>outputs × inputsPerOutput</c> elements are shared among the maps in proportion to their channels (an add's two
    /// maps: half each; a concat's: its channels' share, the last map taking what the others' rounding down left), and
    /// each share is sized in its own format.</remarks>
    public long InputBytes(long outputs, int inputsPerOutput)
    {
        long elements = outputs * inputsPerOutput;
        if (Inputs.Length < 2 || Inputs.All(i => i.Format == Inputs[0].Format))
        {
            return Input.Bytes(elements);
        }

        long channels = Inputs.Sum(i => i.Channels);
        long bytes = 0;
        long given = 0;
        for (int i = 0; i < Inputs.Length; i++)
        {
            long share = i == Inputs.Length - 1 ? elements - given : (long)((Int128)elements * Inputs[i].Channels / channels);
            given += share;
            bytes += Inputs[i].Format.Bytes(share);
        }

        return bytes;
    }

    /// <summary>How the layer stores its output feature map.</summary>
    public FeatureMapFormat Output { get; init; } = FeatureMapFormat.Float32;

    /// <summary>DRAM bytes of the layer's input over its buffer bytes: the producer's zero compression (1: none). The
    /// buffers hold the map decompressed, so tiles keep their sizes; only the transfers shrink.</summary>
    public double InputDramRatio { get; init; } = 1;

    /// <summary>DRAM bytes of the layer's output over its buffer bytes (1: not compressed).</summary>
    public double OutputDramRatio { get; init; } = 1;

    /// <summary>How the layer's output is compressed in DRAM.</summary>
    public ActivationCompression OutputCompression { get; init; } = ActivationCompression.None;

    /// <summary>Fraction of the layer's output elements taken as nonzero when sizing its compressed map.</summary>
    public double OutputDensity { get; init; } = 1;

    /// <summary>DRAM bytes of a transfer of <paramref name="bytes"/> buffer bytes compressed by <paramref name="ratio"/>.</summary>
    public static long DramBytes(long bytes, double ratio) => ratio == 1 ? bytes : (long)Math.Ceiling(bytes * ratio);

    /// <summary>The input arrives as the array's operands (converted by its producer): the layer converts none of it.</summary>
    public bool InputPreconverted { get; init; }

    /// <summary>The layer converts its outputs into the next layer's operand format (BFP or float16) on their way out, so
    /// that conversion is counted here, once, and not where they are read.</summary>
    /// <summary>Elements a step converts into operand format: the input it reads (unless its producer converted it) and
    /// the finished outputs it writes (when it stores them as the next layer's operands).</summary>
    public long Conversions(long inputsRead, long outputsWritten) => (InputPreconverted ? 0 : inputsRead) + (ConvertsOutput ? outputsWritten : 0);

    public bool ConvertsOutput => Output.IsArrayOperand || Output.Storage == ActivationStorage.Bfp;

    /// <summary>Layers fused into this layer's output path, or null: the run rewrites the layer's steps for them, and
    /// their line buffer takes <see cref="FusedOutput.LineBufferBytes"/> of the output buffer.</summary>
    public FusedOutput? Fusion { get; init; }

    /// <summary>The producer whose output path runs this layer (fused): the layer has no steps of its own.</summary>
    public string? FusedInto { get; init; }

    /// <summary>Why this layer, asked to fuse, runs on its own; null otherwise.</summary>
    public string? NotFused { get; init; }

    /// <summary>The context of a layer nothing was decided for: the config's buffers, BFP settings and activation storage,
    /// inputs and outputs in DRAM, under <paramref name="run"/> (null: <see cref="RunSettings.Native"/>).</summary>
    public static LayerContext Of(AcceleratorConfig config, RunSettings? run = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        // The config's storage for input and output; a BFP map's per-pixel blocks are sized by the layer (LayerContexts).
        FeatureMapFormat stored = FeatureMapFormat.Of(config.ActivationStorage, config.Bfp, channels: 1, config.PeArray.Arithmetic);
        return new LayerContext { Run = run ?? RunSettings.Native, Buffers = config.Buffers, Bfp = config.Bfp, Input = stored, Output = stored };
    }
}

/// <summary>One map a layer reads: its producer's storage format and its channels.</summary>
public sealed record InputMap(FeatureMapFormat Format, int Channels);

/// <summary>What the vector unit does on a layer's output path for the layers fused into it.</summary>
/// <param name="Layers">The fused layers' names, in network order, comma-separated.</param>
/// <param name="LineBufferBytes">Output-buffer bytes the fused layers hold the layer's results in until every window
/// that reads them is done (unavailable to results waiting to drain), for the heuristic mapping: <see cref="HaloBytes"/>
/// plus its largest step of results. A schedule's own line buffer is the halo plus its own largest step.</param>
public sealed record FusedOutput(string Layers, long LineBufferBytes)
{
    /// <summary>The rows above the one being made that fused pools keep for windows still open, every channel.</summary>
    public long HaloBytes { get; init; }

    /// <summary>Bytes the last fused layer makes (whole batch, in its storage format): what drains instead of the
    /// layer's own results.</summary>
    public long OutputBytes { get; init; }

    /// <summary>Vector-unit operations of the fused layers (whole batch).</summary>
    public long VectorOps { get; init; }

    /// <summary>Bytes the vector unit reads from the line buffer (whole batch, in the layer's storage format).</summary>
    public long ReadBytes { get; init; }
}
