using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Tests.Numerics;

/// <summary>The value the next layer reads from a stored map, per format, derived by hand.</summary>
public sealed class StoredActivationsTests
{
    private static readonly BfpSettings Bfp58Tensor =
        new(new BfpFormat(5, 8), new BfpFormat(5, 8), BlockPartition.Row, BlockPartition.Tensor, RoundingMode.NearestEven, null, 0);

    [Test]
    public void Float16_RoundsToNearestEvenHalf_AndSaturatesBeyond65504()
    {
        // 1 + 2^-11 is half-way between the halves 1 and 1 + 2^-10: ties to even gives 1. 1 + 3·2^-11 ties up to 1 + 2^-9.
        float[] stored = StoredActivations.Round([1f + MathF.ScaleB(1, -11), 1f + (3 * MathF.ScaleB(1, -11)), 70000f, -70000f],
            ActivationStorage.Float16, Bfp58Tensor, new TensorShape(4, 1, 1));

        Assert.That(stored, Is.EqualTo(new[] { 1f, 1f + MathF.ScaleB(1, -9), 65504f, -65504f }));
    }

    [Test]
    public void Bfloat16_KeepsTheTop16Bits_RoundingToNearestEven()
    {
        // 1 + 2^-8 is half-way between 1 and 1 + 2^-7 (bfloat16 keeps 7 fraction bits): even → 1. 1 + 3·2^-8 → 1 + 2^-6.
        // 1 + 2^-8 + 2^-20 is above the tie: up to 1 + 2^-7.
        float[] stored = StoredActivations.Round([1f + MathF.ScaleB(1, -8), 1f + (3 * MathF.ScaleB(1, -8)), 1f + MathF.ScaleB(1, -8) + MathF.ScaleB(1, -20)],
            ActivationStorage.Bfloat16, Bfp58Tensor, new TensorShape(3, 1, 1));

        Assert.That(stored, Is.EqualTo(new[] { 1f, 1f + MathF.ScaleB(1, -6), 1f + MathF.ScaleB(1, -7) }));
    }

    [Test]
    public void Int8_UsesOneScaleForTheTensor()
    {
        // max |x| = 2.54: scale 0.02; 1.0 / 0.02 = 50 → 1.0; 0.011 / 0.02 = 0.55 → 1 → 0.02; −2.54 → −127 → −2.54.
        float[] stored = StoredActivations.Round([1.0f, 0.011f, -2.54f], ActivationStorage.Int8, Bfp58Tensor, new TensorShape(3, 1, 1));

        Assert.That(stored, Is.EqualTo(new[] { (float)(50 * (2.54f / 127.0)), (float)(2.54f / 127.0), (float)(-127 * (2.54f / 127.0)) }));
    }

    [Test]
    public void Bfp_Tensor_OneExponentForTheWholeMap()
    {
        // max 1.5: e = 0, Δ = 2^(0 − 6) = 1/64; 1.5·64 = 96 → 1.5; 0.1·64 = 6.4 → 6 → 0.09375; 0.001·64 = 0.064 → 0.
        float[] stored = StoredActivations.Round([1.5f, 0.1f, 0.001f], ActivationStorage.Bfp, Bfp58Tensor, new TensorShape(3, 1, 1));

        Assert.That(stored, Is.EqualTo(new[] { 1.5f, 0.09375f, 0f }));
    }

    [Test]
    public void Bfp_Column_OneExponentPerPixelsChannels()
    {
        // C = 2, H = 1, W = 2, stored [c0p0, c0p1, c1p0, c1p1]. Pixel 0 = {1.5, 0.1}: Δ = 1/64 → {1.5, 0.09375}.
        // Pixel 1 = {0.1, 0.001}: floor(log2 0.1) = −4, Δ = 2^−10; 0.1·1024 = 102.4 → 102 → 0.099609375; 0.001·1024 = 1.024 → 1 → 2^−10.
        BfpSettings column = Bfp58Tensor with { InputPartition = BlockPartition.Column };

        float[] stored = StoredActivations.Round([1.5f, 0.1f, 0.1f, 0.001f], ActivationStorage.Bfp, column, new TensorShape(2, 1, 2));

        Assert.That(stored, Is.EqualTo(new[] { 1.5f, 0.099609375f, 0.09375f, MathF.ScaleB(1, -10) }));
    }

    [Test]
    public void Float32_IsTheValuesThemselves()
    {
        float[] values = [0.1f, -3f];

        Assert.That(StoredActivations.Round(values, ActivationStorage.Float32, Bfp58Tensor, new TensorShape(2, 1, 1)), Is.SameAs(values));
    }

    /// <summary>Float bit patterns the vector conversions must agree with the scalar ones on: a stride through all
    /// 2^32 patterns (every sign, exponent and payload class, about a million values) and the edges written out —
    /// signed zeros, float32 subnormals, the half subnormal grid 2^-24 and its ties, the half normal threshold 2^-14,
    /// ties on the half and bfloat16 grids, the largest half 65504 and what lies beyond it, infinities and NaNs.</summary>
    private static float[] Patterns()
    {
        var values = new List<float>();
        for (long bits = 0; bits <= uint.MaxValue; bits += 4099)
        {
            values.Add(BitConverter.UInt32BitsToSingle((uint)bits));
        }

        float[] edges =
        [
            0f, -0f, float.Epsilon, -float.Epsilon, MathF.ScaleB(1, -126), MathF.ScaleB(1, -24), MathF.ScaleB(1, -25),
            3 * MathF.ScaleB(1, -25), 5 * MathF.ScaleB(1, -25), MathF.ScaleB(1, -25) + MathF.ScaleB(1, -40), MathF.ScaleB(1, -14),
            MathF.BitDecrement(MathF.ScaleB(1, -14)), 1023 * MathF.ScaleB(1, -24), 1023.5f * MathF.ScaleB(1, -24),
            1 + MathF.ScaleB(1, -11), 1 + (3 * MathF.ScaleB(1, -11)), 1 + MathF.ScaleB(1, -8), 1 + (3 * MathF.ScaleB(1, -8)),
            65504f, 65519f, 65520f, 70000f, float.MaxValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
            BitConverter.UInt32BitsToSingle(0xFFC0_0001), BitConverter.UInt32BitsToSingle(0x7F80_0001),
        ];
        values.AddRange(edges);
        values.AddRange(edges.Select(v => -v));
        values.Add(0.5f); // 8 · k + 1 values: a scalar tail after the vectors
        return [.. values];
    }

    [TestCase(ActivationStorage.Float16)]
    [TestCase(ActivationStorage.Bfloat16)]
    public void SixteenBitFormats_EightAtATime_GiveTheScalarConversionsBits(ActivationStorage storage)
    {
        float[] values = Patterns();
        var stored = new float[values.Length];
        Func<float, float> scalar = storage == ActivationStorage.Float16 ? StoredActivations.ToHalf : StoredActivations.ToBfloat16;

        if (storage == ActivationStorage.Float16)
        {
            StoredActivations.ToHalf(values, stored);
        }
        else
        {
            StoredActivations.ToBfloat16(values, stored);
        }

        Assert.That(stored.Select(BitConverter.SingleToUInt32Bits), Is.EqualTo(values.Select(v => BitConverter.SingleToUInt32Bits(scalar(v)))));
    }

    /// <summary>Rounding a layer's own output where it is gives what rounding into a new array gives, for every format
    /// (BFP column blocks and MX blocks across the channels of a pixel included), and leaves the input of the copy alone.</summary>
    [TestCaseSource(nameof(Formats))]
    public void RoundInPlace_GivesRound(ActivationStorage storage, BfpSettings bfp)
    {
        var shape = new TensorShape(5, 3, 4);
        var random = new Random(7);
        float[] values = Enumerable.Range(0, 2 * (int)shape.Elements).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-20, 20)))).ToArray();
        float[] original = (float[])values.Clone();

        float[] expected = StoredActivations.Round(values, storage, bfp, shape);
        float[] inPlace = StoredActivations.RoundInPlace(values, storage, bfp, shape);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(inPlace, Is.SameAs(values));
            Assert.That(inPlace.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(expected.Select(BitConverter.SingleToInt32Bits)));
            Assert.That(storage == ActivationStorage.Float32 || !expected.SequenceEqual(original), Is.True, "a format that changes these values");
        }
    }

    private static IEnumerable<TestCaseData> Formats()
    {
        BfpSettings column = Bfp58Tensor with { InputPartition = BlockPartition.Column };
        BfpSettings mx = Bfp58Tensor with { InputMx = MxFormat.MxFp8E4M3 };
        foreach ((string name, ActivationStorage storage, BfpSettings bfp) in new[]
        {
            ("float32", ActivationStorage.Float32, Bfp58Tensor), ("float16", ActivationStorage.Float16, Bfp58Tensor),
            ("bfloat16", ActivationStorage.Bfloat16, Bfp58Tensor), ("int8", ActivationStorage.Int8, Bfp58Tensor),
            ("bfp tensor", ActivationStorage.Bfp, Bfp58Tensor), ("bfp column", ActivationStorage.Bfp, column), ("mx", ActivationStorage.Bfp, mx),
        })
        {
            yield return new TestCaseData(storage, bfp).SetName($"RoundInPlace_GivesRound({name})");
        }
    }
}
