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

    /// <summary>Four exact dot products of <paramref name="a"/> with four vectors whose elements, like a's, are within
    /// ±127, into <paramref name="sums"/>. One load of a serves four columns.</summary>
    public static void Dot4(ReadOnlySpan<short> a, ReadOnlySpan<short> b0, ReadOnlySpan<short> b1, ReadOnlySpan<short> b2, ReadOnlySpan<short> b3, Span<long> sums)
    {
        int length = a.Length;
        int i = 0;
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        if (Avx2.IsSupported && length >= 16)
        {
            ref short pa = ref MemoryMarshal.GetReference(a);
            ref short p0 = ref MemoryMarshal.GetReference(b0);
            ref short p1 = ref MemoryMarshal.GetReference(b1);
            ref short p2 = ref MemoryMarshal.GetReference(b2);
            ref short p3 = ref MemoryMarshal.GetReference(b3);
            while (i <= length - 16)
            {
                Vector256<int> acc0 = Vector256<int>.Zero, acc1 = Vector256<int>.Zero, acc2 = Vector256<int>.Zero, acc3 = Vector256<int>.Zero;
                int end = Math.Min(length - 16, i + (32_768 * 16));
                for (; i <= end; i += 16)
                {
                    Vector256<short> va = Vector256.LoadUnsafe(ref pa, (nuint)i);
                    acc0 = Avx2.Add(acc0, Avx2.MultiplyAddAdjacent(va, Vector256.LoadUnsafe(ref p0, (nuint)i)));
                    acc1 = Avx2.Add(acc1, Avx2.MultiplyAddAdjacent(va, Vector256.LoadUnsafe(ref p1, (nuint)i)));
                    acc2 = Avx2.Add(acc2, Avx2.MultiplyAddAdjacent(va, Vector256.LoadUnsafe(ref p2, (nuint)i)));
                    acc3 = Avx2.Add(acc3, Avx2.MultiplyAddAdjacent(va, Vector256.LoadUnsafe(ref p3, (nuint)i)));
                }

                s0 += Widen(acc0);
                s1 += Widen(acc1);
                s2 += Widen(acc2);
                s3 += Widen(acc3);
            }
        }

        for (; i < length; i++)
        {
            s0 += a[i] * b0[i];
            s1 += a[i] * b1[i];
            s2 += a[i] * b2[i];
            s3 += a[i] * b3[i];
        }

        sums[0] = s0;
        sums[1] = s1;
        sums[2] = s2;
        sums[3] = s3;

        static long Widen(Vector256<int> v) =>
            Vector256.Sum(Avx2.Add(Avx2.ConvertToVector256Int64(v.GetLower()), Avx2.ConvertToVector256Int64(v.GetUpper())));
    }

    /// <summary>Dot products of two rows with four columns (all within ±127): <paramref name="sums0"/> for
    /// <paramref name="a0"/>, <paramref name="sums1"/> for <paramref name="a1"/>. Eight accumulators share six loads.</summary>
    public static void Dot2x4(
        ReadOnlySpan<short> a0, ReadOnlySpan<short> a1, ReadOnlySpan<short> b0, ReadOnlySpan<short> b1, ReadOnlySpan<short> b2,
        ReadOnlySpan<short> b3, Span<long> sums0, Span<long> sums1)
    {
        if (!Avx2.IsSupported)
        {
            Dot4(a0, b0, b1, b2, b3, sums0);
            Dot4(a1, b0, b1, b2, b3, sums1);
            return;
        }

        int length = a0.Length;
        int i = 0;
        Span<long> s = stackalloc long[8];
        s.Clear();
        ref short pa0 = ref MemoryMarshal.GetReference(a0);
        ref short pa1 = ref MemoryMarshal.GetReference(a1);
        ref short p0 = ref MemoryMarshal.GetReference(b0);
        ref short p1 = ref MemoryMarshal.GetReference(b1);
        ref short p2 = ref MemoryMarshal.GetReference(b2);
        ref short p3 = ref MemoryMarshal.GetReference(b3);
        while (i <= length - 16)
        {
            Vector256<int> c00 = Vector256<int>.Zero, c01 = Vector256<int>.Zero, c02 = Vector256<int>.Zero, c03 = Vector256<int>.Zero;
            Vector256<int> c10 = Vector256<int>.Zero, c11 = Vector256<int>.Zero, c12 = Vector256<int>.Zero, c13 = Vector256<int>.Zero;
            int end = Math.Min(length - 16, i + (32_768 * 16));
            for (; i <= end; i += 16)
            {
                Vector256<short> x0 = Vector256.LoadUnsafe(ref pa0, (nuint)i);
                Vector256<short> x1 = Vector256.LoadUnsafe(ref pa1, (nuint)i);
                Vector256<short> y = Vector256.LoadUnsafe(ref p0, (nuint)i);
                c00 = Avx2.Add(c00, Avx2.MultiplyAddAdjacent(x0, y));
                c10 = Avx2.Add(c10, Avx2.MultiplyAddAdjacent(x1, y));
                y = Vector256.LoadUnsafe(ref p1, (nuint)i);
                c01 = Avx2.Add(c01, Avx2.MultiplyAddAdjacent(x0, y));
                c11 = Avx2.Add(c11, Avx2.MultiplyAddAdjacent(x1, y));
                y = Vector256.LoadUnsafe(ref p2, (nuint)i);
                c02 = Avx2.Add(c02, Avx2.MultiplyAddAdjacent(x0, y));
                c12 = Avx2.Add(c12, Avx2.MultiplyAddAdjacent(x1, y));
                y = Vector256.LoadUnsafe(ref p3, (nuint)i);
                c03 = Avx2.Add(c03, Avx2.MultiplyAddAdjacent(x0, y));
                c13 = Avx2.Add(c13, Avx2.MultiplyAddAdjacent(x1, y));
            }

            s[0] += Widen(c00);
            s[1] += Widen(c01);
            s[2] += Widen(c02);
            s[3] += Widen(c03);
            s[4] += Widen(c10);
            s[5] += Widen(c11);
            s[6] += Widen(c12);
            s[7] += Widen(c13);
        }

        for (; i < length; i++)
        {
            s[0] += a0[i] * b0[i];
            s[1] += a0[i] * b1[i];
            s[2] += a0[i] * b2[i];
            s[3] += a0[i] * b3[i];
            s[4] += a1[i] * b0[i];
            s[5] += a1[i] * b1[i];
            s[6] += a1[i] * b2[i];
            s[7] += a1[i] * b3[i];
        }

        s[..4].CopyTo(sums0);
        s[4..].CopyTo(sums1);

        static long Widen(Vector256<int> v) =>
            Vector256.Sum(Avx2.Add(Avx2.ConvertToVector256Int64(v.GetLower()), Avx2.ConvertToVector256Int64(v.GetUpper())));
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
