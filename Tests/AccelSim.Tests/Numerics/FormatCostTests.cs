using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Tests.Numerics;

/// <summary>The format cost of one layer, worked by hand.</summary>
public sealed class FormatCostTests
{
    private static readonly BfpSettings Bfp58 = new(new BfpFormat(5, 8), new BfpFormat(5, 8), BlockPartition.Row, BlockPartition.Tensor, RoundingMode.NearestEven, null, 1);

    [Test]
    public void Mxfp8FullyConnected_64In10Out()
    {
        var g = ConvShape.FullyConnected(1, 64, 10);
        FormatCost c = FormatCost.Of(g, Bfp58.WithFormats(MxFormat.MxFp8E4M3, MxFormat.MxFp8E4M3));
        Assert.Multiple(() =>
        {
            // Weights: 640·8 = 5,120 element bits, 10 rows · 2 blocks · 8 = 160 scale bits: 8.25 bits per weight.
            Assert.That((c.WeightElementBits, c.WeightScaleBits, c.WeightBitsPerElement(g)), Is.EqualTo((5_120L, 160L, 8.25)));
            // Inputs: one column of K = 64 in two blocks: 512 element bits, 16 scale bits; 64 − 2 comparisons; a block
            // of 32 seen before its first element leaves the converter.
            Assert.That((c.InputElementBits, c.InputScaleBits, c.InputBlocks, c.MaxComparisons, c.LookAheadElements), Is.EqualTo((512L, 16L, 2L, 62L, 32L)));
            // E4M3 significands of 4 bits; an exact block sum of two 18-bit codes over 32 products: 18 + 18 + 5 + 1 = 42.
            Assert.That((c.MultiplierBits, c.AccumulatorBits), Is.EqualTo((4.0, 42)));
            Assert.That(c.ScaleOverhead, Is.EqualTo(176.0 / 5_632), "(160 + 16) / (5,120 + 512)");
        });
    }

    [Test]
    public void Bfp_IsTheSchemeTable()
    {
        var g = ConvShape.FullyConnected(1, 64, 10);
        FormatCost c = FormatCost.Of(g, Bfp58);
        BfpCost scheme = BfpCost.Of(g, Bfp58.Weights, Bfp58.Inputs, Bfp58.WeightPartition, Bfp58.InputPartition);
        Assert.That(c.WeightScaleBits + c.InputScaleBits, Is.EqualTo(scheme.ExponentBits));
        Assert.That(c.WeightElementBits + c.InputElementBits, Is.EqualTo(scheme.MantissaBits));
        // Exact accumulator: 7 + 7 magnitude bits, ceil(log2 64) = 6, and a sign.
        Assert.That(c.AccumulatorBits, Is.EqualTo(21));
    }
}
