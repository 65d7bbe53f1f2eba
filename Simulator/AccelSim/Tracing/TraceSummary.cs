using System.Collections.Immutable;
using System.Globalization;

namespace AccelSim.Tracing;

/// <summary>What a trace says in aggregate: per component busy and stalled shares of the traced span, stall cycles by
/// cause, per layer compute and stall cycles, the longest idle gaps, and how much of the DRAM bandwidth was in use.</summary>
/// <param name="FirstCycle">Start of the span: the first layer's start (or the first slice's).</param>
/// <param name="EndCycle">End of the span (exclusive).</param>
public sealed record TraceSummary(
    long FirstCycle,
    long EndCycle,
    ImmutableArray<ComponentActivity> Components,
    ImmutableSortedDictionary<string, long> StallCyclesByCause,
    ImmutableArray<LayerActivity> Layers,
    ImmutableArray<IdleGap> LongestIdleGaps,
    ImmutableArray<BandwidthBucket> BandwidthHistogram,
    bool Truncated,
    string? TruncationNotice)
{
    /// <summary>Idle gaps listed.</summary>
    public const int GapCount = 10;

    public long SpanCycles => EndCycle - FirstCycle;

    public static TraceSummary Of(TraceDocument trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var layers = trace.Layers.ToList();
        var work = trace.Slices.Where(s => s.Category != TraceCategory.Layer).ToList();
        var spanSource = layers.Count > 0 ? layers : work;
        long first = spanSource.Count > 0 ? spanSource.Min(s => s.StartCycle) : 0;
        long end = spanSource.Count > 0 ? spanSource.Max(s => s.EndCycle) : 0;
        long span = Math.Max(1, end - first);

        var components = work.GroupBy(s => s.Track, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                long busy = g.Where(s => TraceCategory.IsBusy(s.Category)).Sum(s => s.DurationCycles);
                long stall = g.Where(s => s.Category == TraceCategory.Stall).Sum(s => s.DurationCycles);
                return new ComponentActivity(g.Key, busy, stall, (double)busy / span, (double)stall / span);
            })
            .ToImmutableArray();

        var stalls = work.Where(s => s.Category == TraceCategory.Stall)
            .GroupBy(s => s.Name, StringComparer.Ordinal)
            .ToImmutableSortedDictionary(g => g.Key, g => g.Sum(s => s.DurationCycles), StringComparer.Ordinal);

        var perLayer = layers.Select(layer =>
        {
            var inside = work.Where(s => s.StartCycle >= layer.StartCycle && s.StartCycle < layer.EndCycle).ToList();
            return new LayerActivity(
                layer.Name, layer.StartCycle, layer.DurationCycles,
                inside.Where(s => s.Category == TraceCategory.Compute).Sum(s => s.DurationCycles),
                inside.Where(s => s.Category == TraceCategory.Stall).Sum(s => s.DurationCycles));
        }).ToImmutableArray();

        return new TraceSummary(first, end, components, stalls, perLayer, IdleGaps(work, first, end), Histogram(trace, first, end), trace.Truncated, trace.TruncationNotice);
    }

    /// <summary>For each component track, the stretches in the span that none of its slices (busy or stalled) covers; the longest overall.</summary>
    private static ImmutableArray<IdleGap> IdleGaps(List<TraceSlice> work, long first, long end)
    {
        var gaps = new List<IdleGap>();
        foreach (var track in work.GroupBy(s => s.Track, StringComparer.Ordinal))
        {
            long covered = first;
            foreach (TraceSlice slice in track.OrderBy(s => s.StartCycle))
            {
                if (slice.StartCycle > covered)
                {
                    gaps.Add(new IdleGap(track.Key, covered, slice.StartCycle));
                }

                covered = Math.Max(covered, slice.EndCycle);
            }

            if (end > covered)
            {
                gaps.Add(new IdleGap(track.Key, covered, end));
            }
        }

        return [.. gaps.OrderByDescending(g => g.Cycles).ThenBy(g => g.FromCycle).ThenBy(g => g.Track, StringComparer.Ordinal).Take(GapCount)];
    }

    /// <summary>Cycles of the span at each share of the DRAM peak (the bandwidth counter is constant between changes).</summary>
    private static ImmutableArray<BandwidthBucket> Histogram(TraceDocument trace, long first, long end)
    {
        var changes = trace.Counters.Where(c => c.Track == TraceNames.DramBandwidth).OrderBy(c => c.Cycle).ToList();
        double peak = trace.Metadata is { DramBandwidthBytesPerCycle: > 0 } m ? m.DramBandwidthBytesPerCycle
            : changes.Count > 0 ? Math.Max(changes.Max(c => c.Value), double.Epsilon) : 1;
        var cycles = new long[11];
        long at = first;
        double value = 0;
        foreach (TraceCounter change in changes)
        {
            long to = Math.Clamp(change.Cycle, first, end);
            cycles[Bucket(value / peak)] += Math.Max(0, to - at);
            at = Math.Max(at, to);
            value = change.Value;
        }

        cycles[Bucket(value / peak)] += Math.Max(0, end - at);
        return [.. Enumerable.Range(0, cycles.Length).Select(i => new BandwidthBucket(
            i == 0 ? 0 : (i - 1) * 0.1, i == 0 ? 0 : i * 0.1, cycles[i]))];

        // Bucket 0 is idle; bucket i (1..10) holds shares in ((i-1)/10, i/10], the last one also anything above the peak.
        static int Bucket(double share) => share <= 0 ? 0 : Math.Clamp((int)Math.Ceiling(share * 10 - 1e-9), 1, 10);
    }

    /// <summary>The summary as plain-text tables.</summary>
    public string ToText()
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new System.Text.StringBuilder();
        text.AppendLine(inv, $"span: cycles {FirstCycle:N0} to {EndCycle:N0} ({SpanCycles:N0} cycles)");
        if (Truncated)
        {
            text.AppendLine(inv, $"warning: {TruncationNotice ?? "the trace was truncated at its size cap"}");
        }

        text.AppendLine();
        text.Append(TextTable.Render(
            ["component", "busy cycles", "busy %", "stall cycles", "stall %"],
            Components.Select(c => new[] { c.Track, c.BusyCycles.ToString("N0", inv), (c.BusyShare * 100).ToString("F1", inv), c.StallCycles.ToString("N0", inv), (c.StallShare * 100).ToString("F1", inv) })));
        text.AppendLine();
        text.Append(TextTable.Render(
            ["stall cause", "cycles"],
            StallCyclesByCause.Select(p => new[] { p.Key, p.Value.ToString("N0", inv) }).Append(["total", StallCyclesByCause.Values.Sum().ToString("N0", inv)])));
        if (!Layers.IsEmpty)
        {
            text.AppendLine();
            text.Append(TextTable.Render(
                ["layer", "start cycle", "cycles", "compute", "stall"],
                Layers.Select(l => new[] { l.Name, l.StartCycle.ToString("N0", inv), l.Cycles.ToString("N0", inv), l.ComputeCycles.ToString("N0", inv), l.StallCycles.ToString("N0", inv) })));
        }

        text.AppendLine();
        text.Append(TextTable.Render(
            ["longest idle gaps: component", "from", "to", "cycles"],
            LongestIdleGaps.Select(g => new[] { g.Track, g.FromCycle.ToString("N0", inv), g.ToCycle.ToString("N0", inv), g.Cycles.ToString("N0", inv) })));
        text.AppendLine();
        long total = Math.Max(1, BandwidthHistogram.Sum(b => b.Cycles));
        text.Append(TextTable.Render(
            ["DRAM bandwidth in use", "cycles", "% of span"],
            BandwidthHistogram.Select(b => new[]
            {
                b.ToShare == 0 ? "idle" : $"{b.FromShare * 100:F0}-{b.ToShare * 100:F0}% of peak",
                b.Cycles.ToString("N0", inv),
                (100.0 * b.Cycles / total).ToString("F1", inv),
            })));
        return text.ToString();
    }
}

/// <summary>A component's busy and stalled cycles, and their shares of the traced span.</summary>
public sealed record ComponentActivity(string Track, long BusyCycles, long StallCycles, double BusyShare, double StallShare);

/// <summary>One layer as the trace shows it.</summary>
public sealed record LayerActivity(string Name, long StartCycle, long Cycles, long ComputeCycles, long StallCycles);

/// <summary>A stretch where a component neither worked nor stalled (e.g. the PE array while a pooling layer runs).</summary>
public sealed record IdleGap(string Track, long FromCycle, long ToCycle)
{
    public long Cycles => ToCycle - FromCycle;
}

/// <summary>Cycles whose DRAM bandwidth in use was in (<see cref="FromShare"/>, <see cref="ToShare"/>] of the peak; (0, 0] is idle.</summary>
public sealed record BandwidthBucket(double FromShare, double ToShare, long Cycles);

/// <summary>Plain-text tables with aligned columns (numbers right-aligned).</summary>
public static class TextTable
{
    public static string Render(IReadOnlyList<string> header, IEnumerable<string[]> rows)
    {
        var all = rows.ToList();
        int[] widths = [.. header.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length)))];
        var text = new System.Text.StringBuilder();
        text.AppendLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (string[] row in all)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, i) => IsNumber(cell) ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))).TrimEnd());
        }

        return text.ToString();
    }

    private static bool IsNumber(string cell) => cell.Length > 0 && (char.IsDigit(cell[0]) || cell[0] == '-') && cell.All(c => char.IsDigit(c) || c is ',' or '.' or '-');
}
