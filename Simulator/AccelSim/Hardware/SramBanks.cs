namespace AccelSim.Hardware;

/// <summary>A run of word accesses as the buffers lay them out: <see cref="Words"/> accesses in address order from
/// <see cref="BaseWord"/>, wrapping within the <see cref="SpanWords"/> words of the tile (a step that reads its tile's
/// operands more than once starts over at the tile's first word).</summary>
/// <param name="BaseWord">Word address of the tile's first word (its buffer half, its part of a unified buffer).</param>
/// <param name="SpanWords">Words of the tile; at least 1.</param>
/// <param name="Words">Words accessed.</param>
public readonly record struct WordRun(long BaseWord, long SpanWords, long Words);

/// <summary>Bank arithmetic of an interleaved SRAM: word address a lives in bank a mod N, and each bank serves its
/// ports' words per cycle, so a run of accesses takes as many cycles as its busiest bank needs.</summary>
public static class SramBanks
{
    /// <summary>Accesses the busiest bank serves for one run, in closed form.</summary>
    /// <remarks>
    /// The run is q = W div S whole passes over the S-word tile and then its first r = W mod S words. A contiguous range
    /// of L words from bank j puts ceil(L/N) words in bank j and floor(L/N) in the banks after the first L mod N; every
    /// pass and the remainder start at the same bank, so that bank is the busiest: q·ceil(S/N) + ceil(r/N). The base
    /// address does not matter for one run.
    /// </remarks>
    public static long BusiestBankWords(in WordRun run, int banks)
    {
        if (run.Words <= 0)
        {
            return 0;
        }

        long span = Math.Max(1, run.SpanWords);
        long passes = run.Words / span;
        long rest = run.Words % span;
        return (passes * CeilDiv(span, banks)) + CeilDiv(rest, banks);
    }

    /// <summary>Accesses the busiest bank serves when several runs share the banks (the streams of a unified buffer).</summary>
    /// <remarks>Per bank, each run adds q·count(S) + count(r) for the two ranges that start at its base; O(banks) per call.</remarks>
    public static long BusiestBankWords(ReadOnlySpan<WordRun> runs, int banks)
    {
        if (banks == 1)
        {
            long total = 0;
            foreach (WordRun run in runs)
            {
                total += Math.Max(0, run.Words);
            }

            return total;
        }

        long busiest = 0;
        for (int bank = 0; bank < banks; bank++)
        {
            long load = 0;
            foreach (WordRun run in runs)
            {
                if (run.Words <= 0)
                {
                    continue;
                }

                long span = Math.Max(1, run.SpanWords);
                load += ((run.Words / span) * InRange(run.BaseWord, span, bank, banks)) + InRange(run.BaseWord, run.Words % span, bank, banks);
            }

            busiest = Math.Max(busiest, load);
        }

        return busiest;
    }

    /// <summary>Cycles for <paramref name="busiestBankWords"/> at <paramref name="ports"/> words per bank per cycle.</summary>
    public static long Cycles(long busiestBankWords, int ports) => CeilDiv(busiestBankWords, ports);

    /// <summary>Cycles the same words would take spread perfectly over the banks: the conflict-free bound.</summary>
    public static long ConflictFreeCycles(long words, int banks, int ports) => CeilDiv(words, (long)banks * ports);

    /// <summary>Addresses in [first, first + length) that fall in <paramref name="bank"/>.</summary>
    private static long InRange(long first, long length, int bank, int banks)
    {
        long offset = ((bank - first) % banks + banks) % banks;
        return (length / banks) + (offset < length % banks ? 1 : 0);
    }

    private static long CeilDiv(long numerator, long denominator) => (numerator + denominator - 1) / denominator;
}
