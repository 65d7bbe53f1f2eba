namespace AccelSim.Statistics;

/// <summary>The unit a statistic is counted in. Reports print it next to the value; the energy model relies on it
/// to refuse pricing, say, bytes as if they were words.</summary>
public enum StatUnit
{
    /// <summary>Cycles of the simulation's reference clock.</summary>
    Cycles,

    /// <summary>Bytes (8 bits).</summary>
    Bytes,

    /// <summary>Bits.</summary>
    Bits,

    /// <summary>Occurrences of something that happens at an instant (a request, a stall start, a refill).</summary>
    Events,

    /// <summary>Multiply-accumulate operations.</summary>
    Macs,

    /// <summary>Tensor elements (operands or results), whatever their width.</summary>
    Elements,

    /// <summary>Words of a word-addressed memory; the word width belongs to that memory's configuration.</summary>
    Words,

    /// <summary>A plain number of things that is none of the above (items, tiles, folds).</summary>
    Count,

    /// <summary>A dimensionless ratio.</summary>
    Ratio,
}
