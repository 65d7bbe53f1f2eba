using AccelSim.Workloads;

namespace AccelSim.Tests.Workloads;

public sealed class WeightMaskTests
{
    /// <summary>A 5 × 150 pattern (rows cross 64-bit words): weight (m, k) is non-zero when (m·7 + k) mod 5 is 0, and
    /// filter 4 is all zero.</summary>
    private static bool Pattern(int m, long k) => m != 4 && ((m * 7) + k) % 5 == 0;

    private static readonly WeightMask Mask = new(5, 150, Pattern);

    [TestCase(0, 5, 0, 150)]
    [TestCase(1, 3, 3, 130)]
    [TestCase(0, 1, 63, 65)]
    [TestCase(2, 5, 64, 128)]
    [TestCase(3, 4, 149, 150)]
    public void NonZero_And_ActiveReduction_AgreeWithCountingOneByOne(int firstFilter, int endFilter, long firstK, long endK)
    {
        long nonZero = 0;
        long active = 0;
        for (long k = firstK; k < endK; k++)
        {
            int here = Enumerable.Range(firstFilter, endFilter - firstFilter).Count(m => Pattern(m, k));
            nonZero += here;
            active += here > 0 ? 1 : 0;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Mask.NonZero(firstFilter, endFilter, firstK, endK), Is.EqualTo(nonZero));
            Assert.That(Mask.ActiveReduction(firstFilter, endFilter, firstK, endK), Is.EqualTo(active));
        }
    }

    [Test]
    public void Density_IsTheNonZeroFraction()
    {
        // Filters 0..3 have a non-zero every fifth k: 30 each; filter 4 none. 120 of 750.
        Assert.That((Mask.NonZeroCount, Mask.Density), Is.EqualTo((120L, 0.16)));
    }
}
