using AccelSim.Numerics;

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

    /// <summary>Layers fused into this layer's output path, or null: the run rewrites the layer's steps for them, and
    /// their line buffer takes <see cref="FusedOutput.LineBufferBytes"/> of the output buffer.</summary>
    public FusedOutput? Fusion { get; init; }

    /// <summary>The producer whose output path runs this layer (fused): the layer has no steps of its own.</summary>
    public string? FusedInto { get; init; }

    /// <summary>Why this layer, asked to fuse, runs on its own; null otherwise.</summary>
    public string? NotFused { get; init; }

    /// <summary>The context of a layer nothing was decided for: the config's buffers and BFP settings, inputs and outputs in
    /// DRAM, under <paramref name="run"/> (null: <see cref="RunSettings.Native"/>).</summary>
    public static LayerContext Of(AcceleratorConfig config, RunSettings? run = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new LayerContext { Run = run ?? RunSettings.Native, Buffers = config.Buffers, Bfp = config.Bfp };
    }
}

/// <summary>What the vector unit does on a layer's output path for the layers fused into it.</summary>
/// <param name="Layers">The fused layers' names, in network order, comma-separated.</param>
/// <param name="LineBufferBytes">Output-buffer bytes the fused layers hold the layer's results in until every window
/// that reads them is done (unavailable to results waiting to drain), for the heuristic mapping: <see cref="HaloBytes"/>
/// plus its largest step of results. A schedule's own line buffer is the halo plus its own largest step.</param>
public sealed record FusedOutput(string Layers, long LineBufferBytes)
{
    /// <summary>The rows above the one being made that fused pools keep for windows still open, every channel.</summary>
    public long HaloBytes { get; init; }

    /// <summary>Elements the last fused layer makes (whole batch): what drains instead of the layer's own results.</summary>
    public long OutputElements { get; init; }

    /// <summary>Vector-unit operations of the fused layers (whole batch).</summary>
    public long VectorOps { get; init; }

    /// <summary>Elements the vector unit reads from the line buffer (whole batch).</summary>
    public long ReadElements { get; init; }
}
