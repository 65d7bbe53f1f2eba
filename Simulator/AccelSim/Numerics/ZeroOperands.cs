using AccelSim.Workloads;

namespace AccelSim.Numerics;

/// <summary>Counts the MACs of a convolution one of whose operands is zero: what a zero-gating PE saves.</summary>
/// <remarks>
/// For group g and reduction index k let n(g, k) be the number of the group's filters whose weight at k is non-zero. The
/// MACs with both operands non-zero are Σ over items, groups, output pixels and k of [input(k) ≠ 0]·n(g, k), so the
/// count costs one pass over the im2col columns (pixels × K), not over all MACs (pixels × K × M). Padding is a zero input.
/// </remarks>
public static class ZeroOperands
{
    /// <param name="weightIsNonZero">Per filter and k ([OutChannels, Reduction]): whether the weight the PE sees is non-zero.</param>
    public static long Count(ConvShape g, ReadOnlySpan<float> input, ReadOnlySpan<bool> weightIsNonZero)
    {
        int k = g.Reduction;
        if (weightIsNonZero.Length != (long)g.OutChannels * k)
        {
            throw new ArgumentException($"expected {(long)g.OutChannels * k} weight flags, got {weightIsNonZero.Length}", nameof(weightIsNonZero));
        }

        var filtersNonZero = new long[g.Groups * k];
        for (int group = 0; group < g.Groups; group++)
        {
            CountFilters(g, group, weightIsNonZero, filtersNonZero.AsSpan(group * k, k));
        }

        return CountTensor(g, input.ToArray(), filtersNonZero, 1);
    }

    /// <summary>n(g, k) for every group, [Groups, Reduction], from the weights' mantissas or codes ([OutChannels,
    /// Reduction]; zero is a zero weight).</summary>
    public static long[] FilterCounts<T>(ConvShape g, T[] weights, int maxDegreeOfParallelism)
        where T : unmanaged, IEquatable<T>
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(weights);
        int k = g.Reduction;
        if (weights.Length != (long)g.OutChannels * k)
        {
            throw new ArgumentException($"expected {(long)g.OutChannels * k} weights, got {weights.Length}", nameof(weights));
        }

        return CountRows(g, weights, k, maxDegreeOfParallelism);
    }

    /// <summary>n(g, k) over rows of <paramref name="rowLength"/> values (K and any padding after it), [Groups, rowLength].</summary>
    private static long[] CountRows<T>(ConvShape g, T[] values, int rowLength, int maxDegreeOfParallelism)
        where T : unmanaged, IEquatable<T>
    {
        int k = rowLength;
        var counts = new long[g.Groups * k];
        var gate = new object();
        // Integer counts add in any order: each thread counts a run of filters, the runs are added under a lock. Packed
        // bytes count a vector at a time into one byte per K index, so a run is at most 255 filters (no count wraps).
        bool bytes = typeof(T) == typeof(sbyte);
        int filtersPerRun = bytes ? 255 : 64;
        int runsPerGroup = (g.GroupFilters + filtersPerRun - 1) / filtersPerRun;
        Parallel.For(0, g.Groups * runsPerGroup, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxDegreeOfParallelism) }, run =>
        {
            int group = run / runsPerGroup;
            int first = (group * g.GroupFilters) + ((run % runsPerGroup) * filtersPerRun);
            int last = Math.Min(first + filtersPerRun, (group + 1) * g.GroupFilters);
            var local = new long[k];
            if (bytes)
            {
                CountByteRun((sbyte[])(object)values, k, first, last, local);
            }
            else
            {
                for (int m = first; m < last; m++)
                {
                    ReadOnlySpan<T> row = values.AsSpan(m * k, k);
                    for (int j = 0; j < k; j++)
                    {
                        local[j] += row[j].Equals(default) ? 0 : 1;
                    }
                }
            }

            lock (gate)
            {
                Span<long> target = counts.AsSpan(group * k, k);
                for (int j = 0; j < k; j++)
                {
                    target[j] += local[j];
                }
            }
        });
        return counts;
    }

    /// <summary>Non-zero bytes of rows [first, last) (at most 255) per K index, counted a vector at a time.</summary>
    private static void CountByteRun(sbyte[] values, int k, int first, int last, long[] counts)
    {
        var local = new byte[k];
        int width = System.Numerics.Vector<byte>.Count;
        var one = System.Numerics.Vector<byte>.One;
        for (int m = first; m < last; m++)
        {
            ReadOnlySpan<byte> row = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan(m * k, k));
            int j = 0;
            for (; j + width <= k; j += width)
            {
                var zero = System.Numerics.Vector.Equals(new System.Numerics.Vector<byte>(row[j..]), System.Numerics.Vector<byte>.Zero);
                (new System.Numerics.Vector<byte>(local.AsSpan(j)) + System.Numerics.Vector.AndNot(one, zero)).CopyTo(local.AsSpan(j));
            }

            for (; j < k; j++)
            {
                local[j] += (byte)(row[j] == 0 ? 0 : 1);
            }
        }

        for (int j = 0; j < k; j++)
        {
            counts[j] = local[j];
        }
    }

    /// <summary><see cref="FilterCounts"/> from the mantissas as <see cref="IntegerGemm.PackWeights"/> packed them: rows
    /// of the padded length, K in the packed order of a kernel window of <paramref name="window"/> positions.</summary>
    internal static long[] PackedFilterCounts(ConvShape g, sbyte[] bytes, int window, int maxDegreeOfParallelism)
    {
        int k = g.Reduction;
        int padded = IntegerGemm.PaddedLength(k);
        // The padding is zero weights, so counting whole padded rows changes no count of a real K index.
        long[] packedCounts = CountRows(g, bytes, padded, maxDegreeOfParallelism);
        var counts = new long[g.Groups * k];
        int channels = k / window;
        for (int group = 0; group < g.Groups; group++)
        {
            for (int j = 0; j < k; j++)
            {
                counts[(group * k) + j] = packedCounts[(group * padded) + IntegerGemm.PackedIndex(j, channels, window)];
            }
        }

        return counts;
    }

    /// <summary>The count for an NCHW input tensor (zero is a zero input) and n(g, k) from <see cref="FilterCounts"/>.</summary>
    /// <remarks>Summed per input channel and kernel tap instead of per output pixel: the pixels whose tap (r, s) reads a
    /// non-zero input of row ih are counted from that row's running count of non-zeros (a range of columns at stride
    /// 1, one by one otherwise). Counts are integers, so the parallel sum is exact in any order.</remarks>
    public static long CountTensor<T>(ConvShape g, T[] input, long[] filtersNonZero, int maxDegreeOfParallelism)
        where T : unmanaged, IEquatable<T>
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(filtersNonZero);
        int k = g.Reduction;
        if (input.Length != g.InputLength || filtersNonZero.Length != (long)g.Groups * k)
        {
            throw new ArgumentException($"expected {g.InputLength} inputs and {(long)g.Groups * k} filter counts, got {input.Length} and {filtersNonZero.Length}");
        }

        long totalMacs = (long)g.Batch * g.OutChannels * g.PixelsPerItem * k;
        T[] values = input;
        long bothNonZero = 0;
        var gate = new object();
        int planes = g.Batch * g.InChannels;
        int height = g.InHeight;
        int width = g.InWidth;
        int taps = g.KernelHeight * g.KernelWidth;
        Parallel.For(0, planes, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxDegreeOfParallelism) }, () => (0L, new int[height * (width + 1)]), (plane, _, state) =>
        {
            (long sum, int[] running) = state;
            int channel = plane % g.InChannels;
            int group = channel / g.GroupInChannels;
            ReadOnlySpan<long> n = filtersNonZero.AsSpan((group * k) + ((channel % g.GroupInChannels) * taps), taps);
            ReadOnlySpan<T> planeValues = values.AsSpan(plane * height * width, height * width);
            // running[ih, iw] = non-zeros of row ih left of column iw.
            for (int ih = 0; ih < height; ih++)
            {
                int total = 0;
                running[ih * (width + 1)] = 0;
                for (int iw = 0; iw < width; iw++)
                {
                    total += planeValues[(ih * width) + iw].Equals(default) ? 0 : 1;
                    running[(ih * (width + 1)) + iw + 1] = total;
                }
            }

            for (int r = 0; r < g.KernelHeight; r++)
            {
                for (int s = 0; s < g.KernelWidth; s++)
                {
                    long filters = n[(r * g.KernelWidth) + s];
                    if (filters == 0)
                    {
                        continue;
                    }

                    int offset = (s * g.DilationWidth) - g.PadLeft;
                    long pixels = 0;
                    for (int oh = 0; oh < g.OutHeight; oh++)
                    {
                        int ih = (oh * g.StrideHeight) - g.PadTop + (r * g.DilationHeight);
                        if (ih < 0 || ih >= height)
                        {
                            continue;
                        }

                        int rowStart = ih * (width + 1);
                        if (g.StrideWidth == 1)
                        {
                            // Output columns ow read iw = ow + offset; those inside the row are one range.
                            int first = Math.Max(0, offset);
                            int last = Math.Min(width, g.OutWidth + offset);
                            pixels += last > first ? running[rowStart + last] - running[rowStart + first] : 0;
                        }
                        else
                        {
                            for (int ow = 0; ow < g.OutWidth; ow++)
                            {
                                int iw = (ow * g.StrideWidth) + offset;
                                pixels += iw >= 0 && iw < width ? running[rowStart + iw + 1] - running[rowStart + iw] : 0;
                            }
                        }
                    }

                    sum += pixels * filters;
                }
            }

            return (sum, running);
        },
        state =>
        {
            lock (gate)
            {
                bothNonZero += state.Item1;
            }
        });

        return totalMacs - bothNonZero;
    }

    /// <summary>The same count from operands already laid out as im2col columns, [Groups, Batch·Pixels, Reduction].</summary>
    public static long CountColumns(ConvShape g, ReadOnlySpan<int> columns, ReadOnlySpan<bool> weightIsNonZero)
    {
        int k = g.Reduction;
        var filtersNonZero = new long[g.Groups * k];
        for (int group = 0; group < g.Groups; group++)
        {
            CountFilters(g, group, weightIsNonZero, filtersNonZero.AsSpan(group * k, k));
        }

        return CountColumns(g, columns.ToArray(), filtersNonZero, 1);
    }

    /// <summary>The count from im2col columns and n(g, k) from <see cref="FilterCounts"/>; columns are counted in
    /// parallel runs whose integer sums add exactly in any order.</summary>
    public static long CountColumns(ConvShape g, int[] columns, long[] filtersNonZero, int maxDegreeOfParallelism)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(filtersNonZero);
        int k = g.Reduction;
        long columnsPerGroup = (long)g.Batch * g.PixelsPerItem;
        if (columns.Length != g.Groups * columnsPerGroup * k)
        {
            throw new ArgumentException($"expected {g.Groups * columnsPerGroup * k} column values, got {columns.Length}", nameof(columns));
        }

        long totalMacs = (long)g.Batch * g.OutChannels * g.PixelsPerItem * k;
        long bothNonZero = 0;
        int[] values = columns;
        var gate = new object();
        long allColumns = g.Groups * columnsPerGroup;
        Parallel.For(0, (int)allColumns, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxDegreeOfParallelism) }, () => 0L, (column, _, sum) =>
        {
            int group = (int)(column / columnsPerGroup);
            ReadOnlySpan<int> operands = values.AsSpan((int)((long)column * k), k);
            ReadOnlySpan<long> n = filtersNonZero.AsSpan(group * k, k);
            for (int j = 0; j < k; j++)
            {
                sum += operands[j] != 0 ? n[j] : 0;
            }

            return sum;
        },
        sum =>
        {
            lock (gate)
            {
                bothNonZero += sum;
            }
        });

        return totalMacs - bothNonZero;
    }

    /// <summary>n(g, k): how many of the group's filters have a non-zero weight at each k.</summary>
    private static void CountFilters(ConvShape g, int group, ReadOnlySpan<bool> weightIsNonZero, Span<long> filtersNonZero)
    {
        int k = g.Reduction;
        filtersNonZero.Clear();
        for (int m = group * g.GroupFilters; m < (group + 1) * g.GroupFilters; m++)
        {
            ReadOnlySpan<bool> row = weightIsNonZero.Slice(m * k, k);
            for (int j = 0; j < k; j++)
            {
                filtersNonZero[j] += row[j] ? 1 : 0;
            }
        }
    }
}
