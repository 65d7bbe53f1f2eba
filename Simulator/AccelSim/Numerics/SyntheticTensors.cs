using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AccelSim.Numerics;

/// <summary>Seeded synthetic tensors. Values depend only on the seed and the element index, never on the thread count.</summary>
/// <remarks>The tensor is cut into chunks of 4,096 elements; chunk c draws from SplitMix64 seeded with
/// <c>seed ⊕ (c+1)·φ</c> (φ = 0x9E3779B97F4A7C15) and turns pairs of uniforms into normals by Box–Muller.</remarks>
public static class SyntheticTensors
{
    private const int ChunkElements = 4096;
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>The relative distance the vector logarithm, sine and cosine may put a value from the scalar ones'
    /// (both are within a few units in the last place of double, about 2^-52; this allows 2^-40).</summary>
    private const double VectorTolerance = 1.0 / (1L << 40);

    /// <summary>Below this |cos|, |sin| or |log u1| a vector result's relative error is not bounded: scalar instead.</summary>
    private const double SmallestVectorFactor = 1.0 / 1024;

    /// <summary>He-normal weights: normal with mean 0 and standard deviation sqrt(2 / fan-in).</summary>
    public static void HeNormal(ulong seed, int fanIn, Span<float> destination) =>
        Normal(seed, Math.Sqrt(2.0 / Math.Max(1, fanIn)), destination);

    /// <summary>Elements [<paramref name="first"/>, <paramref name="first"/> + length) of the tensor
    /// <see cref="HeNormal(ulong, int, Span{float})"/> draws, the same floats: a large layer's weights drawn a slab of
    /// filters at a time.</summary>
    internal static void HeNormal(ulong seed, int fanIn, long first, Span<float> destination) =>
        Normal(seed, Math.Sqrt(2.0 / Math.Max(1, fanIn)), first, destination);

    /// <summary>Standard normal values (mean 0, standard deviation 1).</summary>
    public static void StandardNormal(ulong seed, Span<float> destination) => Normal(seed, 1.0, destination);

    /// <summary>The same values as <see cref="HeNormal(ulong, int, Span{float})"/>, one element at a time with the scalar logarithm, sine and
    /// cosine: the definition the vector path is held to.</summary>
    internal static void HeNormalScalar(ulong seed, int fanIn, Span<float> destination)
    {
        double standardDeviation = Math.Sqrt(2.0 / Math.Max(1, fanIn));
        for (int first = 0, chunk = 0; first < destination.Length; first += ChunkElements, chunk++)
        {
            ScalarChunk(seed, chunk, standardDeviation, destination.Slice(first, Math.Min(ChunkElements, destination.Length - first)));
        }
    }

    private static void Normal(ulong seed, double standardDeviation, Span<float> destination) => Normal(seed, standardDeviation, 0, destination);

    /// <summary>Elements [<paramref name="first"/>, first + length) of the tensor: whole chunks straight into the
    /// destination (a chunk's first values do not depend on its length, every value being the scalar definition's),
    /// a chunk cut by the range's start drawn aside and copied.</summary>
    private static unsafe void Normal(ulong seed, double standardDeviation, long first, Span<float> destination)
    {
        if (destination.IsEmpty)
        {
            return;
        }

        long end = first + destination.Length;
        int firstChunk = checked((int)(first / ChunkElements));
        int chunks = checked((int)((end + ChunkElements - 1) / ChunkElements)) - firstChunk;
        fixed (float* start = destination)
        {
            float* basePointer = start;
            Parallel.For(firstChunk, firstChunk + chunks, chunk =>
            {
                long chunkStart = (long)chunk * ChunkElements;
                long from = Math.Max(first, chunkStart);
                int length = (int)(Math.Min(end, chunkStart + ChunkElements) - from);
                var values = new Span<float>(basePointer + (from - first), length);
                if (from == chunkStart)
                {
                    Chunk(seed, chunk, standardDeviation, values);
                }
                else
                {
                    Span<float> whole = stackalloc float[(int)(from - chunkStart) + length];
                    Chunk(seed, chunk, standardDeviation, whole);
                    whole[(int)(from - chunkStart)..].CopyTo(values);
                }
            });
        }
    }

    /// <summary>The He-normal tensor drawn chunk by chunk with the four-lane (<paramref name="wide"/> false) or the
    /// eight-lane vector path, whichever the CPU would pick: so that both can be held to the scalar one.</summary>
    internal static void HeNormalWithVectors(ulong seed, int fanIn, Span<float> destination, bool wide)
    {
        double standardDeviation = Math.Sqrt(2.0 / Math.Max(1, fanIn));
        for (int chunk = 0; (long)chunk * ChunkElements < destination.Length; chunk++)
        {
            Span<float> values = destination.Slice(chunk * ChunkElements, Math.Min(ChunkElements, destination.Length - (chunk * ChunkElements)));
            if (wide)
            {
                WideVectorChunk(seed, chunk, standardDeviation, values);
            }
            else
            {
                VectorChunk(seed, chunk, standardDeviation, values);
            }
        }
    }

    private static void Chunk(ulong seed, int chunk, double standardDeviation, Span<float> values)
    {
        if (Avx512DQ.IsSupported && Vector512.IsHardwareAccelerated)
        {
            WideVectorChunk(seed, chunk, standardDeviation, values);
        }
        else if (Avx.IsSupported && Vector256.IsHardwareAccelerated)
        {
            VectorChunk(seed, chunk, standardDeviation, values);
        }
        else
        {
            ScalarChunk(seed, chunk, standardDeviation, values);
        }
    }

    private static void ScalarChunk(ulong seed, int chunk, double standardDeviation, Span<float> values)
    {
        ulong state = ChunkState(seed, chunk);
        for (int i = 0; i < values.Length; i += 2)
        {
            // Box–Muller: u1 in (0, 1] keeps the logarithm finite.
            (double u1, double u2) = Uniforms(ref state);
            (float a, float b) = ScalarPair(u1, u2, standardDeviation);
            values[i] = a;
            if (i + 1 < values.Length)
            {
                values[i + 1] = b;
            }
        }
    }

    private static (float Cos, float Sin) ScalarPair(double u1, double u2, double standardDeviation)
    {
        double radius = Math.Sqrt(-2.0 * Math.Log(u1)) * standardDeviation;
        (double sin, double cos) = Math.SinCos(2 * Math.PI * u2);
        return ((float)(radius * cos), (float)(radius * sin));
    }

    /// <summary>Four pairs at a time with the vector logarithm and sine/cosine. A value is kept only when every double
    /// within <see cref="VectorTolerance"/> of it rounds to the same float, so the scalar one (that close) rounds there
    /// too; otherwise, and where the relative error is not bounded, the pair is made by <see cref="ScalarPair"/>. The
    /// floats are therefore the scalar path's bits. Compiled optimized from the first call: unoptimized, the vector
    /// functions cost more than the scalar ones.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void VectorChunk(ulong seed, int chunk, double standardDeviation, Span<float> values)
    {
        int pairs = (values.Length + 1) / 2;
        Span<double> u1s = stackalloc double[ChunkElements / 2];
        Span<double> u2s = stackalloc double[ChunkElements / 2];
        ulong state = ChunkState(seed, chunk);
        for (int p = 0; p < pairs; p++)
        {
            (u1s[p], u2s[p]) = Uniforms(ref state);
        }

        Span<float> cosines = stackalloc float[4];
        Span<float> sines = stackalloc float[4];
        var deviation = Vector256.Create(standardDeviation);
        var minusTwo = Vector256.Create(-2.0);
        var turn = Vector256.Create(2 * Math.PI);
        var small = Vector256.Create(SmallestVectorFactor);
        var up = Vector256.Create(1 + VectorTolerance);
        var down = Vector256.Create(1 - VectorTolerance);
        int q = 0;
        for (; q + 4 <= pairs; q += 4)
        {
            Vector256<double> u1 = Vector256.Create((ReadOnlySpan<double>)u1s.Slice(q, 4));
            Vector256<double> u2 = Vector256.Create((ReadOnlySpan<double>)u2s.Slice(q, 4));
            Vector256<double> log = Vector256.Log(u1);
            Vector256<double> radius = Vector256.Sqrt(minusTwo * log) * deviation;
            (Vector256<double> sin, Vector256<double> cos) = Vector256.SinCos(turn * u2);
            Vector256<double> a = radius * cos;
            Vector256<double> b = radius * sin;
            Vector128<float> fa = Avx.ConvertToVector128Single(a);
            Vector128<float> fb = Avx.ConvertToVector128Single(b);
            Vector256<double> unbounded = Vector256.LessThan(Vector256.Abs(cos), small) | Vector256.LessThan(Vector256.Abs(sin), small)
                | Vector256.LessThan(Vector256.Abs(log), small);
            Vector128<float> moved = ~(Vector128.Equals(Avx.ConvertToVector128Single(a * up), fa) & Vector128.Equals(Avx.ConvertToVector128Single(a * down), fa)
                & Vector128.Equals(Avx.ConvertToVector128Single(b * up), fb) & Vector128.Equals(Avx.ConvertToVector128Single(b * down), fb));
            fa.CopyTo(cosines);
            fb.CopyTo(sines);
            uint fallback = unbounded.ExtractMostSignificantBits() | moved.ExtractMostSignificantBits();
            for (int j = 0; j < 4; j++)
            {
                (float c, float s) = (fallback & (1u << j)) != 0 ? ScalarPair(u1s[q + j], u2s[q + j], standardDeviation) : (cosines[j], sines[j]);
                Store(values, q + j, c, s);
            }
        }

        for (; q < pairs; q++)
        {
            (float c, float s) = ScalarPair(u1s[q], u2s[q], standardDeviation);
            Store(values, q, c, s);
        }

        static void Store(Span<float> values, int pair, float cos, float sin)
        {
            values[2 * pair] = cos;
            if ((2 * pair) + 1 < values.Length)
            {
                values[(2 * pair) + 1] = sin;
            }
        }
    }

    /// <summary><see cref="VectorChunk"/> eight pairs at a time, with the uniforms drawn in the vector registers too:
    /// SplitMix64's n-th draw mixes state + n·φ, so lane j of a run of eight pairs takes the states of draws 2j + 1 and
    /// 2j + 2 and the same integer operations give the same uniforms. The same kept-or-scalar rule per value, so the
    /// same floats.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void WideVectorChunk(ulong seed, int chunk, double standardDeviation, Span<float> values)
    {
        int pairs = (values.Length + 1) / 2;
        ulong state = ChunkState(seed, chunk);
        var deviation = Vector512.Create(standardDeviation);
        var minusTwo = Vector512.Create(-2.0);
        var turn = Vector512.Create(2 * Math.PI);
        var small = Vector512.Create(SmallestVectorFactor);
        var up = Vector512.Create(1 + VectorTolerance);
        var down = Vector512.Create(1 - VectorTolerance);
        var unit = Vector512.Create(1.0 / (1UL << 53));
        var one = Vector512<double>.One;
        // Interleaves the eight cosine-side and eight sine-side floats into pairs: a0 b0 a1 b1 …
        var interleave = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        // Lane j's first draw of the first run: state + (2j + 1)·φ; each run of eight pairs moves 16 draws on.
        Vector512<ulong> first = Vector512.Create(state) + (Vector512.Create(1UL, 3, 5, 7, 9, 11, 13, 15) * Golden);
        var golden = Vector512.Create(Golden);
        var stride = Vector512.Create(unchecked(16 * Golden));
        Span<float> pairsOut = stackalloc float[16];
        int q = 0;
        for (; q + 8 <= pairs; q += 8, first += stride)
        {
            Vector512<double> u1 = one - (Vector512.ConvertToDouble(Vector512.ShiftRightLogical(Mix(first), 11)) * unit);
            Vector512<double> u2 = Vector512.ConvertToDouble(Vector512.ShiftRightLogical(Mix(first + golden), 11)) * unit;
            Vector512<double> log = Vector512.Log(u1);
            Vector512<double> radius = Vector512.Sqrt(minusTwo * log) * deviation;
            (Vector512<double> sin, Vector512<double> cos) = Vector512.SinCos(turn * u2);
            Vector512<double> a = radius * cos;
            Vector512<double> b = radius * sin;
            Vector256<float> fa = Avx512F.ConvertToVector256Single(a);
            Vector256<float> fb = Avx512F.ConvertToVector256Single(b);
            Vector512<double> unbounded = Vector512.LessThan(Vector512.Abs(cos), small) | Vector512.LessThan(Vector512.Abs(sin), small)
                | Vector512.LessThan(Vector512.Abs(log), small);
            Vector256<float> moved = ~(Vector256.Equals(Avx512F.ConvertToVector256Single(a * up), fa) & Vector256.Equals(Avx512F.ConvertToVector256Single(a * down), fa)
                & Vector256.Equals(Avx512F.ConvertToVector256Single(b * up), fb) & Vector256.Equals(Avx512F.ConvertToVector256Single(b * down), fb));
            Vector512<float> both = Avx512F.PermuteVar16x32x2(Vector512.Create(fa, Vector256<float>.Zero), interleave, Vector512.Create(fb, Vector256<float>.Zero));
            ulong fallback = unbounded.ExtractMostSignificantBits() | moved.ExtractMostSignificantBits();
            int offset = 2 * q;
            if (offset + 16 <= values.Length)
            {
                both.CopyTo(values.Slice(offset, 16));
            }
            else
            {
                both.CopyTo(pairsOut);
                pairsOut[..(values.Length - offset)].CopyTo(values[offset..]);
            }

            for (; fallback != 0; fallback &= fallback - 1)
            {
                int j = System.Numerics.BitOperations.TrailingZeroCount(fallback);
                (float c, float s) = ScalarPair(u1.GetElement(j), u2.GetElement(j), standardDeviation);
                values[offset + (2 * j)] = c;
                if (offset + (2 * j) + 1 < values.Length)
                {
                    values[offset + (2 * j) + 1] = s;
                }
            }
        }

        // The last pairs, one by one, from the state their draws follow.
        state += (ulong)(2 * q) * Golden;
        for (; q < pairs; q++)
        {
            (double u1, double u2) = Uniforms(ref state);
            (float c, float s) = ScalarPair(u1, u2, standardDeviation);
            values[2 * q] = c;
            if ((2 * q) + 1 < values.Length)
            {
                values[(2 * q) + 1] = s;
            }
        }

        // SplitMix64's output function on eight states.
        static Vector512<ulong> Mix(Vector512<ulong> z)
        {
            z = (z ^ Vector512.ShiftRightLogical(z, 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ Vector512.ShiftRightLogical(z, 27)) * 0x94D049BB133111EBUL;
            return z ^ Vector512.ShiftRightLogical(z, 31);
        }
    }

    private static ulong ChunkState(ulong seed, int chunk) => seed ^ ((ulong)(chunk + 1) * Golden);

    /// <summary>u1 in (0, 1] (keeps the logarithm finite) and u2 in [0, 1), each from the top 53 bits of one draw.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static (double U1, double U2) Uniforms(ref ulong state)
    {
        double u1 = 1.0 - ((Next(ref state) >> 11) * (1.0 / (1UL << 53)));
        double u2 = (Next(ref state) >> 11) * (1.0 / (1UL << 53));
        return (u1, u2);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static ulong Next(ref ulong state)
    {
        ulong z = state += Golden;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
