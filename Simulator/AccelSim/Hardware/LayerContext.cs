using AccelSim.Numerics;

namespace AccelSim.Hardware;

/// <summary>How fold lengths are obtained; both give the same cycles (the tests prove it), the PE level is slower.</summary>
public enum TimingDetail
{
    ClosedForm,
    PeLevel,
}

/// <summary>Where a run counts differently from the native model. The native run uses <see cref="Native"/>; a
/// compatibility runner (SCALE-Sim's) passes its own, so the mapper and the components never name another simulator.</summary>
public sealed record CountingConventions
{
    /// <summary>The native model: padding generated at the array edge, partial sums kept on chip, SRAM ports limit transfers.</summary>
    public static readonly CountingConventions Native = new();

    /// <summary>A conv's padding is part of its input: the zeros are fetched and read like data.</summary>
    public bool PaddingAsData { get; init; }

    /// <summary>Every K fold of a stationary dataflow writes its partial sums out, instead of keeping them in the output
    /// buffer until the last fold.</summary>
    public bool PartialSumsPerFold { get; init; }

    /// <summary>SRAM ports do not limit fills from DRAM and drains to DRAM (only the array's reads and writes use them).</summary>
    public bool TransfersIgnoreSramPorts { get; init; }
}

/// <summary>What a run decides for all its layers, apart from the hardware it runs on.</summary>
public sealed record RunSettings
{
    /// <summary>Closed-form fold timing with the native counting conventions.</summary>
    public static readonly RunSettings Native = new();

    /// <summary>Where fold lengths come from: the closed form, or a literal per-PE, per-cycle model of every fold.</summary>
    public TimingDetail Detail { get; init; } = TimingDetail.ClosedForm;

    /// <summary>How the run counts where conventions differ.</summary>
    public CountingConventions Counting { get; init; } = CountingConventions.Native;
}

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

    /// <summary>The context of a layer nothing was decided for: the config's buffers and BFP settings, inputs and outputs in
    /// DRAM, under <paramref name="run"/> (null: <see cref="RunSettings.Native"/>).</summary>
    public static LayerContext Of(AcceleratorConfig config, RunSettings? run = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new LayerContext { Run = run ?? RunSettings.Native, Buffers = config.Buffers, Bfp = config.Bfp };
    }
}
