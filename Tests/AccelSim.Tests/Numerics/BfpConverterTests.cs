using AccelSim.Numerics;

namespace AccelSim.Tests.Numerics;

/// <summary>Hand-worked conversions. bfp(5, 4): Q = 7; a block whose largest magnitude is 3.0 has e = 1, Δ = 2^(1−2) = 0.5.</summary>
public sealed class BfpConverterTests
{
    private static readonly BfpFormat Bfp54 = new(5, 4);

    private static int Convert(float x, RoundingMode mode, out bool saturated, float blockMax = 3.0f, BfpFormat? format = null)
    {
        format ??= Bfp54;
        int step = BfpConverter.StepExponent(BfpConverter.SharedExponent(blockMax, format), format);
        return BfpConverter.Quantize(x, BfpConverter.Pow2(-step), format.MaxMantissa, mode, 0, out saturated);
    }

    [TestCase(1.25f, RoundingMode.NearestEven, 2, TestName = "RN: +2.5 steps ties to even 2")]
    [TestCase(1.75f, RoundingMode.NearestEven, 4, TestName = "RN: +3.5 steps ties to even 4")]
    [TestCase(-1.25f, RoundingMode.NearestEven, -2, TestName = "RN: -2.5 steps ties to even -2")]
    [TestCase(-1.75f, RoundingMode.NearestEven, -4, TestName = "RN: -3.5 steps ties to even -4")]
    [TestCase(0.2f, RoundingMode.NearestEven, 0, TestName = "RN: 0.4 steps rounds to 0")]
    [TestCase(1.75f, RoundingMode.TowardZero, 3, TestName = "RZ: +3.5 -> 3")]
    [TestCase(-1.75f, RoundingMode.TowardZero, -3, TestName = "RZ: -3.5 -> -3")]
    [TestCase(1.75f, RoundingMode.TowardPositive, 4, TestName = "RU: +3.5 -> 4")]
    [TestCase(-1.75f, RoundingMode.TowardPositive, -3, TestName = "RU: -3.5 -> -3")]
    [TestCase(1.75f, RoundingMode.TowardNegative, 3, TestName = "RD: +3.5 -> 3")]
    [TestCase(-1.75f, RoundingMode.TowardNegative, -4, TestName = "RD: -3.5 -> -4")]
    public void Mantissa_FollowsTheRoundingMode(float x, RoundingMode mode, int expected)
    {
        Assert.That(Convert(x, mode, out bool saturated), Is.EqualTo(expected));
        Assert.That(saturated, Is.False);
    }

    [Test]
    public void RoundingPastQ_SaturatesAndSaysSo()
    {
        // 3.9 / 0.5 = 7.8 → RN 8 > Q = 7 → 7, saturated.
        Assert.That(Convert(3.9f, RoundingMode.NearestEven, out bool saturated, blockMax: 3.9f), Is.EqualTo(7));
        Assert.That(saturated, Is.True);
    }

    [Test]
    public void AllZeroBlock_GetsTheSmallestExponent() =>
        Assert.That(BfpConverter.SharedExponent(0f, Bfp54), Is.EqualTo(-14), "E = 5: bias 15, e_min = 1 − 15");

    [Test]
    public void SubnormalInputs_HaveTheirTrueExponent()
    {
        Assert.Multiple(() =>
        {
            Assert.That(BfpConverter.FloorLog2(float.Epsilon), Is.EqualTo(-149), "smallest subnormal is 2^−149");
            Assert.That(BfpConverter.FloorLog2(BitConverter.Int32BitsToSingle(0x0040_0000)), Is.EqualTo(-127), "2^−127");
            Assert.That(BfpConverter.FloorLog2(float.MaxValue), Is.EqualTo(127));
        });
    }

    [Test]
    public void Exponent_IsClampedAtBothEnds()
    {
        var e2 = new BfpFormat(2, 4); // bias 1: shared exponents 0 … 1
        Assert.Multiple(() =>
        {
            Assert.That(BfpConverter.SharedExponent(100f, e2), Is.EqualTo(1), "floor(log2 100) = 6 clamps to e_max = 1");
            Assert.That(BfpConverter.SharedExponent(0.01f, e2), Is.EqualTo(0), "floor(log2 0.01) = −7 clamps to e_min = 0");
            // Clamped high: Δ = 2^(1 − 2) = 0.5, 100 / 0.5 = 200 saturates to 7.
            Assert.That(Convert(100f, RoundingMode.NearestEven, out bool saturated, 100f, e2), Is.EqualTo(7));
            Assert.That(saturated, Is.True);
            // Clamped low: Δ = 2^(0 − 2) = 0.25, 0.01 / 0.25 = 0.04 → 0.
            Assert.That(Convert(0.01f, RoundingMode.NearestEven, out _, 0.01f, e2), Is.Zero);
        });
    }

    [Test]
    public void MaxAbs_OfLongSpans_IsTheLargestMagnitude_AndNaNWhereOneIsNaN()
    {
        // Lengths around the eight-lane vectors (tails of 0 … 7), the largest magnitude placed first, last and in a tail.
        var random = new Random(3);
        foreach (int length in new[] { 15, 16, 17, 40, 1001 })
        {
            float[] values = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            foreach (int at in new[] { 0, length / 2, length - 1 })
            {
                float[] copy = (float[])values.Clone();
                copy[at] = -7.5f;
                Assert.That(BfpConverter.MaxAbs(copy), Is.EqualTo(7.5f), $"length {length}, at {at}");
                copy[at] = float.NegativeInfinity;
                Assert.That(BfpConverter.MaxAbs(copy), Is.EqualTo(float.PositiveInfinity), $"length {length}, infinity at {at}");
                copy[at] = float.NaN;
                Assert.That(BfpConverter.MaxAbs(copy), Is.NaN, $"length {length}, NaN at {at}");
            }
        }

        Assert.That(BfpConverter.MaxAbs(new float[40]), Is.EqualTo(0f), "all zero");
    }
}
