using AccelSim.Mapping;
using AccelSim.Numerics;

namespace AccelSim.Tests.Mapping;

/// <summary>MX weight tiles as their packing lays them out in SRAM words.</summary>
public sealed class MxDataSizesTests
{
    [Test]
    public void Contiguous_CountsEveryScale()
    {
        // 32 filters × K = 64 of MXFP8: 32·64·8 = 16,384 element bits and 32·2 scales of 8 bits = 512: 8.25 bits per weight.
        Assert.That(DataSizes.MxWeightTileBits(32, 64, MxFormat.MxFp8E4M3, MxPacking.Contiguous, 256), Is.EqualTo(16_896));
    }

    [Test]
    public void PackingsDiffer_WhenBlocksDoNotFillWords()
    {
        // 2 filters × K = 40 of MXFP8 (a block of 32 and one of 8 per row), 256-bit words.
        // Contiguous: 2·40·8 = 640 element bits + 4 scales · 8 = 672.
        // Separate: 640 bits → 3 words, 32 scale bits → 1 word: 4·256 = 1,024.
        // Block-aligned: a full block is 32·8 + 8 = 264 bits → 2 words, the last 8·8 + 8 = 72 → 1 word: 3 words a row, 2·768 = 1,536.
        Assert.Multiple(() =>
        {
            Assert.That(DataSizes.MxWeightTileBits(2, 40, MxFormat.MxFp8E4M3, MxPacking.Contiguous, 256), Is.EqualTo(672));
            Assert.That(DataSizes.MxWeightTileBits(2, 40, MxFormat.MxFp8E4M3, MxPacking.Separate, 256), Is.EqualTo(1_024));
            Assert.That(DataSizes.MxWeightTileBits(2, 40, MxFormat.MxFp8E4M3, MxPacking.BlockAligned, 256), Is.EqualTo(1_536));
        });
    }

    [Test]
    public void Nvfp4_BlocksOf16WithAnE4M3Scale()
    {
        // 1 filter × K = 32: two blocks of 16 four-bit elements and an 8-bit scale each: 2·(64 + 8) = 144 bits, 4.5 per weight.
        Assert.That(DataSizes.MxWeightTileBits(1, 32, MxFormat.Nvfp4, MxPacking.Contiguous, 256), Is.EqualTo(144));
    }
}
