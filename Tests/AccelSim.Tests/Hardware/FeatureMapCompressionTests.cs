using AccelSim.Hardware;
using AccelSim.Workloads;

namespace AccelSim.Tests.Hardware;

/// <summary>Compressed bits of small maps with known zeros, derived by hand from the packing in docs/memory.md.</summary>
public sealed class FeatureMapCompressionTests
{
    // [0, 0, 3, 0, 0, 0, 0, 5, 7, 0] at 16 bits (raw 160 bits):
    //   run length: pairs (2, 3), (4, 5), (0, 7) and the trailing zero as (0, 0) = 4 pairs → ceil(4/3) = 2 words of 64 = 128 bits;
    //   bitmap: 10 presence bits + 3 nonzeros × 16 = 58 bits.
    // 40 zeros then 1 at 16 bits: a pair (31, 0) for 32 zeros, then (8, 1) = 2 pairs → 1 word = 64 bits; bitmap 41 + 16 = 57.
    // 70 zeros at 16 bits: trailing pairs of up to 32 zeros: ceil(70/32) = 3 pairs → 1 word = 64 bits; bitmap 70 bits.
    // [1, 2, 3, 4] at 8 bits: 4 pairs → 2 words of 3·(5 + 8) + 1 = 40 bits = 80 bits (the coding expands it); bitmap 4 + 32 = 36.
    [TestCase(new float[] { 0, 0, 3, 0, 0, 0, 0, 5, 7, 0 }, 16, 128, 58)]
    [TestCase(null, 16, 64, 57)]
    [TestCase(new float[0], 16, 0, 0)]
    [TestCase(new float[] { 1, 2, 3, 4 }, 8, 80, 36)]
    public void SmallMaps_TakeTheHandDerivedBits(float[]? values, int elementBits, long runLengthBits, long bitmapBits)
    {
        values ??= [.. Enumerable.Repeat(0f, 40), 1f];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(FeatureMapCompression.ElementBits(ActivationCompression.RunLength, values, elementBits), Is.EqualTo(runLengthBits));
            Assert.That(FeatureMapCompression.ElementBits(ActivationCompression.Bitmap, values, elementBits), Is.EqualTo(bitmapBits));
            Assert.That(FeatureMapCompression.ElementBits(ActivationCompression.None, values, elementBits), Is.EqualTo(values.Length * elementBits));
        }
    }

    [Test]
    public void AllZeroMap_IsOneWordOrItsPresenceBits()
    {
        float[] zeros = new float[70];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(FeatureMapCompression.ElementBits(ActivationCompression.RunLength, zeros, 16), Is.EqualTo(64));
            Assert.That(FeatureMapCompression.ElementBits(ActivationCompression.Bitmap, zeros, 16), Is.EqualTo(70));
            Assert.That(FeatureMapCompression.Density(zeros), Is.Zero);
        }
    }

    // 96 elements at 16 bits (raw 1536 bits), zeros independent:
    //   d = 1: 96 pairs (q = 0) → 32 words → 2048 bits; bitmap 96 + 96·16 = 1632.
    //   d = 0.5: pairs = 48 / (1 − 2^-32) → 48 → 16 words → 1024 bits; bitmap 96 + 48·16 = 864.
    //   d = 0: an all-zero map, ceil(96/32) = 3 pairs → 1 word → 64 bits; bitmap 96.
    [TestCase(1.0, 2048, 1632)]
    [TestCase(0.5, 1024, 864)]
    [TestCase(0.0, 64, 96)]
    public void FromDensity_FollowsTheIndependentZerosModel(double density, long runLengthBits, long bitmapBits)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(FeatureMapCompression.ElementBits(ActivationCompression.RunLength, 96, density, 16), Is.EqualTo(runLengthBits));
            Assert.That(FeatureMapCompression.ElementBits(ActivationCompression.Bitmap, 96, density, 16), Is.EqualTo(bitmapBits));
        }
    }

    // float16, 96 elements, d = 0.5: bitmap 864 / 1536 = 0.5625, run length 1024 / 1536 = 2/3.
    // int8, 10 elements, d = 0.5: bitmap 10 + 40 = 50 element bits plus the 32-bit scale carried as is = 82 of 80 + 32 = 112.
    [TestCase(ActivationStorage.Float16, 96, ActivationCompression.Bitmap, 864.0 / 1536)]
    [TestCase(ActivationStorage.Float16, 96, ActivationCompression.RunLength, 1024.0 / 1536)]
    [TestCase(ActivationStorage.Float16, 96, ActivationCompression.None, 1.0)]
    [TestCase(ActivationStorage.Int8, 10, ActivationCompression.Bitmap, 82.0 / 112)]
    public void Ratio_CarriesBlockBitsUncompressed(ActivationStorage storage, long elements, ActivationCompression compression, double expected)
    {
        var bfp = new AccelSim.Numerics.BfpSettings(new AccelSim.Numerics.BfpFormat(5, 8), new AccelSim.Numerics.BfpFormat(5, 8),
            AccelSim.Numerics.BlockPartition.Row, AccelSim.Numerics.BlockPartition.Row, AccelSim.Numerics.RoundingMode.NearestEven, null, 0);
        FeatureMapFormat format = FeatureMapFormat.Of(storage, bfp, 1, Arithmetic.Float32);

        Assert.That(FeatureMapCompression.Ratio(compression, format, elements, 0.5), Is.EqualTo(expected).Within(1e-12));
    }

    // 1000 buffer bytes at ratio 0.5625 → ceil(562.5) = 563 DRAM bytes; ratio 1 leaves them.
    [TestCase(1000, 0.5625, 563)]
    [TestCase(1000, 1.0, 1000)]
    public void DramBytes_RoundUp(long bytes, double ratio, long expected) =>
        Assert.That(LayerContext.DramBytes(bytes, ratio), Is.EqualTo(expected));
}
