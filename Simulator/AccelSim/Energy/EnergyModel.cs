using System.Collections.Immutable;
using System.Globalization;

namespace AccelSim.Energy;

/// <summary>One priced line: a component's action, how often it happened, and what the table says it costs.</summary>
public sealed record EnergyLine(string Component, string Action, long Count, double PicoJoulesPerAction, string Entry)
{
    public double EnergyPicoJoules => Count * PicoJoulesPerAction;

    /// <summary>True when the line is static power (leakage) rather than work done; see <see cref="ActionKey.IsLeakage"/>.</summary>
    public bool IsLeakage { get; init; }
}

/// <summary>Energy of a layer (or a network), line by line. Lines are sorted by component, then action.</summary>
public sealed record EnergyBreakdown(ImmutableArray<EnergyLine> Lines)
{
    public static EnergyBreakdown Empty { get; } = new([]);

    public double TotalPicoJoules => Lines.Sum(l => l.EnergyPicoJoules);

    /// <summary>Energy per component, ordinal order.</summary>
    public ImmutableSortedDictionary<string, double> ByComponent =>
        Lines.GroupBy(l => l.Component).ToImmutableSortedDictionary(g => g.Key, g => g.Sum(l => l.EnergyPicoJoules), StringComparer.Ordinal);

    /// <summary>Energy per action, keyed <c>component.action</c>, ordinal order.</summary>
    public ImmutableSortedDictionary<string, double> ByAction =>
        Lines.GroupBy(l => $"{l.Component}.{l.Action}").ToImmutableSortedDictionary(g => g.Key, g => g.Sum(l => l.EnergyPicoJoules), StringComparer.Ordinal);
}

/// <summary>A price request: <paramref name="Count"/> actions of a component, each of <paramref name="Bits"/> bits where the entry scales.</summary>
/// <param name="Key">Which action of which component, with the entry that prices it.</param>
/// <param name="CapacityBytes">For memory entries priced by capacity: the memory's size; 0 otherwise.</param>
/// <param name="ClockMegahertz">For static-power entries (microwatts) priced per cycle: the clock; 0 otherwise.</param>
public readonly record struct PricedAction(ActionKey Key, long Count, double Bits, long CapacityBytes, double ClockMegahertz = 0)
{
    /// <summary>The energy-table entry that prices the action: the key's.</summary>
    public string Entry => Key.Entry;
}

/// <summary>Prices counted actions with a cited table. The hardware never sees picojoules; this is the only place that does.</summary>
/// <remarks>
/// An entry gives the energy of one action at <see cref="EnergyEntry.ReferenceBits"/>; at b bits it costs
/// <c>E·(b/ref)</c> (linear), <c>E·(b/ref)²</c> (quadratic; a multiplier of two b-bit operands), or E (none). For a
/// multiply of an a-bit by a b-bit operand, <c>b²</c> is taken as <c>a·b</c>. Memory entries with points by capacity are
/// interpolated linearly in log(capacity)–log(energy) between neighbouring points, and extrapolated along the nearest
/// segment outside them. Static-power entries (leakage, in microwatts) are priced per cycle at the configured clock.
/// </remarks>
public static class EnergyModel
{
    public static EnergyBreakdown Price(IEnumerable<PricedAction> actions, EnergyTable table)
    {
        var lines = actions
            .Where(a => a.Count != 0)
            .Select(a => new EnergyLine(a.Key.Component.Path, a.Key.Name, a.Count, PicoJoulesPerAction(table, a), a.Entry) { IsLeakage = a.Key.IsLeakage })
            .OrderBy(l => l.Component, StringComparer.Ordinal)
            .ThenBy(l => l.Action, StringComparer.Ordinal)
            .ToImmutableArray();
        return new EnergyBreakdown(lines);
    }

    /// <summary>Energy of one action as the table prices it.</summary>
    public static double PicoJoulesPerAction(EnergyTable table, PricedAction action)
    {
        if (!table.Entries.TryGetValue(action.Entry, out EnergyEntry? entry))
        {
            throw new KeyNotFoundException(string.Create(CultureInfo.InvariantCulture,
                $"energy table '{table.Name}' has no entry '{action.Entry}' to price {action.Key}"));
        }

        // A static power P µW over one cycle of f MHz is P·1e-6 W × 1/(f·1e6) s = P/f pJ.
        double atReference = entry.PicoJoules
            ?? (entry.Microwatts is { } microwatts ? microwatts / action.ClockMegahertz : Interpolate(entry, action.CapacityBytes));
        double ratio = action.Bits / entry.ReferenceBits;
        return entry.Scaling switch
        {
            EnergyScaling.None => atReference,
            EnergyScaling.Linear => atReference * ratio,
            EnergyScaling.Quadratic => atReference * ratio * ratio,
            _ => throw new ArgumentOutOfRangeException(nameof(table), entry.Scaling, "unknown scaling"),
        };
    }

    private static double Interpolate(EnergyEntry entry, long capacityBytes)
    {
        var points = entry.Points;
        if (points.Length == 1 || capacityBytes <= 0)
        {
            return points[0].PicoJoules;
        }

        int upper = 1;
        while (upper < points.Length - 1 && points[upper].CapacityBytes < capacityBytes)
        {
            upper++;
        }

        EnergyPoint a = points[upper - 1];
        EnergyPoint b = points[upper];
        double t = Math.Log((double)capacityBytes / a.CapacityBytes) / Math.Log((double)b.CapacityBytes / a.CapacityBytes);
        return Math.Exp(Math.Log(a.PicoJoules) + (t * (Math.Log(b.PicoJoules) - Math.Log(a.PicoJoules))));
    }
}
