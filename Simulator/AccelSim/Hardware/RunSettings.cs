namespace AccelSim.Hardware;

/// <summary>How fold lengths are obtained; both give the same cycles (the tests prove it), the PE level is slower.</summary>
public enum TimingDetail
{
    ClosedForm,
    PeLevel,
}

/// <summary>Where a run counts differently from the native model. The native run uses <see cref="Native"/>; a
/// compatibility runner (SCALE-Sim's) passes its own, so the mapper and the components depend on these named behaviours
/// and never on the compatibility module.</summary>
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
