using System.Globalization;
using System.Text;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Reports;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>SCALE-Sim v2's three reports (COMPUTE_REPORT, BANDWIDTH_REPORT, DETAILED_ACCESS_REPORT) from a run.</summary>
/// <remarks>
/// One row per PE-array layer (conv, fc), numbered from 0; SCALE-Sim has no pooling, additions or ReLU, so those layers
/// have no row. Columns and meanings are SCALE-Sim's:
/// <list type="bullet">
/// <item>Total Cycles = compute cycles − 1 + stall cycles (SCALE-Sim reports the 0-based index of the last cycle).
/// In CALC mode SCALE-Sim assumes DRAM keeps up and reports 0 stall cycles; so does this report.</item>
/// <item>Mapping Efficiency and Compute Util follow SCALE-Sim's formulas, including its ws/is utilization denominator
/// (<see cref="ScaleSimCompute"/>); Overall Util = MACs / (Total Cycles · R · C).</item>
/// <item>SRAM reads and writes are SCALE-Sim's counts: im2col operand elements per fold (os: ifmap cf·M·K, filter
/// rf·K·N, ofmap M·N + folds·(R+C); ws: cf·M·K, K·N, rf·M·N; is: M·K, cf·K·N, rf·M·N). SRAM BW = accesses / Total Cycles.</item>
/// <item>DRAM reads and writes are this simulator's own traffic (operands: feature-map elements, and weight storage bytes),
/// not SCALE-Sim's window model; DRAM BW = accesses / Total Cycles.</item>
/// <item>Start and stop cycles are the layer's span in this simulator (0 and Total Cycles): per-port traces are not kept.</item>
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
        long DramFilterReads, long DramOfmapWrites);

    /// <summary>The rows of a run. <paramref name="calcMode"/>: SCALE-Sim's CALC bandwidth mode (stalls reported as 0).</summary>
    public static IReadOnlyList<Row> Rows(RunResult result, Network network, AcceleratorConfig config, bool calcMode)
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
            (long m, long k, long n, int groups) = layer switch
            {
                ConvLayer conv => ((long)conv.OutputShape.Height * conv.OutputShape.Width * network.Batch, conv.ReductionLength, (long)conv.OutputChannels / conv.Groups, conv.Groups),
                FullyConnectedLayer fc => ((long)network.Batch, fc.InputFeatures, (long)fc.OutputFeatures, 1),
                _ => (0L, 0L, 0L, 0),
            };
            if (groups == 0)
            {
                continue;
            }

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

            TileSchedule schedule = LayerSimulator.Partitioned(layer, network.Batch, LayerConfig.For(layer, config)).Schedule;
            // SCALE-Sim's compute cycles include the array's fill and drain, which this simulator reports as a stall.
            long fillDrain = measured.StallCyclesByCause.GetValueOrDefault(StallCause.FillDrain);
            long stalls = calcMode ? 0 : measured.StallCycles - fillDrain;
            long total = measured.ComputeCycles + fillDrain - 1 + stalls;
            rows.Add(new Row(
                rows.Count, layer.Name, total, stalls,
                total <= 0 ? 0 : 100.0 * measured.Macs / ((double)total * r * c),
                closed.MappingEfficiencyPercent, closed.ComputeUtilizationPercent,
                groups * ifmapReads, groups * filterReads, groups * ofmapWrites,
                schedule.IfmapTileBytes.Sum() / DataSizes.FeatureMapElementBytes,
                schedule.WeightTileBytes.Sum(),
                schedule.Steps.Sum(s => s.OutputBytes) / DataSizes.FeatureMapElementBytes));
        }

        return rows;
    }

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
                row.LayerId, PerCycle(row.SramIfmapReads, row), PerCycle(row.SramFilterReads, row), PerCycle(row.SramOfmapWrites, row),
                PerCycle(row.DramIfmapReads, row), PerCycle(row.DramFilterReads, row), PerCycle(row.DramOfmapWrites, row),
            })));
        AtomicFile.Write(Path.Combine(directory, DetailedAccessReport), w => Write(w,
            "LayerID, SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, SRAM Filter Start Cycle, SRAM Filter Stop Cycle, SRAM Filter Reads, " +
            "SRAM OFMAP Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, DRAM IFMAP Reads, " +
            "DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, DRAM OFMAP Writes,",
            rows.Select(row => new object[]
            {
                row.LayerId,
                0L, row.TotalCycles, row.SramIfmapReads, 0L, row.TotalCycles, row.SramFilterReads, 0L, row.TotalCycles, row.SramOfmapWrites,
                0L, row.TotalCycles, row.DramIfmapReads, 0L, row.TotalCycles, row.DramFilterReads, 0L, row.TotalCycles, row.DramOfmapWrites,
            })));

        static double PerCycle(long accesses, Row row) => row.TotalCycles <= 0 ? 0 : (double)accesses / row.TotalCycles;
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
