using System.Numerics;

namespace AccelSim.Workloads;

/// <summary>Which weights of a conv or FC layer are non-zero as the PEs see them, as a bit matrix [filters, K].</summary>
/// <remarks>
/// Rows are padded to whole 64-bit words so that a tile (a range of filters by a range of K) is counted a word at a time.
/// Built once per layer when the hardware stores weights sparsely or skips zero weights; immutable after that.
/// </remarks>
public sealed class WeightMask
{
    private readonly ulong[] _bits;
    private readonly int _wordsPerRow;

    public WeightMask(int filters, long reduction, Func<int, long, bool> isNonZero)
    {
        ArgumentNullException.ThrowIfNull(isNonZero);
        Filters = filters;
        Reduction = reduction;
        _wordsPerRow = checked((int)((reduction + 63) / 64));
        _bits = new ulong[checked((long)filters * _wordsPerRow)];
        long nonZero = 0;
        for (int m = 0; m < filters; m++)
        {
            for (long k = 0; k < reduction; k++)
            {
                if (isNonZero(m, k))
                {
                    _bits[((long)m * _wordsPerRow) + (k >> 6)] |= 1UL << (int)(k & 63);
                    nonZero++;
                }
            }
        }

        NonZeroCount = nonZero;
    }

    public int Filters { get; }

    public long Reduction { get; }

    public long NonZeroCount { get; }

    /// <summary>Fraction of weights that are non-zero, 0..1.</summary>
    public double Density => Filters == 0 || Reduction == 0 ? 0 : (double)NonZeroCount / ((double)Filters * Reduction);

    /// <summary>Non-zero weights among filters [firstFilter, endFilter) and K indices [firstK, endK).</summary>
    public long NonZero(int firstFilter, int endFilter, long firstK, long endK)
    {
        long count = 0;
        for (int m = firstFilter; m < endFilter; m++)
        {
            count += CountRange(Row(m), firstK, endK);
        }

        return count;
    }

    /// <summary>K indices in [firstK, endK) at which any of filters [firstFilter, endFilter) has a non-zero weight: the
    /// reduction steps an array holding those filters side by side cannot skip.</summary>
    public long ActiveReduction(int firstFilter, int endFilter, long firstK, long endK)
    {
        if (firstFilter >= endFilter)
        {
            return 0;
        }

        ulong[] union = new ulong[_wordsPerRow];
        for (int m = firstFilter; m < endFilter; m++)
        {
            ReadOnlySpan<ulong> row = Row(m);
            for (int w = 0; w < union.Length; w++)
            {
                union[w] |= row[w];
            }
        }

        return CountRange(union, firstK, endK);
    }

    private ReadOnlySpan<ulong> Row(int filter) => _bits.AsSpan(filter * _wordsPerRow, _wordsPerRow);

    private static long CountRange(ReadOnlySpan<ulong> row, long firstK, long endK)
    {
        long count = 0;
        for (long k = firstK; k < endK;)
        {
            int word = (int)(k >> 6);
            int low = (int)(k & 63);
            long wordEnd = Math.Min(endK, ((long)word + 1) << 6);
            int high = (int)(wordEnd - ((long)word << 6)); // exclusive, 1..64
            ulong mask = (high == 64 ? ulong.MaxValue : (1UL << high) - 1) & ~((1UL << low) - 1);
            count += BitOperations.PopCount(row[word] & mask);
            k = wordEnd;
        }

        return count;
    }
}
