using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Mapping;

public sealed class DataSizesTests
{
    [TestCase(WeightStorage.Dense, (4 * 100 * 8) + (4 * 5))]
    [TestCase(WeightStorage.Bitmap, (4 * 100) + (40 * 8) + (4 * 5))]
    [TestCase(WeightStorage.Csr, (40 * (8 + 7)) + (5 * 9) + (4 * 5))]
    public void BfpTileOfFourFilters_ByHand(WeightStorage storage, long expectedBits)
    {
        // 4 filters × K 100, 40 non-zero, bfp(5, 8) with row blocks (scheme 6-11): 4 shared exponents of 5 bits.
        // Dense: 400 mantissas of 8 bits. Bitmap: 400 presence bits + 40 mantissas. CSR: 40 × (8 + ceil(log2 100) = 7)
        // + 5 offsets × ceil(log2 401) = 9 bits.
        var config = TestHardware.Tiny() with { WeightStorage = storage };

        Assert.That(DataSizes.WeightTileBits(4, 100, 40, config), Is.EqualTo(expectedBits));
    }

    [Test]
    public void Float16Bitmap_HasNoExponents()
    {
        var tiny = TestHardware.Tiny();
        var config = tiny with { WeightStorage = WeightStorage.Bitmap, PeArray = tiny.PeArray with { Arithmetic = Arithmetic.Float16 } };

        Assert.That(DataSizes.WeightTileBits(4, 100, 40, config), Is.EqualTo(400 + (40 * 16)));
    }

    [TestCase(1, 0)]
    [TestCase(2, 1)]
    [TestCase(100, 7)]
    [TestCase(128, 7)]
    [TestCase(129, 8)]
    public void BitsFor_IsCeilLog2(long n, int bits) => Assert.That(DataSizes.BitsFor(n), Is.EqualTo(bits));
}
