using System.Collections.Immutable;
using System.Globalization;
using AccelSim.Configuration;
using AccelSim.Hardware;
using AccelSim.Reports;
using AccelSim.Statistics;

namespace AccelSim.Sweeps;

/// <summary>A figure kept for every point of a sweep, read from the run's result (and the point's config).</summary>
/// <param name="Name">The column name (snake_case, unit in the name).</param>
/// <param name="Description">What it measures, with its unit.</param>
/// <param name="NeedsNumerics">Only defined when the sweep runs the BFP datapath (<c>numerics: true</c>).</param>
public sealed record SweepMetric(string Name, string Description, bool NeedsNumerics, Func<RunResult, AcceleratorConfig, string> Read)
{
    /// <summary>Every metric a sweep may keep, in the order the README lists them.</summary>
    public static ImmutableArray<SweepMetric> All { get; } = Catalogue();

    /// <summary>The names a sweep spec may list, as its reader checks them.</summary>
    public static ImmutableArray<SweepMetricName> Names { get; } = [.. All.Select(m => new SweepMetricName(m.Name, m.NeedsNumerics))];

    public static SweepMetric? Find(string name) => All.FirstOrDefault(m => m.Name == name);

    /// <summary>Formats a count as the CSV reports do: invariant culture.</summary>
    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Formats a real as the CSV reports do: shortest round-trip text, <c>inf</c>/<c>-inf</c>/<c>nan</c>, empty for null.</summary>
    public static string Format(double? value) => value switch
    {
        null => "",
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        double v when double.IsNaN(v) => "nan",
        double v => v.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Reads a cell written by <see cref="Format(double?)"/> or <see cref="Format(long)"/>; null for an empty cell.</summary>
    public static double? Parse(string cell) => cell switch
    {
        "" => null,
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        "nan" => double.NaN,
        _ => double.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static ImmutableArray<SweepMetric> Catalogue()
    {
        var metrics = new List<SweepMetric>
        {
            new("macs", "multiply-accumulates of the network (× batch)", false, (r, _) => Format(r.TotalMacs)),
            new("cycles", "total cycles of all layers", false, (r, _) => Format(r.TotalCycles)),
            new("compute_cycles", "cycles the PE array or vector unit computed (systolic fill and drain are a stall cause)", false, (r, _) => Format(r.ComputeCycles)),
            new("stall_cycles", "cycles not computing (total = compute + stall)", false, (r, _) => Format(r.StallCycles)),
        };
        foreach (StallCause cause in Enum.GetValues<StallCause>())
        {
            string name = StallCauses.Name(cause);
            metrics.Add(new($"stall_{name}_cycles", $"stall cycles caused by {name.Replace('_', ' ')}", false,
                (r, _) => Format(r.StallCyclesByCause.GetValueOrDefault(cause))));
        }

        metrics.AddRange(
        [
            new("utilization", "MACs / (PEs × total cycles), 0..1", false, (r, _) => Format(r.OverallUtilization)),
            new("dram_read_bytes", "bytes read from DRAM", false, (r, _) => Format(r.DramReadBytes)),
            new("dram_write_bytes", "bytes written to DRAM", false, (r, _) => Format(r.DramWriteBytes)),
            new("dram_bytes", "bytes read and written, DRAM", false, (r, _) => Format(r.DramReadBytes + r.DramWriteBytes)),
            new("energy_pj", "energy of all layers, picojoules", false, (r, _) => Format(r.EnergyPicoJoules)),
            new("latency_us", "total cycles at the configured clock, microseconds", false, (r, _) => Format(r.TotalCycles / r.ClockMegahertz)),
            new("pe_count", "PEs of the array (rows × cols)", false, (r, _) => Format(r.PeCount)),
            new("total_sram_bytes", "capacity of the ifmap, weight and output buffers together, bytes", false,
                (_, c) => Format(c.Buffers.Ifmap.CapacityBytes + c.Buffers.Weights.CapacityBytes + c.Buffers.Ofmap.CapacityBytes)),
            new("sqnr_db", "SQNR of the network output against the reference, dB (inf when exact)", true, (r, _) => Format(r.OutputError?.SqnrDb)),
            new("nsr", "noise-to-signal ratio of the network output", true, (r, _) => Format(r.OutputError?.Nsr)),
            new("top1_agreement", "fraction of inputs whose top-1 class matches the reference, 0..1", true, (r, _) => Format(r.Agreement?.Top1Agreement)),
            new("top5_overlap", "mean overlap of the top-5 classes with the reference, 0..1", true, (r, _) => Format(r.Agreement?.Top5Overlap)),
        ]);
        return [.. metrics];
    }
}
