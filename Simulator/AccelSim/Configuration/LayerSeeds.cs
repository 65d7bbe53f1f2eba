namespace AccelSim.Configuration;

/// <summary>
/// Derives each layer's weight seed from the workload's seed and the layer's name, so that a layer keeps its weights
/// when other layers are added, removed or reordered, and every process and machine derives the same seeds.
/// </summary>
/// <remarks>
/// <c>seed(layer) = SplitMix64(workloadSeed XOR FNV-1a-64(name))</c>, where FNV-1a runs over the name's UTF-16 code
/// units (for the ASCII names a workload allows, these are its bytes) and SplitMix64 is the output function of
/// Steele, Lea and Flood's generator after one step from that state (add 0x9E3779B97F4A7C15, then the two
/// xor-shift-multiply rounds). The XOR alone would leave related names with related seeds; SplitMix64 scatters them.
/// </remarks>
public static class LayerSeeds
{
    private const ulong FnvOffsetBasis = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>The weight seed of layer <paramref name="layerName"/> in a workload whose weight seed is <paramref name="workloadSeed"/>.</summary>
    public static ulong Derive(ulong workloadSeed, string layerName) => SplitMix64(workloadSeed ^ Fnv1a64(layerName));

    /// <summary>64-bit FNV-1a over UTF-16 code units. Unlike <see cref="string.GetHashCode()"/>, the same in every process.</summary>
    public static ulong Fnv1a64(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ulong hash = FnvOffsetBasis;
        foreach (char c in text)
        {
            hash = unchecked((hash ^ c) * FnvPrime);
        }

        return hash;
    }

    /// <summary>The first output of a SplitMix64 generator whose state is <paramref name="state"/>.</summary>
    public static ulong SplitMix64(ulong state)
    {
        unchecked
        {
            ulong z = state + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
