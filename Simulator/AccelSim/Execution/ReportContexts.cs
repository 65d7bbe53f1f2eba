using System.Collections.Immutable;
using System.Globalization;
using AccelSim.Hardware;
using AccelSim.Reports;

namespace AccelSim.Execution;

/// <summary>What an HTML report needs from the hardware description: the roofline's ceilings and the configuration rows.</summary>
public static class ReportContexts
{
    /// <summary>The context of a report of a run of <paramref name="config"/> on the workload at <paramref name="workloadPath"/>.</summary>
    public static ReportContext For(AcceleratorConfig config, string workloadPath, string command)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new ReportContext { Command = command, Ceilings = Ceilings(config), Configuration = Describe(config, workloadPath) };
    }

    /// <summary>The PE count per cycle, DRAM bytes per cycle, and each physical buffer's read ports × banks × word bytes.</summary>
    public static RooflineCeilings Ceilings(AcceleratorConfig config) => new(
        (config ?? throw new ArgumentNullException(nameof(config))).PeArray.PeCount,
        config.Dram.BandwidthBytesPerCycle,
        [.. config.Buffers.Physical.Select(b => (b.Name, (double)b.ReadPorts * b.Banks * b.WordBits / 8))]);

    private static ImmutableArray<(string, string)> Describe(AcceleratorConfig config, string workloadPath)
    {
        static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
        var rows = new List<(string, string)>
        {
            ("accelerator", config.Name),
            ("workload file", workloadPath),
            ("PE array", I($"{config.PeArray.Rows} x {config.PeArray.Cols} ({config.PeArray.PeCount} PEs), {config.PeArray.Dataflow}, {config.PeArray.Arithmetic} arithmetic")),
            ("clock", I($"{config.ClockMegahertz} MHz")),
            ("DRAM", I($"{config.Dram.BandwidthBytesPerCycle} B/cycle, {config.Dram.LatencyCycles} cycles latency")),
        };
        foreach (SramConfig buffer in config.Buffers.Physical)
        {
            rows.Add(($"buffer {buffer.Name}", I($"{buffer.CapacityBytes} B, {buffer.WordBits}-bit words, {buffer.ReadPorts} read / {buffer.WritePorts} write ports, {buffer.Banks} bank(s)")));
        }

        rows.Add(("vector unit", I($"{config.VectorUnit.Lanes} lanes")));
        return [.. rows];
    }
}
