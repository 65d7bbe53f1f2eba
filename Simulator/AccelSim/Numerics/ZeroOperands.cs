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

        long totalMacs = (long)g.Batch * g.OutChannels * g.PixelsPerItem * k;
        long bothNonZero = 0;
        long[] filtersNonZero = new long[k];
        float[] column = new float[k];
        for (int group = 0; group < g.Groups; group++)
        {
            CountFilters(g, group, weightIsNonZero, filtersNonZero);

            for (int item = 0; item < g.Batch; item++)
            {
                for (int oh = 0; oh < g.OutHeight; oh++)
                {
                    for (int ow = 0; ow < g.OutWidth; ow++)
                    {
                        g.Im2Col(input, item, group, oh, ow, column);
                        for (int j = 0; j < k; j++)
                        {
                            bothNonZero += column[j] != 0 ? filtersNonZero[j] : 0;
                        }
                    }
                }
            }
        }

        return totalMacs - bothNonZero;
    }

    /// <summary>The same count from operands already laid out as im2col columns, [Groups, Batch·Pixels, Reduction].</summary>
    public static long CountColumns(ConvShape g, ReadOnlySpan<int> columns, ReadOnlySpan<bool> weightIsNonZero)
    {
        int k = g.Reduction;
        long columnsPerGroup = (long)g.Batch * g.PixelsPerItem;
        if (columns.Length != g.Groups * columnsPerGroup * k)
        {
            throw new ArgumentException($"expected {g.Groups * columnsPerGroup * k} column values, got {columns.Length}", nameof(columns));
        }

        long totalMacs = (long)g.Batch * g.OutChannels * g.PixelsPerItem * k;
        long bothNonZero = 0;
        long[] filtersNonZero = new long[k];
        for (int group = 0; group < g.Groups; group++)
        {
            CountFilters(g, group, weightIsNonZero, filtersNonZero);

            for (long column = 0; column < columnsPerGroup; column++)
            {
                ReadOnlySpan<int> values = columns.Slice((int)(((group * columnsPerGroup) + column) * k), k);
                for (int j = 0; j < k; j++)
                {
                    bothNonZero += values[j] != 0 ? filtersNonZero[j] : 0;
                }
            }
        }

        return totalMacs - bothNonZero;
    }

    /// <summary>n(g, k): how many of the group's filters have a non-zero weight at each k.</summary>
    private static void CountFilters(ConvShape g, int group, ReadOnlySpan<bool> weightIsNonZero, long[] filtersNonZero)
    {
        int k = g.Reduction;
        Array.Clear(filtersNonZero);
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
