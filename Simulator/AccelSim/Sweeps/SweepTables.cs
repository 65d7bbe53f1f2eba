using System.Collections.Immutable;
using AccelSim.Configuration;
using AccelSim.Reports;

namespace AccelSim.Sweeps;

/// <summary>
/// Writes <c>results.csv</c> (one row per point) and <c>layers.csv</c> (one row per layer of every point that ran).
/// Rows are in point order and every cell comes from the records, so the same records give the same bytes whatever
/// order points finished in, whichever shard ran them and however often the sweep was resumed.
/// </summary>
public static class SweepTables
{
    /// <summary>Per-layer columns after the point's own (point, id, workload, axes).</summary>
    public static ImmutableArray<string> LayerColumns(bool numerics) =>
    [
        "layer", "type", "macs", "cycles", "compute_cycles", "stall_cycles", "utilization", "dram_read_bytes", "dram_write_bytes", "energy_pj",
        .. numerics ? new[] { "sqnr_db" } : [],
    ];

    /// <summary>The per-layer cells of a run, in <see cref="LayerColumns"/> order.</summary>
    public static ImmutableArray<ImmutableArray<string>> LayerRows(RunResult result, bool numerics)
    {
        ArgumentNullException.ThrowIfNull(result);
        return [.. result.Layers.Select(l => ImmutableArray.Create<string>(
        [
            l.Name, l.Type, SweepMetric.Format(l.Macs), SweepMetric.Format(l.TotalCycles), SweepMetric.Format(l.ComputeCycles),
            SweepMetric.Format(l.StallCycles), SweepMetric.Format(l.OverallUtilization), SweepMetric.Format(l.DramReadBytes),
            SweepMetric.Format(l.DramWriteBytes), SweepMetric.Format(l.EnergyPicoJoules),
            .. numerics ? new[] { SweepMetric.Format(l.Numerics?.Accumulated.SqnrDb) } : [],
        ]))];
    }

    /// <summary>
    /// Header: <c>point, id, workload</c>, one column per axis (named by its key), <c>status</c>, one per metric,
    /// <c>pareto</c> when the spec has objectives, and <c>message</c>. Points without a record are left out.
    /// </summary>
    public static void WriteResults(SweepSpec spec, ImmutableArray<SweepPoint> points, IReadOnlyDictionary<int, PointRecord> records, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(output);
        ImmutableHashSet<int> front = ParetoFront.Of(spec, points, records);
        bool pareto = !spec.Objectives.IsEmpty;
        WriteRow(output, [.. PointColumns(spec), "status", .. spec.Metrics, .. pareto ? new[] { "pareto" } : [], "message"]);
        foreach (SweepPoint point in points)
        {
            if (!records.TryGetValue(point.Index, out PointRecord? record))
            {
                continue;
            }

            string onFront = record.Status != PointStatus.Ok ? "" : front.Contains(point.Index) ? "true" : "false";
            WriteRow(output, [.. PointCells(spec, point), PointRecord.StatusName(record.Status), .. record.Metrics,
                .. pareto ? new[] { onFront } : [], record.Message]);
        }
    }

    /// <summary>Header: the point's columns, then <see cref="LayerColumns"/>; rows of every point that ran with layers kept.</summary>
    public static void WriteLayers(SweepSpec spec, ImmutableArray<SweepPoint> points, IReadOnlyDictionary<int, PointRecord> records, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(output);
        WriteRow(output, [.. PointColumns(spec), .. LayerColumns(spec.Numerics)]);
        foreach (SweepPoint point in points)
        {
            if (records.TryGetValue(point.Index, out PointRecord? record) && record.Layers is { } layers)
            {
                string[] prefix = PointCells(spec, point);
                foreach (ImmutableArray<string> layer in layers)
                {
                    WriteRow(output, [.. prefix, .. layer]);
                }
            }
        }
    }

    private static string[] PointColumns(SweepSpec spec) => ["point", "id", "workload", .. spec.Axes.Select(a => a.Key)];

    private static string[] PointCells(SweepSpec spec, SweepPoint point) =>
        [SweepMetric.Format(point.Index), point.Id, spec.Workloads[point.WorkloadIndex].Label, .. point.Values.Select(v => v.Display)];

    private static void WriteRow(TextWriter output, IEnumerable<string> cells)
    {
        output.Write(string.Join(',', cells.Select(Quote)));
        output.Write('\n');
    }

    /// <summary>RFC 4180: a cell with a comma, quote or line break is quoted, quotes doubled.</summary>
    internal static string Quote(string cell) => cell.AsSpan().IndexOfAny(",\"\n\r") < 0 ? cell : $"\"{cell.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
