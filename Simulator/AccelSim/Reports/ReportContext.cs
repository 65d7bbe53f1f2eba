using System.Collections.Immutable;

namespace AccelSim.Reports;

/// <summary>The accelerator's ceilings a roofline is drawn with, per cycle.</summary>
/// <param name="PeakMacsPerCycle">MACs the PE array can do per cycle (its PE count).</param>
/// <param name="DramBytesPerCycle">The DRAM channel's bandwidth, bytes per cycle.</param>
/// <param name="Sram">Each on-chip buffer's read bandwidth, bytes per cycle (read ports × banks × word bytes), by name.</param>
public sealed record RooflineCeilings(double PeakMacsPerCycle, double DramBytesPerCycle, ImmutableArray<(string Name, double BytesPerCycle)> Sram);

/// <summary>What an HTML report shows beside the <see cref="RunResult"/>: the accelerator's ceilings, the configuration
/// as the run read it, and the command that produced the report.</summary>
public sealed record ReportContext
{
    /// <summary>The command line that produced the report, as it would be typed.</summary>
    public required string Command { get; init; }

    /// <summary>The ceilings of the roofline.</summary>
    public required RooflineCeilings Ceilings { get; init; }

    /// <summary>The configuration, one (what, value) row each, in the order shown.</summary>
    public required ImmutableArray<(string Key, string Value)> Configuration { get; init; }
}

/// <summary>One file of an HTML report: its name inside the report folder and its bytes.</summary>
public sealed record ReportFile(string Name, ImmutableArray<byte> Bytes);
