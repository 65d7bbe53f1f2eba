namespace AccelSim.Configuration;

/// <summary>
/// The SplitMix64 generator (Steele, Lea and Flood): a 64-bit counter stepped by the golden gamma and mixed. Written
/// out here, not taken from a library, so that a seed draws the same sample on every machine and every version.
/// </summary>
internal sealed class SplitMixRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        ulong value = LayerSeeds.SplitMix64(_state);
        _state = unchecked(_state + 0x9E3779B97F4A7C15UL);
        return value;
    }

    /// <summary>A uniform integer in [0, <paramref name="count"/>): draws above the largest multiple of the count are redrawn, so there is no modulo bias.</summary>
    public int NextBelow(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ulong n = (ulong)count;
        ulong bound = ulong.MaxValue - (ulong.MaxValue % n);
        ulong value;
        do
        {
            value = Next();
        }
        while (value >= bound);

        return (int)(value % n);
    }
}
