using AccelSim.Hardware;
using AccelSim.Numerics;

namespace AccelSim.Mapping;

/// <summary>Storage sizes of the data the accelerator moves.</summary>
/// <remarks>
/// Feature maps are stored as each layer's <see cref="FeatureMapFormat"/> says (its <c>LayerContext</c>'s input and
/// output, docs/memory.md); partial sums wait in the output buffer as float32. Weights are stored in BFP, converted offline: a block of n elements
/// costs n·L + E bits, so the shared exponents are real storage and real traffic. A float16 or float32 array stores
/// its weights in its own format: 16 or 32 bits each.
/// </remarks>
public static class DataSizes
{
    /// <summary>Bytes of one float32 feature-map element: SCALE-Sim's element size in its compatibility reports.</summary>
    public const int FeatureMapElementBytes = 4;

    /// <summary>Bytes of one partial sum waiting in the output buffer (float32, whatever the stored format: results are
    /// converted to it once, when their last partial sum has been added).</summary>
    public const int PartialSumBytes = 4;

    /// <summary>Bits of a dense weight tile in the array's weight format.</summary>
    /// <param name="bfp">The layer's effective BFP settings; null: the config's.</param>
    public static long WeightTileBits(long filters, long reductionLength, AcceleratorConfig config, BfpSettings? bfp = null) =>
        WeightTileBits(filters, reductionLength, filters * reductionLength, config, bfp);

    /// <summary>Bytes of a weight tile whose non-zero share is the layer's measured <paramref name="density"/> (null:
    /// dense): the stationary dataflows cut filters into tiles the mask is not consulted for.</summary>
    /// <param name="bfp">The layer's effective BFP settings; null: the config's.</param>
    public static long WeightTileBytes(long filters, long reductionLength, double? density, AcceleratorConfig config, BfpSettings? bfp = null) =>
        BitsToBytes(WeightTileBits(filters, reductionLength,
            density is { } d ? (long)Math.Round(filters * reductionLength * d) : filters * reductionLength, config, bfp));

    /// <summary>Bits of a weight tile of which <paramref name="nonZero"/> weights are non-zero, in the configured storage.</summary>
    /// <remarks>
    /// Each stored value takes L bits (BFP mantissa) or 16/32 (float); BFP adds its shared exponents, E bits per block,
    /// whatever the storage. Dense stores every value; bitmap one presence bit per weight plus the non-zero values; CSR
    /// each non-zero value with its K index (ceil(log2 K) bits) plus one offset per filter and one more
    /// (ceil(log2(n + 1)) bits each, n the tile's weights). A tile is sized as dense when its weights were not measured.
    /// </remarks>
    /// <param name="bfp">The layer's effective BFP settings; null: the config's.</param>
    public static long WeightTileBits(long filters, long reductionLength, long nonZero, AcceleratorConfig config, BfpSettings? bfp = null)
    {
        BfpSettings formats = bfp ?? config.Bfp;
        long elements = filters * reductionLength;
        if (config.PeArray.Arithmetic == Arithmetic.Bfp && formats.WeightMx is { } mx && config.WeightStorage == WeightStorage.Dense)
        {
            return MxWeightTileBits(filters, reductionLength, mx, formats.Mx.Packing, (config.Buffers.Unified ?? config.Buffers.Weights).WordBits);
        }

        (long valueBits, long exponentBits) = config.PeArray.Arithmetic switch
        {
            Arithmetic.Bfp => (formats.Weights.MantissaBits,
                WeightTileBits(filters, reductionLength, formats.Weights, formats.WeightPartition) - (elements * formats.Weights.MantissaBits)),
            Arithmetic.Float16 => (16L, 0L),
            Arithmetic.Float32 => (32L, 0L),
            _ => throw new ArgumentOutOfRangeException(nameof(config)),
        };
        return exponentBits + config.WeightStorage switch
        {
            WeightStorage.Dense => elements * valueBits,
            WeightStorage.Bitmap => elements + (nonZero * valueBits),
            WeightStorage.Csr => (nonZero * (valueBits + BitsFor(reductionLength))) + ((filters + 1) * BitsFor(elements + 1)),
            _ => throw new ArgumentOutOfRangeException(nameof(config)),
        };
    }

    /// <summary>Bits of a dense MX/NVFP4 weight tile as its packing lays it out in words of <paramref name="wordBits"/>.</summary>
    /// <remarks>Contiguous: n·bits + blocks·8 (MXFP8: 8.25 bits per element). Separate: the elements and the scales
    /// each rounded up to whole words. Block-aligned: every block rounded up to whole words (a 264-bit MXFP8 block takes
    /// two 256-bit words).</remarks>
    public static long MxWeightTileBits(long filters, long reductionLength, MxFormat format, MxPacking packing, int wordBits)
    {
        long blocksPerRow = CeilDiv(reductionLength, format.BlockSize);
        long blocks = filters * blocksPerRow;
        long elementBits = filters * reductionLength * format.Element.Bits;
        long scaleBits = blocks * format.ScaleBits;
        return packing switch
        {
            MxPacking.Contiguous => elementBits + scaleBits,
            MxPacking.Separate => (CeilDiv(elementBits, wordBits) + CeilDiv(scaleBits, wordBits)) * wordBits,
            _ => filters * BlockAlignedRowBits(reductionLength, format, wordBits),
        };
    }

    private static long BlockAlignedRowBits(long reductionLength, MxFormat format, int wordBits)
    {
        long full = reductionLength / format.BlockSize;
        long last = reductionLength % format.BlockSize;
        long fullBlockWords = CeilDiv(format.BlockBits, wordBits);
        long lastBlockWords = last == 0 ? 0 : CeilDiv((last * format.Element.Bits) + format.ScaleBits, wordBits);
        return ((full * fullBlockWords) + lastBlockWords) * wordBits;
    }

    /// <summary>ceil(log2 n): bits of an index into n values (0 for one value).</summary>
    public static int BitsFor(long n) => n <= 1 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(n - 1));

    /// <summary>Bits of a BFP weight tile of <paramref name="filters"/> rows of W by <paramref name="reductionLength"/> columns.</summary>
    public static long WeightTileBits(long filters, long reductionLength, BfpFormat format, BlockPartition partition)
    {
        long blocks = partition.Kind switch
        {
            PartitionKind.Tensor => 1,
            PartitionKind.Row => filters,
            PartitionKind.Column => reductionLength,
            PartitionKind.Group => filters * CeilDiv(reductionLength, partition.GroupSize),
            _ => throw new ArgumentOutOfRangeException(nameof(partition)),
        };
        return (filters * reductionLength * format.MantissaBits) + (blocks * format.ExponentBits);
    }

    public static long BitsToBytes(long bits) => CeilDiv(bits, 8);

    public static long CeilDiv(long numerator, long denominator) => (numerator + denominator - 1) / denominator;
}
