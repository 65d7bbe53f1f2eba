using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using AccelSim.Workloads;

namespace AccelSim.Numerics;

/// <summary>The float reference: the same convolution in double precision from the float32 weights.</summary>
/// <remarks>Each output is summed by one thread in a fixed order (four vector lanes over K, then the lanes in order,
/// then the tail), so results do not depend on the thread count. The order is the same whatever the CPU: without
/// 256-bit vectors (or in a build compiled ahead of time for a baseline CPU) the same Vector256 operations run in
/// software, fused multiply-adds included, and give the same bits.</remarks>
public static class ReferenceDatapath
{
    private const int ColumnsPerTile = 16;

    public static double[] Convolve(ConvShape g, ReadOnlySpan<double> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int maxDegreeOfParallelism)
    {
        if (input.Length != g.InputLength || weights.Length != g.WeightLength)
        {
            throw new ArgumentException($"input {input.Length} (expected {g.InputLength}) or weights {weights.Length} (expected {g.WeightLength}) do not match the layer");
        }

        float[] w = weights.ToArray();
        double[] inputCopy = input.ToArray();
        float[] biasCopy = bias.ToArray();
        var output = new double[g.OutputLength];
        int k = g.Reduction;
        int columns = g.Batch * g.PixelsPerItem;
        int tilesPerGroup = (columns + ColumnsPerTile - 1) / ColumnsPerTile;
        Parallel.For(0, g.Groups * tilesPerGroup, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxDegreeOfParallelism) },
            () => Enumerable.Range(0, ColumnsPerTile + 1).Select(_ => new double[k]).ToArray(),
            (tile, _, buffers) =>
            {
                int group = tile / tilesPerGroup;
                int first = (tile % tilesPerGroup) * ColumnsPerTile;
                int count = Math.Min(ColumnsPerTile, columns - first);
                for (int c = 0; c < count; c++)
                {
                    int n = first + c;
                    g.Im2Col<double>(inputCopy, n / g.PixelsPerItem, group, (n % g.PixelsPerItem) / g.OutWidth, n % g.OutWidth, buffers[c]);
                }

                // The filter's row widened once per tile (exactly, as Dot widens it) serves four columns per pass.
                double[] wide = buffers[ColumnsPerTile];
                Span<double> sums = stackalloc double[4];
                for (int f = 0; f < g.GroupFilters; f++)
                {
                    int m = (group * g.GroupFilters) + f;
                    var row = w.AsSpan(m * k, k);
                    double b = biasCopy.Length == 0 ? 0 : biasCopy[m];
                    int c = 0;
                    if (count >= 4)
                    {
                        for (int j = 0; j < k; j++)
                        {
                            wide[j] = row[j];
                        }

                        for (; c + 4 <= count; c += 4)
                        {
                            Dot4(wide, buffers[c], buffers[c + 1], buffers[c + 2], buffers[c + 3], sums);
                            for (int j = 0; j < 4; j++)
                            {
                                output[Index(first + c + j, m)] = sums[j] + b;
                            }
                        }
                    }

                    for (; c < count; c++)
                    {
                        output[Index(first + c, m)] = Dot(row, buffers[c]) + b;
                    }
                }

                return buffers;
            },
            _ => { });
        return output;

        long Index(int n, int m) => ((((long)(n / g.PixelsPerItem) * g.OutChannels) + m) * g.PixelsPerItem) + (n % g.PixelsPerItem);
    }

    /// <summary><see cref="Dot"/> of one widened row with four columns: each sum takes exactly Dot's operations in
    /// Dot's order, so the results are the same bits; one load of the row serves four columns.</summary>
    private static void Dot4(double[] a, double[] b0, double[] b1, double[] b2, double[] b3, Span<double> sums)
    {
        int length = a.Length;
        int i = 0;
        double t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        if (length >= 8)
        {
            ref double pa = ref MemoryMarshal.GetArrayDataReference(a);
            ref double p0 = ref MemoryMarshal.GetArrayDataReference(b0);
            ref double p1 = ref MemoryMarshal.GetArrayDataReference(b1);
            ref double p2 = ref MemoryMarshal.GetArrayDataReference(b2);
            ref double p3 = ref MemoryMarshal.GetArrayDataReference(b3);
            Vector256<double> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
            for (; i <= length - 8; i += 8)
            {
                Vector256<double> lo = Vector256.LoadUnsafe(ref pa, (nuint)i);
                Vector256<double> hi = Vector256.LoadUnsafe(ref pa, (nuint)(i + 4));
                a00 = Vector256.FusedMultiplyAdd(lo, Vector256.LoadUnsafe(ref p0, (nuint)i), a00);
                a01 = Vector256.FusedMultiplyAdd(hi, Vector256.LoadUnsafe(ref p0, (nuint)(i + 4)), a01);
                a10 = Vector256.FusedMultiplyAdd(lo, Vector256.LoadUnsafe(ref p1, (nuint)i), a10);
                a11 = Vector256.FusedMultiplyAdd(hi, Vector256.LoadUnsafe(ref p1, (nuint)(i + 4)), a11);
                a20 = Vector256.FusedMultiplyAdd(lo, Vector256.LoadUnsafe(ref p2, (nuint)i), a20);
                a21 = Vector256.FusedMultiplyAdd(hi, Vector256.LoadUnsafe(ref p2, (nuint)(i + 4)), a21);
                a30 = Vector256.FusedMultiplyAdd(lo, Vector256.LoadUnsafe(ref p3, (nuint)i), a30);
                a31 = Vector256.FusedMultiplyAdd(hi, Vector256.LoadUnsafe(ref p3, (nuint)(i + 4)), a31);
            }

            t0 = Lanes(a00 + a01);
            t1 = Lanes(a10 + a11);
            t2 = Lanes(a20 + a21);
            t3 = Lanes(a30 + a31);
        }

        for (; i < length; i++)
        {
            t0 += a[i] * b0[i];
            t1 += a[i] * b1[i];
            t2 += a[i] * b2[i];
            t3 += a[i] * b3[i];
        }

        sums[0] = t0;
        sums[1] = t1;
        sums[2] = t2;
        sums[3] = t3;

        static double Lanes(Vector256<double> acc) => acc[0] + acc[1] + acc[2] + acc[3];
    }

    /// <summary>Σ a[i]·b[i] in double (float32 weights widened exactly) with a fixed summation order.</summary>
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<double> b)
    {
        int i = 0;
        double total = 0;
        if (a.Length >= 8)
        {
            ref float pa = ref MemoryMarshal.GetReference(a);
            ref double pb = ref MemoryMarshal.GetReference(b);
            Vector256<double> acc0 = Vector256<double>.Zero;
            Vector256<double> acc1 = Vector256<double>.Zero;
            for (; i <= a.Length - 8; i += 8)
            {
                Vector256<float> weights = Vector256.LoadUnsafe(ref pa, (nuint)i);
                acc0 = Vector256.FusedMultiplyAdd(Vector256.WidenLower(weights), Vector256.LoadUnsafe(ref pb, (nuint)i), acc0);
                acc1 = Vector256.FusedMultiplyAdd(Vector256.WidenUpper(weights), Vector256.LoadUnsafe(ref pb, (nuint)(i + 4)), acc1);
            }

            Vector256<double> acc = acc0 + acc1;
            total = acc[0] + acc[1] + acc[2] + acc[3];
        }

        for (; i < a.Length; i++)
        {
            total += (double)a[i] * b[i];
        }

        return total;
    }
}
