using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Tests.Numerics;

/// <summary>The source chapter's Table 6-4 claims (docs/source-chapter.md), on VGG-16's conv1_1 (3 → 64 channels, 3×3, pad 1, 224×224), bfp(5, 8).</summary>
public sealed class BfpCostTests
{
    private static readonly ConvShape Conv11 = new(1, 3, 224, 224, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    private static readonly BfpFormat F = new(5, 8);

    [Test]
    public void ColumnWiseSchemes_FormatMoreThan50176Blocks_AndStoreHundredsOfTimesTheExponents()
    {
        // N = 224·224 = 50,176 columns, K = 27, M = 64.
        // 6-9:  1 + 1 blocks;       exponents 2·5 = 10 bits.
        // 6-10: 1 + 50,176 blocks;  exponents 50,177·5 = 250,885 bits; mantissas 64·27·8 + 27·50,176·8 = 10,851,840 bits.
        // 6-11: 64 + 1 blocks;      exponents 65·5 = 325 bits;  mantissas 64·27·8 + 3·224·224·8 = 1,218,048 bits.
        // 6-12: 64 + 50,176 blocks; exponents 50,240·5 = 251,200 bits.
        var s69 = BfpCost.Of(Conv11, F, F, BlockPartition.Tensor, BlockPartition.Tensor);
        var s610 = BfpCost.Of(Conv11, F, F, BlockPartition.Tensor, BlockPartition.Column);
        var s611 = BfpCost.Of(Conv11, F, F, BlockPartition.Row, BlockPartition.Tensor);
        var s612 = BfpCost.Of(Conv11, F, F, BlockPartition.Row, BlockPartition.Column);

        Assert.Multiple(() =>
        {
            Assert.That(s69, Is.EqualTo(new BfpCost(2, 10, 1_218_048)));
            Assert.That(s610, Is.EqualTo(new BfpCost(50_177, 250_885, 10_851_840)));
            Assert.That(s611, Is.EqualTo(new BfpCost(65, 325, 1_218_048)));
            Assert.That(s612, Is.EqualTo(new BfpCost(50_240, 251_200, 10_851_840)));
            Assert.That(s610.BlockFormattings, Is.GreaterThan(50_176));
            Assert.That(s612.ExponentBits / (double)s611.ExponentBits, Is.GreaterThan(100), "hundreds of times 6-11's exponent storage");
        });
    }

    [Test]
    public void InputFormatting_CountsBlocksComparisonsAndLookAhead()
    {
        // Input 3·224·224 = 150,528 elements; im2col 50,176 columns × K = 27 = 1,354,752 elements.
        // tensor: 1 block, 150,527 comparisons, exponent known ahead.
        // row:    27 blocks over the im2col rows, 1,354,752 − 27 = 1,354,725 comparisons, known ahead (they span the map).
        // column: 50,176 blocks, 1,354,752 − 50,176 = 1,304,576 comparisons, a window of 27 seen before aligning.
        // group 8: ceil(27/8) = 4 blocks a column → 200,704 blocks, 1,354,752 − 200,704 = 1,154,048 comparisons, look-ahead 8.
        Assert.Multiple(() =>
        {
            Assert.That(BfpCost.InputFormattingOf(Conv11, BlockPartition.Tensor), Is.EqualTo(new InputFormatting(1, 150_527, 0)));
            Assert.That(BfpCost.InputFormattingOf(Conv11, BlockPartition.Row), Is.EqualTo(new InputFormatting(27, 1_354_725, 0)));
            Assert.That(BfpCost.InputFormattingOf(Conv11, BlockPartition.Column), Is.EqualTo(new InputFormatting(50_176, 1_304_576, 27)));
            Assert.That(BfpCost.InputFormattingOf(Conv11, new BlockPartition(PartitionKind.Group, 8)), Is.EqualTo(new InputFormatting(200_704, 1_154_048, 8)));
        });
    }
}
