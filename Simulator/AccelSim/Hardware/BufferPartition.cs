namespace AccelSim.Hardware;

/// <summary>The splits of a unified buffer among the ifmap, weights and ofmap that a layer chooses from.</summary>
/// <remarks>
/// Candidates are tenths of the capacity: the ofmap part 1, 2 or 3 tenths (it holds results until they drain, and the
/// partial sums of stationary dataflows), the ifmap part 1 to 9 − ofmap tenths, the weights the rest (at least a tenth): 21
/// splits, in that order (ofmap, then ifmap, ascending). The ifmap and weight parts are rounded down to whole words in
/// every bank of both halves; the ofmap part takes what is left. The run maps the layer on every candidate, keeps those
/// with the least DRAM traffic, simulates them and takes the fewest cycles; the first candidate in the order above wins a
/// tie. So the choice is deterministic.
/// </remarks>
public static class BufferPartition
{
    /// <summary>Tenths of the capacity the candidates give the ofmap part.</summary>
    public static readonly IReadOnlyList<int> OfmapTenths = [1, 2, 3];

    /// <summary>The split a unified buffer is read with before a layer chooses its own (4/4/2 tenths: the proportions of
    /// the reference accelerator's 512/512/256 KiB buffers).</summary>
    public static BufferSetConfig Nominal(SramConfig unified) => Of(unified, ifmapTenths: 4, ofmapTenths: 2, partitioned: false);

    /// <summary>Every candidate split of <paramref name="unified"/>, in the order ties are broken.</summary>
    public static IReadOnlyList<BufferSetConfig> Candidates(SramConfig unified)
    {
        var candidates = new List<BufferSetConfig>();
        foreach (int ofmap in OfmapTenths)
        {
            for (int ifmap = 1; ifmap + ofmap <= 9; ifmap++)
            {
                candidates.Add(Of(unified, ifmap, ofmap, partitioned: true));
            }
        }

        return candidates;
    }

    /// <summary>The split giving the ifmap and the ofmap the given tenths and the weights the rest.</summary>
    public static BufferSetConfig Of(SramConfig unified, int ifmapTenths, int ofmapTenths, bool partitioned)
    {
        // Whole words in every bank of both halves, so tile halves start on bank 0 like separate buffers do.
        long granule = 2L * unified.Banks * (unified.WordBits / 8);
        long capacity = unified.CapacityBytes;
        long ifmap = RoundDown(capacity * ifmapTenths / 10, granule);
        long weights = RoundDown(capacity * (10 - ifmapTenths - ofmapTenths) / 10, granule);
        return BufferSetConfig.Split(unified, ifmap, weights, capacity - ifmap - weights, partitioned);

        static long RoundDown(long bytes, long granule) => bytes / granule * granule;
    }
}
