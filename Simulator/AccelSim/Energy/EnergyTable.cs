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

    /// <summary>Energy of one action at <see cref="ReferenceBits"/>; null when <see cref="Points"/> or <see cref="Microwatts"/> are given.</summary>
    public double? PicoJoules { get; init; }

    /// <summary>A static (leakage) power at <see cref="ReferenceBits"/>; priced per cycle at the configured clock.</summary>
    public double? Microwatts { get; init; }

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

    /// <summary>Cited silicon areas for the ASIC estimate; empty when the table gives none.</summary>
    public ImmutableSortedDictionary<string, AreaEntry> Areas { get; init; } = ImmutableSortedDictionary<string, AreaEntry>.Empty;

    /// <summary>Cited FPGA resource figures; null when the table gives none.</summary>
    public FpgaFigures? Fpga { get; init; }
}

/// <summary>A cited area figure: µm² of one unit at <see cref="ReferenceBits"/>, scaled like an energy entry.</summary>
public sealed record AreaEntry(string Name, double SquareMicrometres, int ReferenceBits, EnergyScaling Scaling, string Source);

/// <summary>FPGA resources of one multiplier kind and the clock it reaches.</summary>
public sealed record FpgaMultiplier(int Dsp, int Lut, int FlipFlops, double MaxClockMegahertz, string Source);

/// <summary>Cited FPGA figures: one multiplier per PE, integer accumulators in fabric, buffers in block RAM.</summary>
/// <param name="BlockRamBits">Bits of one block RAM.</param>
/// <param name="BlockRamMaxWidthBits">Widest port of one block RAM (a wider word takes several side by side).</param>
/// <param name="AdderLutsPerBit">Fabric LUTs per bit of an integer adder (carry chain).</param>
/// <param name="AdderFlipFlopsPerBit">Flip-flops per bit of a registered integer accumulator.</param>
public sealed record FpgaFigures(
    string Family,
    FpgaMultiplier Fixed16,
    FpgaMultiplier Float16,
    long BlockRamBits,
    int BlockRamMaxWidthBits,
    double AdderLutsPerBit,
    double AdderFlipFlopsPerBit,
    string Source);
