using AccelSim.Hardware;
using AccelSim.Numerics;

namespace AccelSim.Mapping;

/// <summary>Storage sizes of the data the accelerator moves.</summary>
/// <remarks>
/// Feature maps are float32 in DRAM and in the input/output buffers (BFP-SPEC: outputs leave the array as float32 and the
/// next layer converts its input when reading it). Weights are stored in BFP, converted offline: a block of n elements
/// costs n·L + E bits, so the shared exponents are real storage and real traffic. A float16 or float32 array stores
/// its weights in its own format: 16 or 32 bits each.
/// </remarks>
public static class DataSizes
{
    /// <summary>Bytes of one float32 feature-map element.</summary>
    public const int FeatureMapElementBytes = 4;

    /// <summary>Bits of a weight tile in the array's weight format.</summary>
    public static long WeightTileBits(long filters, long reductionLength, AcceleratorConfig config) => config.PeArray.Arithmetic switch
    {
        Arithmetic.Bfp => WeightTileBits(filters, reductionLength, config.Bfp.Weights, config.Bfp.WeightPartition),
        Arithmetic.Float16 => filters * reductionLength * 16,
        Arithmetic.Float32 => filters * reductionLength * 32,
        _ => throw new ArgumentOutOfRangeException(nameof(config)),
    };

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
