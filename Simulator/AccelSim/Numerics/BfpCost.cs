namespace AccelSim.Numerics;

/// <summary>The storage and conversion cost of a partition scheme for one layer (the seed's Table 6-4).</summary>
/// <param name="BlockFormattings">Blocks converted (each needs a maximum-exponent search): W blocks plus I blocks.</param>
/// <param name="ExponentBits">Shared-exponent storage: E bits per block.</param>
/// <param name="MantissaBits">Mantissa storage: L bits per element of W and of I as converted (the stored feature map
/// under a <c>tensor</c> input partition, else the im2col matrix, whose elements each take their own block's exponent).</param>
public sealed record BfpCost(long BlockFormattings, long ExponentBits, long MantissaBits)
{
    /// <summary>Costs of one layer under a weight and an input partition.</summary>
    public static BfpCost Of(ConvGeometry g, BfpFormat weights, BfpFormat inputs, BlockPartition weightPartition, BlockPartition inputPartition)
    {
        long k = g.Reduction;
        long m = g.OutChannels;
        long columns = (long)g.Batch * g.PixelsPerItem * g.Groups;
        long weightBlocks = weightPartition.Kind switch
        {
            PartitionKind.Tensor => 1,
            PartitionKind.Row => m,
            PartitionKind.Column => k * g.Groups,
            _ => m * Blocks(k, weightPartition.GroupSize),
        };
        long inputBlocks = inputPartition.Kind switch
        {
            PartitionKind.Tensor => 1,
            PartitionKind.Row => k * g.Groups,
            PartitionKind.Column => columns,
            _ => columns * Blocks(k, inputPartition.GroupSize),
        };
        long inputElements = inputPartition.Kind == PartitionKind.Tensor ? g.InputLength : columns * k;
        return new BfpCost(
            weightBlocks + inputBlocks,
            (weightBlocks * weights.ExponentBits) + (inputBlocks * inputs.ExponentBits),
            (g.WeightLength * weights.MantissaBits) + (inputElements * inputs.MantissaBits));

        static long Blocks(long length, int size) => (length + size - 1) / size;
    }
}
