using System.Collections.Immutable;
using System.Globalization;

namespace AccelSim.Tracing;

/// <summary>What happened in a window of cycles: the slices overlapping it and the counter changes inside it.</summary>
/// <param name="FromCycle">First cycle of the window.</param>
/// <param name="ToCycle">The cycle the window ends before.</param>
/// <param name="Component">The component shown, or null for all.</param>
public sealed record TraceWindow(long FromCycle, long ToCycle, string? Component, ImmutableArray<TraceSlice> Slices, ImmutableArray<TraceCounter> Counters)
{
    /// <exception cref="ArgumentException">The window is empty, or the component is not in the trace.</exception>
    public static TraceWindow Of(TraceDocument trace, long fromCycle, long toCycle, string? component)
    {
        ArgumentNullException.ThrowIfNull(trace);
        if (toCycle <= fromCycle)
        {
            throw new ArgumentException($"the window is empty: --to ({toCycle}) must be greater than --from ({fromCycle})");
        }

        if (component is not null && !trace.Slices.Any(s => s.Component == component) && !trace.Counters.Any(c => c.Component == component))
        {
            var present = trace.Slices.Select(s => s.Component).Concat(trace.Counters.Select(c => c.Component)).Distinct().Order(StringComparer.Ordinal);
            throw new ArgumentException($"the trace has no component '{component}'; it has: {string.Join(", ", present)}");
        }

        var slices = trace.Slices
            .Where(s => (component is null || s.Component == component) && s.EndCycle > fromCycle && s.StartCycle < toCycle)
            .OrderBy(s => s.StartCycle).ThenBy(s => s.Track, StringComparer.Ordinal)
            .ToImmutableArray();
        var counters = trace.Counters
            .Where(c => (component is null || c.Component == component) && c.Cycle >= fromCycle && c.Cycle < toCycle)
            .OrderBy(c => c.Cycle).ThenBy(c => c.Track, StringComparer.Ordinal)
            .ToImmutableArray();
        return new TraceWindow(fromCycle, toCycle, component, slices, counters);
    }

    /// <summary>One table, slices and counter changes in cycle order.</summary>
    public string ToText()
    {
        var inv = CultureInfo.InvariantCulture;
        var rows = Slices.Select(s => (s.StartCycle, Row: new[]
            {
                s.StartCycle.ToString(inv), s.EndCycle.ToString(inv), s.DurationCycles.ToString(inv), s.Track, s.Category, s.Name,
                s.AmountUnit is null ? "" : $"{s.Amount.ToString(inv)} {s.AmountUnit}",
            }))
            .Concat(Counters.Select(c => (StartCycle: c.Cycle, Row: new[]
            {
                c.Cycle.ToString(inv), "", "", c.Track, "counter", "", c.Value.ToString("G6", inv),
            })))
            .OrderBy(r => r.StartCycle)
            .Select(r => r.Row);
        string header = string.Create(inv, $"cycles {FromCycle} to {ToCycle}{(Component is null ? "" : $", component {Component}")}: {Slices.Length} slices, {Counters.Length} counter changes");
        return header + "\n\n" + TextTable.Render(["start", "end", "cycles", "track", "category", "name", "amount / value"], rows);
    }
}
