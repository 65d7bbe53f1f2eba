namespace AccelSim.Mapping;

/// <summary>Sizing a tile: the largest count of something that still fits its buffer.</summary>
internal static class Fitting
{
    /// <summary>The largest n in [0, max] with fits(n), for a predicate that holds up to some n and not beyond.</summary>
    public static long Largest(long max, Func<long, bool> fits)
    {
        long low = 0;
        long high = max;
        while (low < high)
        {
            long middle = low + ((high - low + 1) / 2);
            if (fits(middle))
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return low;
    }
}
