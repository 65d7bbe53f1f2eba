using System.Globalization;
using System.Text;
using AccelSim.Execution;
using AccelSim.Files;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Reports;
using AccelSim.Statistics;
using AccelSim.Workloads;

namespace AccelSim.ScaleSim;

/// <summary>SCALE-Sim v2's three reports (COMPUTE_REPORT, BANDWIDTH_REPORT, DETAILED_ACCESS_REPORT) from a run.</summary>
/// <remarks>
/// One row per PE-array layer (conv, fc), numbered from 0; SCALE-Sim has no pooling, additions or ReLU, so those layers
/// have no row. Columns and meanings are SCALE-Sim's:
/// <list type="bullet">
/// <item>Mapping Efficiency and Compute Util follow SCALE-Sim's formulas, including its ws/is utilization denominator
/// (<see cref="ScaleSimCompute"/>); Overall Util = MACs / (Total Cycles · R · C).</item>
/// <item>SRAM reads and writes are SCALE-Sim's counts: im2col operand elements per fold (os: ifmap cf·M·K, filter
/// rf·K·N, ofmap M·N + folds·(R+C); ws: cf·M·K, K·N, rf·M·N; is: M·K, cf·K·N, rf·M·N). SRAM BW = accesses / Total Cycles.</item>
/// <item>With SCALE-Sim's memory settings (a .cfg config), stall cycles, Total Cycles (the 0-based cycle of the last
/// output write, stalls included), DRAM reads and writes, every start and stop cycle, and DRAM BW = accesses /
/// (stop − start + 1) come from <see cref="ScaleSimMemorySystem"/>, SCALE-Sim's memory system reimplemented, in both
/// CALC and USER mode.</item>
/// <item>Without them (a YAML config in compatibility mode) Total Cycles = compute cycles − 1 + this simulator's
/// stalls, DRAM counts are this simulator's traffic (feature-map elements, weight storage bytes), DRAM BW = accesses /
/// Total Cycles, and start/stop cycles are the layer's span (0 and Total Cycles).</item>
/// </list>
/// </remarks>
public static class ScaleSimReports
{
    public const string ComputeReport = "COMPUTE_REPORT.csv";
    public const string BandwidthReport = "BANDWIDTH_REPORT.csv";
    public const string DetailedAccessReport = "DETAILED_ACCESS_REPORT.csv";

    /// <summary>One layer's row values, as SCALE-Sim defines them.</summary>
    public sealed record Row(
        int LayerId, string Name, long TotalCycles, long StallCycles, double OverallUtilPercent, double MappingEfficiencyPercent,
        double ComputeUtilPercent, long SramIfmapReads, long SramFilterReads, long SramOfmapWrites, long DramIfmapReads,
        long DramFilterReads, long DramOfmapWrites, AccessCycles Cycles, double DramIfmapBandwidth, double DramFilterBandwidth,
        double DramOfmapBandwidth);

    /// <summary>The DETAILED_ACCESS_REPORT's start and stop cycles of each SRAM and DRAM stream.</summary>
    public sealed record AccessCycles(
        long SramIfmapStart, long SramIfmapStop, long SramFilterStart, long SramFilterStop, long SramOfmapStart, long SramOfmapStop,
        long DramIfmapStart, long DramIfmapStop, long DramFilterStart, long DramFilterStop, long DramOfmapStart, long DramOfmapStop);

    /// <summary>The rows of a run. <paramref name="memory"/>: per layer, SCALE-Sim's memory system's result
    /// (<see cref="ScaleSimNetworkMemory.Run"/>), which then gives the stalls, DRAM figures and start/stop cycles; null
    /// (or a null entry) to take them from this simulator's run, mapped under <paramref name="settings"/>.</summary>
    public static IReadOnlyList<Row> Rows(
        RunResult result, Network network, AcceleratorConfig config, RunSettings settings, IReadOnlyList<ScaleSimMemoryResult?>? memory)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(config);
        var rows = new List<Row>();
        int r = config.PeArray.Rows;
        int c = config.PeArray.Cols;
        Dataflow dataflow = config.PeArray.Dataflow;
        for (int i = 0; i < network.Layers.Length; i++)
        {
            Layer layer = network.Layers[i];
            ConvShape? shape = layer switch
            {
                ConvLayer conv => conv.ShapeFor(network.Batch),
                FullyConnectedLayer fc => fc.ShapeFor(network.Batch),
                _ => null,
            };
            if (shape is null)
            {
                continue;
            }

            // SCALE-Sim's GEMM per group: M output pixels, K reduction, N filters.
            (long m, long k, long n, int groups) = (shape.Pixels, shape.Reduction, shape.GroupFilters, shape.Groups);

            LayerResult measured = result.Layers[i];
            var closed = ScaleSimCompute.Of(dataflow, r, c, m, k, n);
            (long sr, long sc) = dataflow switch
            {
                Dataflow.OutputStationary => (m, n),
                Dataflow.WeightStationary => (k, n),
                _ => (k, m),
            };
            long rowFolds = (sr + r - 1) / r;
            long colFolds = (sc + c - 1) / c;
            (long ifmapReads, long filterReads, long ofmapWrites) = dataflow switch
            {
                Dataflow.OutputStationary => (colFolds * m * k, rowFolds * k * n, (m * n) + (closed.Folds * (r + c))),
                Dataflow.WeightStationary => (colFolds * m * k, k * n, rowFolds * m * n),
                _ => (m * k, colFolds * k * n, rowFolds * m * n),
            };

            long total;
            long stalls;
            long dramIfmap;
            long dramFilter;
            long dramOfmap;
            AccessCycles cycles;
            double ifmapBandwidth;
            double filterBandwidth;
            double ofmapBandwidth;
            if (memory?[i] is { } mem)
            {
                total = mem.TotalCycles;
                stalls = mem.StallCycles;
                (dramIfmap, dramFilter, dramOfmap) = (mem.DramIfmapReads, mem.DramFilterReads, mem.DramOfmapWrites);
                cycles = new AccessCycles(
                    mem.SramIfmapStartCycle, mem.SramIfmapStopCycle, mem.SramFilterStartCycle, mem.SramFilterStopCycle,
                    mem.SramOfmapStartCycle, mem.SramOfmapStopCycle, mem.DramIfmapStartCycle, mem.DramIfmapStopCycle,
                    mem.DramFilterStartCycle, mem.DramFilterStopCycle, mem.DramOfmapStartCycle, mem.DramOfmapStopCycle);
                ifmapBandwidth = PerCycle(dramIfmap, mem.DramIfmapStopCycle - mem.DramIfmapStartCycle + 1);
                filterBandwidth = PerCycle(dramFilter, mem.DramFilterStopCycle - mem.DramFilterStartCycle + 1);
                ofmapBandwidth = PerCycle(dramOfmap, mem.DramOfmapStopCycle - mem.DramOfmapStartCycle + 1);
            }
            else
            {
                TileSchedule schedule = LayerSimulator.Partitioned(layer, network.Batch, config, LayerContexts.For(layer, config, settings)).Schedule;
                // SCALE-Sim's compute cycles include the array's fill and drain, which this simulator reports as a stall.
                long fillDrain = measured.StallCyclesByCause.GetValueOrDefault(StallCause.FillDrain);
                stalls = measured.StallCycles - fillDrain;
                total = measured.ComputeCycles + fillDrain - 1 + stalls;
                dramIfmap = schedule.IfmapTileBytes.TotalBytes / DataSizes.FeatureMapElementBytes;
                dramFilter = schedule.WeightTileBytes.TotalBytes;
                dramOfmap = schedule.Steps.OutputBytes / DataSizes.FeatureMapElementBytes;
                cycles = new AccessCycles(0, total, 0, total, 0, total, 0, total, 0, total, 0, total);
                ifmapBandwidth = PerCycle(dramIfmap, total);
                filterBandwidth = PerCycle(dramFilter, total);
                ofmapBandwidth = PerCycle(dramOfmap, total);
            }

            rows.Add(new Row(
                rows.Count, layer.Name, total, stalls,
                total <= 0 ? 0 : 100.0 * measured.Macs / ((double)total * r * c),
                closed.MappingEfficiencyPercent, closed.ComputeUtilizationPercent,
                groups * ifmapReads, groups * filterReads, groups * ofmapWrites,
                dramIfmap, dramFilter, dramOfmap, cycles, ifmapBandwidth, filterBandwidth, ofmapBandwidth));
        }

        return rows;
    }

    private static double PerCycle(long accesses, long cycles) => cycles <= 0 ? 0 : (double)accesses / cycles;

    /// <summary>Writes the three reports into <paramref name="directory"/> (created if missing), each atomically.</summary>
    public static void Write(string directory, IReadOnlyList<Row> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Directory.CreateDirectory(directory);
        AtomicFile.Write(Path.Combine(directory, ComputeReport), w => Write(w,
            "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,",
            rows.Select(row => new object[] { row.LayerId, row.TotalCycles, row.StallCycles, row.OverallUtilPercent, row.MappingEfficiencyPercent, row.ComputeUtilPercent })));
        AtomicFile.Write(Path.Combine(directory, BandwidthReport), w => Write(w,
            "LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,",
            rows.Select(row => new object[]
            {
                row.LayerId, PerCycle(row.SramIfmapReads, row.TotalCycles), PerCycle(row.SramFilterReads, row.TotalCycles), PerCycle(row.SramOfmapWrites, row.TotalCycles),
                row.DramIfmapBandwidth, row.DramFilterBandwidth, row.DramOfmapBandwidth,
            })));
        AtomicFile.Write(Path.Combine(directory, DetailedAccessReport), w => Write(w,
            "LayerID, SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, SRAM Filter Start Cycle, SRAM Filter Stop Cycle, SRAM Filter Reads, " +
            "SRAM OFMAP Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, DRAM IFMAP Reads, " +
            "DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, DRAM OFMAP Writes,",
            rows.Select(row => new object[]
            {
                row.LayerId,
                (double)row.Cycles.SramIfmapStart, (double)row.Cycles.SramIfmapStop, row.SramIfmapReads,
                (double)row.Cycles.SramFilterStart, (double)row.Cycles.SramFilterStop, row.SramFilterReads,
                (double)row.Cycles.SramOfmapStart, (double)row.Cycles.SramOfmapStop, row.SramOfmapWrites,
                (double)row.Cycles.DramIfmapStart, (double)row.Cycles.DramIfmapStop, row.DramIfmapReads,
                (double)row.Cycles.DramFilterStart, (double)row.Cycles.DramFilterStop, row.DramFilterReads,
                (double)row.Cycles.DramOfmapStart, (double)row.Cycles.DramOfmapStop, row.DramOfmapWrites,
            })));
    }

    // SCALE-Sim's layout: "a, b, c," per line; floats as Python prints them (shortest round trip, ".0" when whole).
    private static void Write(TextWriter output, string header, IEnumerable<object[]> rows)
    {
        output.Write(header);
        output.Write('\n');
        foreach (object[] row in rows)
        {
            var line = new StringBuilder();
            line.AppendJoin(", ", row.Select(Format));
            line.Append(",\n");
            output.Write(line.ToString());
        }
    }

    private static string Format(object value) => value switch
    {
        double d when double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < 1e16 => d.ToString("F1", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
