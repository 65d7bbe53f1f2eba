using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using AccelSim.Workloads;

namespace AccelSim.Numerics;

/// <summary>The float reference: the same convolution in double precision from the float32 weights.</summary>
/// <remarks>Each output is summed in a fixed order whatever the thread count, tiling or CPU: for K ≥ 8, two vector
/// accumulators of four lanes take the products of each run of eight k (lanes of the first half, lanes of the second)
/// by fused multiply-add; their sum's four lanes are added in order, then the tail k one by one (multiply, then add).
/// For K &lt; 8, all k one by one. The two accumulators are the halves of one eight-lane accumulator, so where 512-bit
/// vectors run in hardware one Vector512 fused multiply-add does both halves' work with the same bits. Without 256-bit
/// vectors (or in a build compiled ahead of time for a baseline CPU) the same Vector256 operations run in software,
/// fused multiply-adds included, and give the same bits. <see cref="Dot"/> is that sum for one output.</remarks>
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

    /// <summary>The kernel the CPU runs fastest: eight-lane vectors where they run in hardware.</summary>
    internal static ReferenceKernel FastestKernel =>
        Vector512.IsHardwareAccelerated ? ReferenceKernel.Vector512 : ReferenceKernel.Vector256;

    public static double[] Convolve(ConvShape g, ReadOnlySpan<double> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int maxDegreeOfParallelism) =>
        Convolve(g, input.ToArray(), weights.ToArray(), bias.ToArray(), maxDegreeOfParallelism);

    /// <summary>The reference convolution reading the arrays themselves (a large layer's weights are not copied).</summary>
    public static double[] Convolve(ConvShape g, double[] input, float[] weights, float[] bias, int maxDegreeOfParallelism) =>
        Convolve(g, input, weights, bias, maxDegreeOfParallelism, FastestKernel);

    /// <summary>The reference convolution through <paramref name="kernel"/> (every kernel gives the same bits; one
    /// whose vectors the CPU lacks runs in software).</summary>
    internal static unsafe double[] Convolve(ConvShape g, double[] input, float[] weights, float[] bias, int maxDegreeOfParallelism, ReferenceKernel kernel)
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
        int vectorEnd = k >= 8 ? k - (k % 8) : 0;
        var layout = new Layout(g);
        int columns = g.Batch * layout.PixelsPerItem;
        int tilesPerGroup = (columns + ColumnsPerTile - 1) / ColumnsPerTile;
        int threads = Math.Max(1, maxDegreeOfParallelism);
        int filtersPerItem = (long)g.Groups * tilesPerGroup >= 4L * threads ? g.GroupFilters : Math.Min(g.GroupFilters, FiltersPerItem);
        int filterRuns = (g.GroupFilters + filtersPerItem - 1) / filtersPerItem;
        Parallel.For(0, g.Groups * tilesPerGroup * filterRuns, new ParallelOptions { MaxDegreeOfParallelism = threads },
            () => new Scratch(k, filtersPerItem, Math.Min(ColumnsPerTile, columns)),
            (item, _, scratch) =>
            {
                int run = item % filterRuns;
                int tile = item / filterRuns;
                int group = tile / tilesPerGroup;
                int first = (tile % tilesPerGroup) * ColumnsPerTile;
                int count = Math.Min(ColumnsPerTile, columns - first);
                int firstFilter = (group * g.GroupFilters) + (run * filtersPerItem);
                int filters = Math.Min(filtersPerItem, ((group + 1) * g.GroupFilters) - firstFilter);
                fixed (float* w = &weights[firstFilter * (long)k])
                fixed (double* source = input)
                {
                    Im2ColTile(layout, source, group, first, count, scratch.Columns, scratch.ColumnStride);
                    double* x = scratch.Columns;
                    int columnStride = scratch.ColumnStride;
                    Vector256<double>* state = scratch.State;
                    new Span<Vector256<double>>(state, filters * ColumnsPerTile * 2).Clear();
                    if (kernel == ReferenceKernel.Vector512)
                    {
                        Passes512(w, k, x, columnStride, (Vector512<double>*)state, filters, count, vectorEnd);
                    }
                    else
                    {
                        Passes256(w, k, x, columnStride, state, filters, count, vectorEnd);
                    }

                    // Where each column's outputs go: output (item, m, pixel) is at (item·M + m)·P + pixel.
                    long* columnBase = stackalloc long[ColumnsPerTile];
                    for (int c = 0; c < count; c++)
                    {
                        int n = first + c;
                        int pixel = n % layout.PixelsPerItem;
                        columnBase[c] = ((long)(n - pixel) * g.OutChannels) + pixel;
                    }

                    fixed (double* o = output)
                    {
                        for (int f = 0; f < filters; f++)
                        {
                            int m = firstFilter + f;
                            double b = bias.Length == 0 ? 0 : bias[m];
                            float* row = w + ((long)f * k);
                            long filterBase = (long)m * layout.PixelsPerItem;
                            for (int c = 0; c < count; c++)
                            {
                                Vector256<double> acc = state[((f * ColumnsPerTile) + c) * 2] + state[(((f * ColumnsPerTile) + c) * 2) + 1];
                                double total = vectorEnd > 0 ? acc[0] + acc[1] + acc[2] + acc[3] : 0;
                                double* column = x + ((long)c * columnStride);
                                for (int i = vectorEnd; i < k; i++)
                                {
                                    total += (double)row[i] * column[i];
                                }

                                o[columnBase[c] + filterBase] = total + b;
                            }
                        }
                    }
                }

                return scratch;
            },
            _ => { });
        return output;
    }

    /// <summary>The im2col columns of output pixels [first, first + count) of <paramref name="group"/>, each at
    /// <paramref name="columnStride"/> from the last: the values <see cref="Im2col.Im2Col"/> gives, in its K order, read
    /// through pointers with the window's rows checked once.</summary>
    private static unsafe void Im2ColTile(Layout s, double* input, int group, int first, int count, double* columns, int columnStride)
    {
        long planeLength = (long)s.InHeight * s.InWidth;
        for (int c = 0; c < count; c++)
        {
            int n = first + c;
            int item = n / s.PixelsPerItem;
            int pixel = n - (item * s.PixelsPerItem);
            int oh = pixel / s.OutWidth;
            int ow = pixel - (oh * s.OutWidth);
            int iw0 = (ow * s.StrideWidth) - s.PadLeft;
            bool columnsInside = iw0 >= 0 && iw0 + ((s.KernelWidth - 1) * s.DilationWidth) < s.InWidth;
            double* column = columns + ((long)c * columnStride);
            double* plane = input + ((((long)item * s.InChannels) + ((long)group * s.GroupInChannels)) * planeLength);
            for (int channel = 0; channel < s.GroupInChannels; channel++, plane += planeLength)
            {
                for (int r = 0; r < s.KernelHeight; r++)
                {
                    int ih = (oh * s.StrideHeight) - s.PadTop + (r * s.DilationHeight);
                    if ((uint)ih >= (uint)s.InHeight)
                    {
                        for (int t = 0; t < s.KernelWidth; t++)
                        {
                            *column++ = 0;
                        }
                    }
                    else if (columnsInside)
                    {
                        double* row = plane + ((long)ih * s.InWidth) + iw0;
                        for (int t = 0; t < s.KernelWidth; t++)
                        {
                            *column++ = row[t * s.DilationWidth];
                        }
                    }
                    else
                    {
                        double* row = plane + ((long)ih * s.InWidth);
                        for (int t = 0; t < s.KernelWidth; t++)
                        {
                            int iw = iw0 + (t * s.DilationWidth);
                            *column++ = (uint)iw < (uint)s.InWidth ? row[iw] : 0;
                        }
                    }
                }
            }
        }
    }

    /// <summary>A layer's dimensions as fields, read once (the shape computes some of them on each call).</summary>
    private readonly struct Layout(ConvShape g)
    {
        public readonly int InChannels = g.InChannels;
        public readonly int InHeight = g.InHeight;
        public readonly int InWidth = g.InWidth;
        public readonly int GroupInChannels = g.GroupInChannels;
        public readonly int KernelHeight = g.KernelHeight;
        public readonly int KernelWidth = g.KernelWidth;
        public readonly int StrideHeight = g.StrideHeight;
        public readonly int StrideWidth = g.StrideWidth;
        public readonly int PadTop = g.PadTop;
        public readonly int PadLeft = g.PadLeft;
        public readonly int DilationHeight = g.DilationHeight;
        public readonly int DilationWidth = g.DilationWidth;
        public readonly int OutWidth = g.OutWidth;
        public readonly int PixelsPerItem = g.PixelsPerItem;
    }

    /// <summary>Every pass of a tile through the four-lane kernels: blocks of 2 filters × 3 columns, the rest one by one.</summary>
    private static unsafe void Passes256(float* w, int k, double* x, int columnStride, Vector256<double>* state, int filters, int count, int vectorEnd)
    {
        for (int from = 0; from < vectorEnd; from += KPerPass)
        {
            int to = Math.Min(from + KPerPass, vectorEnd);
            int f = 0;
            for (; f + 2 <= filters; f += 2)
            {
                int c = 0;
                for (; c + 3 <= count; c += 3)
                {
                    Pass2x3(w + ((long)f * k), k, x + ((long)c * columnStride), columnStride, state + (((f * ColumnsPerTile) + c) * 2), ColumnsPerTile * 2, from, to);
                }

                for (; c < count; c++)
                {
                    Pass1x1(w + ((long)f * k), x + ((long)c * columnStride), state + (((f * ColumnsPerTile) + c) * 2), from, to);
                    Pass1x1(w + ((long)(f + 1) * k), x + ((long)c * columnStride), state + ((((f + 1) * ColumnsPerTile) + c) * 2), from, to);
                }
            }

            for (; f < filters; f++)
            {
                for (int c = 0; c < count; c++)
                {
                    Pass1x1(w + ((long)f * k), x + ((long)c * columnStride), state + (((f * ColumnsPerTile) + c) * 2), from, to);
                }
            }
        }
    }

    /// <summary>Every pass of a tile through the eight-lane kernels: for each 4 columns, every 4 filters (the columns'
    /// run stays in the first-level cache while the filter rows stream past it), then 4 filters × 1 column for the
    /// columns left, then the filters left one by one.</summary>
    private static unsafe void Passes512(float* w, int k, double* x, int columnStride, Vector512<double>* state, int filters, int count, int vectorEnd)
    {
        int blockFilters = filters - (filters % 4);
        int blockColumns = count - (count % 4);
        for (int from = 0; from < vectorEnd; from += KPerPass)
        {
            int to = Math.Min(from + KPerPass, vectorEnd);
            for (int c = 0; c < blockColumns; c += 4)
            {
                for (int f = 0; f < blockFilters; f += 4)
                {
                    Pass4x4(w + ((long)f * k), k, x + ((long)c * columnStride), columnStride, state + ((f * ColumnsPerTile) + c), ColumnsPerTile, from, to);
                }
            }

            for (int f = 0; f < blockFilters; f += 4)
            {
                for (int c = blockColumns; c < count; c++)
                {
                    Pass4x1(w + ((long)f * k), k, x + ((long)c * columnStride), state + ((f * ColumnsPerTile) + c), ColumnsPerTile, from, to);
                }
            }

            for (int f = blockFilters; f < filters; f++)
            {
                for (int c = 0; c < count; c++)
                {
                    Pass1x1(w + ((long)f * k), x + ((long)c * columnStride), state + ((f * ColumnsPerTile) + c), from, to);
                }
            }
        }
    }

    /// <summary>Eight float32 weights widened exactly to one eight-lane double vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<double> Widen8(float* w) => Vector512.WidenLower(Vector256.Load(w).ToVector512Unsafe());

    /// <summary>Four filter rows against four columns over k in [from, to): each of the sixteen outputs' eight-lane
    /// accumulator (its two four-lane accumulators side by side) takes its fused multiply-adds in k order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Pass4x4(float* w, int k, double* x, int columnStride, Vector512<double>* state, int filterStride, int from, int to)
    {
        Vector512<double>* s0 = state;
        Vector512<double>* s1 = s0 + filterStride;
        Vector512<double>* s2 = s1 + filterStride;
        Vector512<double>* s3 = s2 + filterStride;
        Vector512<double> a00 = s0[0], a01 = s0[1], a02 = s0[2], a03 = s0[3];
        Vector512<double> a10 = s1[0], a11 = s1[1], a12 = s1[2], a13 = s1[3];
        Vector512<double> a20 = s2[0], a21 = s2[1], a22 = s2[2], a23 = s2[3];
        Vector512<double> a30 = s3[0], a31 = s3[1], a32 = s3[2], a33 = s3[3];
        float* w1 = w + k;
        float* w2 = w1 + k;
        float* w3 = w2 + k;
        double* x1 = x + columnStride;
        double* x2 = x1 + columnStride;
        double* x3 = x2 + columnStride;
        for (int i = from; i < to; i += 8)
        {
            Vector512<double> r0 = Widen8(w + i);
            Vector512<double> r1 = Widen8(w1 + i);
            Vector512<double> r2 = Widen8(w2 + i);
            Vector512<double> r3 = Widen8(w3 + i);
            Vector512<double> c = Vector512.Load(x + i);
            a00 = Vector512.FusedMultiplyAdd(r0, c, a00);
            a10 = Vector512.FusedMultiplyAdd(r1, c, a10);
            a20 = Vector512.FusedMultiplyAdd(r2, c, a20);
            a30 = Vector512.FusedMultiplyAdd(r3, c, a30);
            c = Vector512.Load(x1 + i);
            a01 = Vector512.FusedMultiplyAdd(r0, c, a01);
            a11 = Vector512.FusedMultiplyAdd(r1, c, a11);
            a21 = Vector512.FusedMultiplyAdd(r2, c, a21);
            a31 = Vector512.FusedMultiplyAdd(r3, c, a31);
            c = Vector512.Load(x2 + i);
            a02 = Vector512.FusedMultiplyAdd(r0, c, a02);
            a12 = Vector512.FusedMultiplyAdd(r1, c, a12);
            a22 = Vector512.FusedMultiplyAdd(r2, c, a22);
            a32 = Vector512.FusedMultiplyAdd(r3, c, a32);
            c = Vector512.Load(x3 + i);
            a03 = Vector512.FusedMultiplyAdd(r0, c, a03);
            a13 = Vector512.FusedMultiplyAdd(r1, c, a13);
            a23 = Vector512.FusedMultiplyAdd(r2, c, a23);
            a33 = Vector512.FusedMultiplyAdd(r3, c, a33);
        }

        s0[0] = a00; s0[1] = a01; s0[2] = a02; s0[3] = a03;
        s1[0] = a10; s1[1] = a11; s1[2] = a12; s1[3] = a13;
        s2[0] = a20; s2[1] = a21; s2[2] = a22; s2[3] = a23;
        s3[0] = a30; s3[1] = a31; s3[2] = a32; s3[3] = a33;
    }

    /// <summary>Four filter rows against one column over k in [from, to): a column run is loaded once for four rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Pass4x1(float* w, int k, double* x, Vector512<double>* state, int filterStride, int from, int to)
    {
        Vector512<double> a0 = state[0], a1 = state[filterStride], a2 = state[2 * filterStride], a3 = state[3 * filterStride];
        float* w1 = w + k;
        float* w2 = w1 + k;
        float* w3 = w2 + k;
        for (int i = from; i < to; i += 8)
        {
            Vector512<double> c = Vector512.Load(x + i);
            a0 = Vector512.FusedMultiplyAdd(Widen8(w + i), c, a0);
            a1 = Vector512.FusedMultiplyAdd(Widen8(w1 + i), c, a1);
            a2 = Vector512.FusedMultiplyAdd(Widen8(w2 + i), c, a2);
            a3 = Vector512.FusedMultiplyAdd(Widen8(w3 + i), c, a3);
        }

        state[0] = a0;
        state[filterStride] = a1;
        state[2 * filterStride] = a2;
        state[3 * filterStride] = a3;
    }

    /// <summary>One filter row against one column over k in [from, to), eight lanes at a time.</summary>
    private static unsafe void Pass1x1(float* w, double* x, Vector512<double>* state, int from, int to)
    {
        Vector512<double> a = state[0];
        for (int i = from; i < to; i += 8)
        {
            a = Vector512.FusedMultiplyAdd(Widen8(w + i), Vector512.Load(x + i), a);
        }

        state[0] = a;
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
            Vector256<double> lo0 = Vector256.WidenLower(Vector256.Load(w + i));
            Vector256<double> hi0 = Vector256.WidenUpper(Vector256.Load(w + i));
            Vector256<double> lo1 = Vector256.WidenLower(Vector256.Load(w1 + i));
            Vector256<double> hi1 = Vector256.WidenUpper(Vector256.Load(w1 + i));
            Vector256<double> c = Vector256.Load(x + i);
            a00 = Vector256.FusedMultiplyAdd(lo0, c, a00);
            a10 = Vector256.FusedMultiplyAdd(lo1, c, a10);
            c = Vector256.Load(x + i + 4);
            b00 = Vector256.FusedMultiplyAdd(hi0, c, b00);
            b10 = Vector256.FusedMultiplyAdd(hi1, c, b10);
            c = Vector256.Load(x1 + i);
            a01 = Vector256.FusedMultiplyAdd(lo0, c, a01);
            a11 = Vector256.FusedMultiplyAdd(lo1, c, a11);
            c = Vector256.Load(x1 + i + 4);
            b01 = Vector256.FusedMultiplyAdd(hi0, c, b01);
            b11 = Vector256.FusedMultiplyAdd(hi1, c, b11);
            c = Vector256.Load(x2 + i);
            a02 = Vector256.FusedMultiplyAdd(lo0, c, a02);
            a12 = Vector256.FusedMultiplyAdd(lo1, c, a12);
            c = Vector256.Load(x2 + i + 4);
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
            a = Vector256.FusedMultiplyAdd(Vector256.WidenLower(Vector256.Load(w + i)), Vector256.Load(x + i), a);
            b = Vector256.FusedMultiplyAdd(Vector256.WidenUpper(Vector256.Load(w + i)), Vector256.Load(x + i + 4), b);
        }

        state[0] = a;
        state[1] = b;
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

    /// <summary>One thread's buffers: a tile's im2col columns (no more than the layer has: an FC layer at batch 1 has
    /// one) and the accumulators of its filters × columns, pinned and aligned to 64 bytes with each column starting on
    /// a 64-byte boundary (an eight-lane load stays in one cache line). They are not cleared on allocation: every
    /// column is written before it is read, and the accumulators are cleared per item.</summary>
    private sealed unsafe class Scratch
    {
        private readonly double[] _columns;
        private readonly Vector256<double>[] _state;

        public Scratch(int k, int filters, int columns)
        {
            ColumnStride = ((k + 7) / 8) * 8;
            _columns = GC.AllocateUninitializedArray<double>((columns * ColumnStride) + 8, pinned: true);
            _state = GC.AllocateUninitializedArray<Vector256<double>>((filters * ColumnsPerTile * 2) + 2, pinned: true);
            Columns = (double*)Align(Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_columns)));
            State = (Vector256<double>*)Align(Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_state)));
        }

        /// <summary>Doubles from one column's start to the next's (K rounded up to a multiple of 8).</summary>
        public int ColumnStride { get; }

        public double* Columns { get; }

        public Vector256<double>* State { get; }

        private static void* Align(void* p) => (void*)(((nuint)p + 63) & ~(nuint)63);
    }
}

/// <summary>The vector kernels of the reference: each gives the same bits, in hardware or in software.</summary>
internal enum ReferenceKernel
{
    /// <summary>Two four-lane accumulators per output, in blocks of 2 filters × 3 columns.</summary>
    Vector256,

    /// <summary>One eight-lane accumulator per output (the two four-lane ones side by side), in blocks of 4 filters ×
    /// 4 columns.</summary>
    Vector512,
}
