using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AccelSim.Numerics;

/// <summary>Exact integer dot products of mantissa vectors.</summary>
/// <remarks>
/// The AVX2 path multiplies int16 pairs and adds adjacent products into int32 lanes (<c>vpmaddwd</c>). A pair sum of two
/// 16-bit mantissas is at most 2·32767² &lt; 2³¹, so it is exact; lanes are widened into int64 before they can
/// overflow: at every vector for wide mantissas, every 32,768 vectors when both operands fit 8 bits (2·127² · 32,768
/// &lt; 2³¹). Integer addition is associative, so every path gives the same exact sum; the tests hold the SIMD path to
/// the scalar one.
/// </remarks>
public static class IntegerDot
{
    /// <summary>Σ a[i]·b[i], exact. <paramref name="narrow"/>: both operands are within ±127.</summary>
    public static long Dot(ReadOnlySpan<short> a, ReadOnlySpan<short> b, bool narrow)
    {
        int length = a.Length;
        int i = 0;
        long total = 0;
        if (Avx2.IsSupported && length >= 16)
        {
            ref short pa = ref MemoryMarshal.GetReference(a);
            ref short pb = ref MemoryMarshal.GetReference(b);
            Vector256<long> wide = Vector256<long>.Zero;
            if (narrow)
            {
                while (i <= length - 16)
                {
                    Vector256<int> acc = Vector256<int>.Zero;
                    int end = Math.Min(length - 16, i + (32_768 * 16));
                    for (; i <= end; i += 16)
                    {
                        acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref pa, (nuint)i), Vector256.LoadUnsafe(ref pb, (nuint)i)));
                    }

                    wide = Avx2.Add(wide, Avx2.ConvertToVector256Int64(acc.GetLower()));
                    wide = Avx2.Add(wide, Avx2.ConvertToVector256Int64(acc.GetUpper()));
                }
            }
            else
            {
                for (; i <= length - 16; i += 16)
                {
                    Vector256<int> pairs = Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref pa, (nuint)i), Vector256.LoadUnsafe(ref pb, (nuint)i));
                    wide = Avx2.Add(wide, Avx2.ConvertToVector256Int64(pairs.GetLower()));
                    wide = Avx2.Add(wide, Avx2.ConvertToVector256Int64(pairs.GetUpper()));
                }
            }

            total = Vector256.Sum(wide);
        }

        for (; i < length; i++)
        {
            total += a[i] * b[i];
        }

        return total;
    }

    /// <summary>Σ a[i]·b[i], exact, scalar: the reference the SIMD path is tested against.</summary>
    public static long DotScalar(ReadOnlySpan<short> a, ReadOnlySpan<short> b)
    {
        long total = 0;
        for (int i = 0; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }

        return total;
    }

    /// <summary>Σ a[i]·b[i], exact, for mantissas wider than 16 bits.</summary>
    public static long Dot(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        long total = 0;
        for (int i = 0; i < a.Length; i++)
        {
            total += (long)a[i] * b[i];
        }

        return total;
    }
}
