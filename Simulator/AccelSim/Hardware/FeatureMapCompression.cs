using AccelSim.Workloads;

namespace AccelSim.Hardware;

/// <summary>Bits of a feature map compressed by <see cref="ActivationCompression"/>, from its values or from its density
/// (the fraction of nonzero elements) alone. Pure functions; the packing is documented in docs/memory.md.</summary>
/// <remarks>
/// <para>Run length (Eyeriss, JSSC 2017): a word holds three (5-bit zero run, w-bit value) pairs and one flag bit (the
/// last word of a map). At w = 16 that is Eyeriss's 64-bit word; for other widths the word is 3·(5 + w) + 1 bits (8-bit
/// values: 40 bits, 32-bit values: 112 bits). A pair is the zeros before a value, then the value; a run longer than 31
/// is cut by a pair (31, 0) that stands for 32 zeros; zeros at the end of a map are pairs (r − 1, 0) of up to 32 zeros.
/// The coding can expand a dense map (16-bit, no zeros: 64/48 = 1.33×): it is kept, not replaced by the raw map.</para>
/// <para>Bitmap: n presence bits, then the nonzero values at w bits each.</para>
/// <para>A format's block bits (BFP exponents, MX or int8 scales) are carried uncompressed beside the elements.</para>
/// </remarks>
public static class FeatureMapCompression
{
    /// <summary>Zeros one pair stands for at most: 31 in its run plus a zero value.</summary>
    public const int MaxZerosPerPair = 32;

    /// <summary>Bits of the zero-run field of a run-length pair.</summary>
    public const int RunBits = 5;

    /// <summary>Pairs in a run-length word.</summary>
    public const int PairsPerWord = 3;

    /// <summary>The density a layer's output is taken to have when numerics do not run and the workload gives none.</summary>
    public const double DefaultDensity = 0.5;

    /// <summary>Bits of one run-length word holding <paramref name="elementBits"/>-bit values (16: 64).</summary>
    public static int RunLengthWordBits(int elementBits) => (PairsPerWord * (RunBits + elementBits)) + 1;

    /// <summary>Run-length pairs coding <paramref name="values"/>.</summary>
    public static long RunLengthPairs(ReadOnlySpan<float> values)
    {
        long pairs = 0;
        long run = 0;
        foreach (float v in values)
        {
            if (v == 0f)
            {
                run++;
                continue;
            }

            pairs += (run / MaxZerosPerPair) + 1;
            run = 0;
        }

        return pairs + ((run + MaxZerosPerPair - 1) / MaxZerosPerPair);
    }

    /// <summary>Compressed bits of the elements of <paramref name="values"/> (block bits not included).</summary>
    public static long ElementBits(ActivationCompression compression, ReadOnlySpan<float> values, int elementBits) => compression switch
    {
        ActivationCompression.RunLength => WordsOf(RunLengthPairs(values)) * RunLengthWordBits(elementBits),
        ActivationCompression.Bitmap => values.Length + (Nonzeros(values) * elementBits),
        _ => (long)values.Length * elementBits,
    };

    /// <summary>Expected compressed bits of <paramref name="elements"/> elements of which a fraction
    /// <paramref name="density"/> is nonzero, zeros independent of each other (block bits not included).</summary>
    /// <remarks>Run length: each nonzero value ends a run R of zeros, geometric with zero probability q = 1 − d, and
    /// takes 1 + floor(R/32) pairs; E[floor(R/32)] = Σ_k P(R ≥ 32k) = q^32/(1 − q^32), so pairs = n·d/(1 − q^32), which
    /// tends to n/32 (an all-zero map) as d → 0. Words are ceil(pairs/3).</remarks>
    public static long ElementBits(ActivationCompression compression, long elements, double density, int elementBits)
    {
        if (elements <= 0)
        {
            return 0;
        }

        double d = Math.Clamp(density, 0, 1);
        switch (compression)
        {
            case ActivationCompression.RunLength:
                double q32 = Math.Pow(1 - d, MaxZerosPerPair);
                double pairs = d == 0 ? Math.Ceiling(elements / (double)MaxZerosPerPair) : elements * d / (1 - q32);
                // The tolerance keeps n·d/(1 − 2^-32) at d = 0.5 from rounding up to one pair more than n·d.
                return WordsOf((long)Math.Ceiling(pairs - 1e-6)) * RunLengthWordBits(elementBits);
            case ActivationCompression.Bitmap:
                return elements + (long)Math.Ceiling(elements * d * elementBits);
            default:
                return elements * elementBits;
        }
    }

    /// <summary>Compressed over uncompressed bits of a map of <paramref name="format"/> (its block bits carried as they
    /// are), for <paramref name="elements"/> elements at <paramref name="density"/>: what its DRAM bytes are scaled by.</summary>
    public static double Ratio(ActivationCompression compression, FeatureMapFormat format, long elements, double density)
    {
        ArgumentNullException.ThrowIfNull(format);
        long raw = format.Bits(elements);
        if (compression == ActivationCompression.None || raw == 0)
        {
            return 1;
        }

        long blockBits = raw - (elements * format.ElementBits);
        return (double)(ElementBits(compression, elements, density, format.ElementBits) + blockBits) / raw;
    }

    /// <summary>Fraction of nonzero elements of <paramref name="values"/> (1 for an empty map).</summary>
    public static double Density(ReadOnlySpan<float> values) => values.Length == 0 ? 1 : (double)Nonzeros(values) / values.Length;

    private static long Nonzeros(ReadOnlySpan<float> values)
    {
        long n = 0;
        foreach (float v in values)
        {
            n += v != 0f ? 1 : 0;
        }

        return n;
    }

    private static long WordsOf(long pairs) => (pairs + PairsPerWord - 1) / PairsPerWord;
}
