using AccelSim.Workloads;

namespace AccelSim.Numerics;

/// <summary>The storage and conversion cost of a partition scheme for one layer (Table 6-4 of the source chapter, docs/source-chapter.md).</summary>
/// <param name="BlockFormattings">Blocks converted (each needs a maximum-exponent search): W blocks plus I blocks.</param>
/// <param name="ExponentBits">Shared-exponent storage: E bits per block.</param>
/// <param name="MantissaBits">Mantissa storage: L bits per element of W and of I as converted (the stored feature map
/// under a <c>tensor</c> input partition, else the im2col matrix, whose elements each take their own block's exponent).</param>
public sealed record BfpCost(long BlockFormattings, long ExponentBits, long MantissaBits)
{
    /// <summary>Costs of one layer under a weight and an input partition.</summary>
    public static BfpCost Of(ConvShape g, BfpFormat weights, BfpFormat inputs, BlockPartition weightPartition, BlockPartition inputPartition)
    {
        long weightBlocks = WeightBlocks(g, weightPartition);
        InputFormatting input = InputFormattingOf(g, inputPartition);
        long inputBlocks = input.Blocks;
        long inputElements = input.Elements;
        return new BfpCost(
            weightBlocks + inputBlocks,
            (weightBlocks * weights.ExponentBits) + (inputBlocks * inputs.ExponentBits),
            (g.WeightLength * weights.MantissaBits) + (inputElements * inputs.MantissaBits));

    }

    /// <summary>Blocks of the weights [M, K] under a partition (one shared exponent or scale each).</summary>
    public static long WeightBlocks(ConvShape g, BlockPartition partition)
    {
        long k = g.Reduction;
        long m = g.OutChannels;
        return partition.Kind switch
        {
            PartitionKind.Tensor => 1,
            PartitionKind.Row => m,
            PartitionKind.Column => k * g.Groups,
            _ => m * ((k + partition.GroupSize - 1) / partition.GroupSize),
        };
    }

    /// <summary>What formatting the layer's input takes at run time (weights are formatted once, offline): its blocks,
    /// the exponent comparisons that find their maxima (elements covered less one per block), and how many elements of
    /// one block the converter must have seen before it can align the block's first mantissa.</summary>
    /// <remarks>
    /// A <c>tensor</c> or <c>row</c> block spans the whole feature map, so its exponent is found in a pass ahead of the
    /// layer (for a hidden layer, as the previous layer's output converter writes the map): no look-ahead inside the
    /// layer. A <c>column</c> block is one window (K elements), a <c>group</c> block G of them: the converter compares a
    /// whole block before it shifts the block's first mantissa.
    /// </remarks>
    public static InputFormatting InputFormattingOf(ConvShape g, BlockPartition partition)
    {
        long k = g.Reduction;
        long columns = (long)g.Batch * g.PixelsPerItem * g.Groups;
        (long blocks, long elements, long lookAhead) = partition.Kind switch
        {
            PartitionKind.Tensor => (1, g.InputLength, 0),
            PartitionKind.Row => (k * g.Groups, columns * k, 0),
            PartitionKind.Column => (columns, columns * k, k),
            _ => (columns * ((k + partition.GroupSize - 1) / partition.GroupSize), columns * k, Math.Min(k, partition.GroupSize)),
        };
        return new InputFormatting(blocks, elements - blocks, lookAhead);
    }
}

/// <summary>A layer's run-time input formatting (see <see cref="BfpCost.InputFormattingOf"/>).</summary>
/// <param name="Blocks">Input blocks formatted, each with its own shared exponent.</param>
/// <param name="ExponentComparisons">Comparisons of E-bit exponents that find the blocks' maxima.</param>
/// <param name="LookAheadElements">Elements of a block the converter must see before aligning its first mantissa (0: the
/// exponent is known ahead).</param>
public sealed record InputFormatting(long Blocks, long ExponentComparisons, long LookAheadElements)
{
    /// <summary>Elements formatted: the feature map under a tensor partition, else the im2col matrix.</summary>
    public long Elements => ExponentComparisons + Blocks;
}
