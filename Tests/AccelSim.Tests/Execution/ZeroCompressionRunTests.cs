using AccelSim.Execution;
using AccelSim.Reports;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Execution;

/// <summary>Zero compression of feature maps shrinks their DRAM transfers, not the tiles or the buffer accesses.</summary>
public sealed class ZeroCompressionRunTests
{
    [Test]
    public void BitmapOutput_ShrinksTheProducersWritesAndTheConsumersReads_ByItsRatio()
    {
        // Tiny c1 → p1 → f1, float32 storage. c1's output as a bitmap at density 0.5: (1 + 0.5·32) / 32 = 0.53125 of its
        // bytes go to DRAM (each drain rounded up to a byte), and p1 reads them back compressed; the buffers hold them
        // decompressed, so the words written and read do not move.
        Network plain = TestNetworks.Tiny();
        Network packed = plain with { Layers = [plain.Layers[0] with { ActivationCompression = ActivationCompression.Bitmap, Density = 0.5 }, .. plain.Layers[1..]] };

        RunResult before = Run(plain);
        RunResult after = Run(packed);
        LayerResult c1 = after.Layers[0];
        LayerResult p1 = after.Layers[1];
        long rawWrite = before.Layers[0].DramWriteBytes;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(c1.Compression, Is.Not.Null);
            Assert.That(c1.Compression!.OutputRatio, Is.EqualTo(0.53125));
            Assert.That(c1.Compression.Format, Is.EqualTo("bitmap"));
            Assert.That(c1.DramWriteBytes, Is.InRange((long)Math.Ceiling(rawWrite * 0.53125), (long)(rawWrite * 0.53125) + 64));
            Assert.That(c1.DramWriteBytes + c1.Compression.SavedBytes, Is.EqualTo(rawWrite), "the saving is what the compression took off");
            Assert.That(p1.DramReadBytes + p1.Compression!.SavedBytes, Is.EqualTo(before.Layers[1].DramReadBytes), "p1 reads c1's map compressed");
            Assert.That(p1.DramReadBytes, Is.LessThan(before.Layers[1].DramReadBytes));
            Assert.That(after.Layers[2].Compression, Is.Null, "f1 neither reads nor writes a compressed map");
            Assert.That(c1.Energy.ByAction.Keys, Does.Contain("ofmap.compress_bit"));
            Assert.That(before.Layers[0].Energy.ByAction.Keys, Does.Not.Contain("ofmap.compress_bit"), "no codec without compression");
        }
    }

    [Test]
    public void WithNumerics_TheMeasuredDensitySizesTheMap()
    {
        // With numerics the density is the stored output's nonzero fraction, whatever the workload says.
        Network plain = TestNetworks.Tiny();
        Network packed = plain with { Layers = [plain.Layers[0] with { ActivationCompression = ActivationCompression.RunLength, Density = 0.01 }, .. plain.Layers[1..]] };

        RunResult result = NetworkRunner.Run(TestHardware.Tiny(), TestHardware.UnitEnergyTable(), packed, new RunOptions(true, 1));

        Assert.That(result.Layers[0].Compression!.OutputDensity, Is.EqualTo(result.Layers[0].Numerics!.OutputDensity));
        Assert.That(result.Layers[0].Compression!.OutputDensity, Is.Not.EqualTo(0.01));
    }

    private static RunResult Run(Network network) =>
        NetworkRunner.Run(TestHardware.Tiny(), TestHardware.UnitEnergyTable(), network, new RunOptions(false, 1));
}
