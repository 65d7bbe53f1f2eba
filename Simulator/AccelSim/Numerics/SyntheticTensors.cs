namespace AccelSim.Numerics;

/// <summary>Seeded synthetic tensors. Values depend only on the seed and the element index, never on the thread count.</summary>
/// <remarks>The tensor is cut into chunks of 4,096 elements; chunk c draws from SplitMix64 seeded with
/// <c>seed ⊕ (c+1)·φ</c> (φ = 0x9E3779B97F4A7C15) and turns pairs of uniforms into normals by Box–Muller.</remarks>
public static class SyntheticTensors
{
    private const int ChunkElements = 4096;

    /// <summary>He-normal weights: normal with mean 0 and standard deviation sqrt(2 / fan-in).</summary>
    public static void HeNormal(ulong seed, int fanIn, Span<float> destination) =>
        Normal(seed, Math.Sqrt(2.0 / Math.Max(1, fanIn)), destination);

    /// <summary>Standard normal values (mean 0, standard deviation 1).</summary>
    public static void StandardNormal(ulong seed, Span<float> destination) => Normal(seed, 1.0, destination);

    private static unsafe void Normal(ulong seed, double standardDeviation, Span<float> destination)
    {
        int chunks = (destination.Length + ChunkElements - 1) / ChunkElements;
        fixed (float* start = destination)
        {
            float* basePointer = start;
            int length = destination.Length;
            Parallel.For(0, chunks, chunk =>
            {
                int first = chunk * ChunkElements;
                int count = Math.Min(ChunkElements, length - first);
                ulong state = seed ^ ((ulong)(chunk + 1) * 0x9E3779B97F4A7C15UL);
                for (int i = 0; i < count; i += 2)
                {
                    // Box–Muller: u1 in (0, 1] keeps the logarithm finite.
                    double u1 = 1.0 - ((Next(ref state) >> 11) * (1.0 / (1UL << 53)));
                    double u2 = (Next(ref state) >> 11) * (1.0 / (1UL << 53));
                    double radius = Math.Sqrt(-2.0 * Math.Log(u1)) * standardDeviation;
                    (double sin, double cos) = Math.SinCos(2 * Math.PI * u2);
                    basePointer[first + i] = (float)(radius * cos);
                    if (i + 1 < count)
                    {
                        basePointer[first + i + 1] = (float)(radius * sin);
                    }
                }
            });
        }
    }

    private static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
