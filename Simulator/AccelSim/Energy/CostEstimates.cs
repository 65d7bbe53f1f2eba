using System.Collections.Immutable;

namespace AccelSim.Energy;

/// <summary>One line of an area estimate: <see cref="Count"/> units of a part, each of the cited area.</summary>
public sealed record AreaLine(string Component, string Part, long Count, double SquareMicrometresEach, string Entry)
{
    public double SquareMillimetres => Count * SquareMicrometresEach * 1e-6;
}

/// <summary>An ASIC area estimate from a cited table: arithmetic units and SRAM bit cells, without wiring and periphery.</summary>
public sealed record AreaEstimate(string Table, ImmutableArray<AreaLine> Lines)
{
    public double SquareMillimetres => Lines.Sum(l => l.SquareMillimetres);

    public ImmutableSortedDictionary<string, double> ByComponent =>
        Lines.GroupBy(l => l.Component).ToImmutableSortedDictionary(g => g.Key, g => g.Sum(l => l.SquareMillimetres), StringComparer.Ordinal);
}

/// <summary>An FPGA resource estimate: the PE array's multipliers and accumulators, and the buffers in block RAM.</summary>
/// <param name="MultiplierKind">Which cited multiplier each PE uses (fixed16 or float16).</param>
/// <param name="ClockMegahertz">The clock the slowest cited unit reaches: what the design can run at.</param>
/// <param name="Notes">What the estimate leaves out, for the reader of the report.</param>
public sealed record FpgaEstimate(
    string Family, string MultiplierKind, long Dsp, long Lut, long FlipFlops, long BlockRams, double ClockMegahertz, string Notes);
