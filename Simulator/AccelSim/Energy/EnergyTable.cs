using System.Collections.Immutable;

namespace AccelSim.Energy;

/// <summary>How an entry's energy changes with the operand width, relative to <see cref="EnergyEntry.ReferenceBits"/>.</summary>
public enum EnergyScaling
{
    /// <summary>Independent of width.</summary>
    None,

    /// <summary>Proportional to bits (adders, wires, memory bits).</summary>
    Linear,

    /// <summary>Proportional to bits squared (array multipliers).</summary>
    Quadratic,
}

/// <summary>One cited energy figure for an access of <see cref="EnergyEntry.ReferenceBits"/> bits to a memory of this capacity.</summary>
public sealed record EnergyPoint(long CapacityBytes, double PicoJoules);

/// <summary>A cited energy figure: a single value, or points by memory capacity (interpolated log-log).</summary>
public sealed record EnergyEntry
{
    public required string Name { get; init; }

    /// <summary>Energy of one action at <see cref="ReferenceBits"/>; null when <see cref="Points"/> are given.</summary>
    public double? PicoJoules { get; init; }

    public ImmutableArray<EnergyPoint> Points { get; init; } = [];

    public required int ReferenceBits { get; init; }

    public required EnergyScaling Scaling { get; init; }

    /// <summary>Where the figure comes from: paper, table, technology node.</summary>
    public required string Source { get; init; }
}

/// <summary>A named table of cited energy figures, keyed by entry name (ordinal).</summary>
public sealed record EnergyTable
{
    public required string Name { get; init; }

    public required int TechnologyNanometers { get; init; }

    public required ImmutableSortedDictionary<string, EnergyEntry> Entries { get; init; }
}
