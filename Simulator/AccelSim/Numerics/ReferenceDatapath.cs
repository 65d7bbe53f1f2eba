using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using AccelSim.Workloads;

namespace AccelSim.Numerics;

/// <summary>The float reference: the same convolution in double precision from the float32 weights.</summary>
/// <remarks>Each output is summed in a fixed order whatever the thread count or tiling: with AVX and K ≥ 8, two
/// vector accumulators of four lanes take the products of each run of eight k (lanes of the first half, lanes of the
/// second) by fused multiply-add; their sum's four lanes are added in order, then the tail k one by one (multiply, then
/// add). Without AVX, or for K &lt; 8, all k one by one. <see cref="Dot"/> is that sum for one output.</remarks>
public static class ReferenceDatapath
{
    /// <summary>Output pixels whose im2col columns are built together and share each filter row loaded.</summary>
    private const int ColumnsPerTile = 24;

    /// <summary>Reduction indices per pass over a tile (a multiple of 8): a tile's columns of this length stay in the
    /// first-level cache while every filter goes over them; the accumulators are kept between passes, exactly.</summary>
    private const int KPerPass = 256;

    /// <summary>Filters per work item when a layer has too few tiles to give every thread several (an FC layer at
    /// batch 1 has one column).</summary>
    private const int FiltersPerItem = 64;

    public static double[] Convolve(ConvShape g, ReadOnlySpan<double> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int maxDegreeOfParallelism) =>
        Convolve(g, input.ToArray(), weights.ToArray(), bias.ToArray(), maxDegreeOfParallelism);

    /// <summary>The reference convolution reading the arrays themselves (a large layer's weights are not copied).</summary>
    public static unsafe double[] Convolve(ConvShape g, double[] input, float[] weights, float[] bias, int maxDegreeOfParallelism)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(bias);
        if (input.Length != g.InputLength || weights.Length != g.WeightLength)
        {
            throw new ArgumentException($"input {input.Length} (expected {g.InputLength}) or weights {weights.Length} (expected {g.WeightLength}) do not match the layer");
        }

        var output = new double[g.OutputLength];
        int k = g.Reduction;
        int vectorEnd = Avx.IsSupported && k >= 8 ? k - (k % 8) : 0;
        int columns = g.Batch * g.PixelsPerItem;
        int tilesPerGroup = (columns + ColumnsPerTile - 1) / ColumnsPerTile;
        int threads = Math.Max(1, maxDegreeOfParallelism);
        int filtersPerItem = (long)g.Groups * tilesPerGroup >= 4L * threads ? g.GroupFilters : Math.Min(g.GroupFilters, FiltersPerItem);
        int filterRuns = (g.GroupFilters + filtersPerItem - 1) / filtersPerItem;
        Parallel.For(0, g.Groups * tilesPerGroup * filterRuns, new ParallelOptions { MaxDegreeOfParallelism = threads },
            () => new Scratch(k, filtersPerItem),
            (item, _, scratch) =>
            {
                int run = item % filterRuns;
                int tile = item / filterRuns;
                int group = tile / tilesPerGroup;
                int first = (tile % tilesPerGroup) * ColumnsPerTile;
                int count = Math.Min(ColumnsPerTile, columns - first);
                int firstFilter = (group * g.GroupFilters) + (run * filtersPerItem);
                int filters = Math.Min(filtersPerItem, ((group + 1) * g.GroupFilters) - firstFilter);
                for (int c = 0; c < count; c++)
                {
                    int n = first + c;
                    g.Im2Col<double>(input, n / g.PixelsPerItem, group, (n % g.PixelsPerItem) / g.OutWidth, n % g.OutWidth, scratch.Columns.AsSpan(c * k, k));
                }

                fixed (float* w = &weights[firstFilter * (long)k])
                fixed (double* x = scratch.Columns)
                fixed (Vector256<double>* state = scratch.State)
                {
                    new Span<Vector256<double>>(state, filters * ColumnsPerTile * 2).Clear();
                    for (int from = 0; from < vectorEnd; from += KPerPass)
                    {
                        int to = Math.Min(from + KPerPass, vectorEnd);
                        int f = 0;
                        for (; f + 2 <= filters; f += 2)
                        {
                            int c = 0;
                            for (; c + 3 <= count; c += 3)
                            {
                                Pass2x3(w + ((long)f * k), k, x + ((long)c * k), k, state + (((f * ColumnsPerTile) + c) * 2), ColumnsPerTile * 2, from, to);
                            }

                            for (; c < count; c++)
                            {
                                Pass1x1(w + ((long)f * k), x + ((long)c * k), state + (((f * ColumnsPerTile) + c) * 2), from, to);
                                Pass1x1(w + ((long)(f + 1) * k), x + ((long)c * k), state + ((((f + 1) * ColumnsPerTile) + c) * 2), from, to);
                            }
                        }

                        for (; f < filters; f++)
                        {
                            for (int c = 0; c < count; c++)
                            {
                                Pass1x1(w + ((long)f * k), x + ((long)c * k), state + (((f * ColumnsPerTile) + c) * 2), from, to);
                            }
                        }
                    }

                    for (int f = 0; f < filters; f++)
                    {
                        int m = firstFilter + f;
                        double b = bias.Length == 0 ? 0 : bias[m];
                        for (int c = 0; c < count; c++)
                        {
                            Vector256<double> acc = state[((f * ColumnsPerTile) + c) * 2] + state[(((f * ColumnsPerTile) + c) * 2) + 1];
                            double total = vectorEnd > 0 ? acc[0] + acc[1] + acc[2] + acc[3] : 0;
                            float* row = w + ((long)f * k);
                            double* column = x + ((long)c * k);
                            for (int i = vectorEnd; i < k; i++)
                            {
                                total += (double)row[i] * column[i];
                            }

                            output[Index(first + c, m)] = total + b;
                        }
                    }
                }

                return scratch;
            },
            _ => { });
        return output;

        long Index(int n, int m) => ((((long)(n / g.PixelsPerItem) * g.OutChannels) + m) * g.PixelsPerItem) + (n % g.PixelsPerItem);
    }

    /// <summary>Two filter rows against three columns over k in [from, to): each of the six outputs' two accumulators
    /// take their fused multiply-adds in k order, as <see cref="Dot"/> does; a row run is loaded once for three columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Pass2x3(float* w, int k, double* x, int columnStride, Vector256<double>* state, int filterStride, int from, int to)
    {
        Vector256<double>* s0 = state;
        Vector256<double>* s1 = state + filterStride;
        Vector256<double> a00 = s0[0], b00 = s0[1], a01 = s0[2], b01 = s0[3], a02 = s0[4], b02 = s0[5];
        Vector256<double> a10 = s1[0], b10 = s1[1], a11 = s1[2], b11 = s1[3], a12 = s1[4], b12 = s1[5];
        float* w1 = w + k;
        double* x1 = x + columnStride;
        double* x2 = x1 + columnStride;
        for (int i = from; i < to; i += 8)
        {
            Vector256<double> lo0 = Avx.ConvertToVector256Double(Sse.LoadVector128(w + i));
            Vector256<double> hi0 = Avx.ConvertToVector256Double(Sse.LoadVector128(w + i + 4));
            Vector256<double> lo1 = Avx.ConvertToVector256Double(Sse.LoadVector128(w1 + i));
            Vector256<double> hi1 = Avx.ConvertToVector256Double(Sse.LoadVector128(w1 + i + 4));
            Vector256<double> c = Avx.LoadVector256(x + i);
            a00 = Vector256.FusedMultiplyAdd(lo0, c, a00);
            a10 = Vector256.FusedMultiplyAdd(lo1, c, a10);
            c = Avx.LoadVector256(x + i + 4);
            b00 = Vector256.FusedMultiplyAdd(hi0, c, b00);
            b10 = Vector256.FusedMultiplyAdd(hi1, c, b10);
            c = Avx.LoadVector256(x1 + i);
            a01 = Vector256.FusedMultiplyAdd(lo0, c, a01);
            a11 = Vector256.FusedMultiplyAdd(lo1, c, a11);
            c = Avx.LoadVector256(x1 + i + 4);
            b01 = Vector256.FusedMultiplyAdd(hi0, c, b01);
            b11 = Vector256.FusedMultiplyAdd(hi1, c, b11);
            c = Avx.LoadVector256(x2 + i);
            a02 = Vector256.FusedMultiplyAdd(lo0, c, a02);
            a12 = Vector256.FusedMultiplyAdd(lo1, c, a12);
            c = Avx.LoadVector256(x2 + i + 4);
            b02 = Vector256.FusedMultiplyAdd(hi0, c, b02);
            b12 = Vector256.FusedMultiplyAdd(hi1, c, b12);
        }

        s0[0] = a00; s0[1] = b00; s0[2] = a01; s0[3] = b01; s0[4] = a02; s0[5] = b02;
        s1[0] = a10; s1[1] = b10; s1[2] = a11; s1[3] = b11; s1[4] = a12; s1[5] = b12;
    }

    /// <summary>One filter row against one column over k in [from, to), in <see cref="Dot"/>'s order.</summary>
    private static unsafe void Pass1x1(float* w, double* x, Vector256<double>* state, int from, int to)
    {
        Vector256<double> a = state[0], b = state[1];
        for (int i = from; i < to; i += 8)
        {
            a = Vector256.FusedMultiplyAdd(Avx.ConvertToVector256Double(Sse.LoadVector128(w + i)), Avx.LoadVector256(x + i), a);
            b = Vector256.FusedMultiplyAdd(Avx.ConvertToVector256Double(Sse.LoadVector128(w + i + 4)), Avx.LoadVector256(x + i + 4), b);
        }

        state[0] = a;
        state[1] = b;
    }

    /// <summary>Σ a[i]·b[i] in double (float32 weights widened exactly) with a fixed summation order.</summary>
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<double> b)
    {
        int i = 0;
        double total = 0;
        if (Avx.IsSupported && a.Length >= 8)
        {
            ref float pa = ref MemoryMarshal.GetReference(a);
            ref double pb = ref MemoryMarshal.GetReference(b);
            Vector256<double> acc0 = Vector256<double>.Zero;
            Vector256<double> acc1 = Vector256<double>.Zero;
            for (; i <= a.Length - 8; i += 8)
            {
                Vector256<float> weights = Vector256.LoadUnsafe(ref pa, (nuint)i);
                acc0 = Vector256.FusedMultiplyAdd(Avx.ConvertToVector256Double(weights.GetLower()), Vector256.LoadUnsafe(ref pb, (nuint)i), acc0);
                acc1 = Vector256.FusedMultiplyAdd(Avx.ConvertToVector256Double(weights.GetUpper()), Vector256.LoadUnsafe(ref pb, (nuint)(i + 4)), acc1);
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

    /// <summary>One thread's buffers: a tile's im2col columns and the accumulators of its filters × columns.</summary>
    private sealed class Scratch(int k, int filters)
    {
        public double[] Columns { get; } = new double[ColumnsPerTile * k];

        public Vector256<double>[] State { get; } = new Vector256<double>[filters * ColumnsPerTile * 2];
    }
}
