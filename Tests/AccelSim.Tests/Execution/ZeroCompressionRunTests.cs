using AccelSim.Execution;
using AccelSim.Hardware;
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
        (RunResult before, RunResult after) = PlainAndBitmapC1();
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

    [Test]
    public void SavedBytesCyclesAndEnergy_AreTheDifferencesFromTheSameRunWithoutCompression()
    {
        // c1's output as a bitmap at density 0.5 (ratio 0.53125, above). By definition each saving is the layer's figure
        // with compression none less its figure with compression: c1 writes 576 B raw and about 0.53125 of it packed, so
        // it saves about 270 B of writes, the cycles to drain them less the codec's, and the DRAM energy of 270 B less the
        // compressor's; p1 saves the same bytes on its reads. f1 moves nothing compressed and carries no compression.
        (RunResult before, RunResult after) = PlainAndBitmapC1();
        using (Assert.EnterMultipleScope())
        {
            foreach (int i in new[] { 0, 1 })
            {
                LayerResult with = after.Layers[i];
                LayerResult without = before.Layers[i];
                FeatureMapCompressionResult c = with.Compression!;
                Assert.That(c.SavedBytes, Is.EqualTo(without.DramReadBytes + without.DramWriteBytes - with.DramReadBytes - with.DramWriteBytes), with.Name);
                Assert.That(c.SavedCycles, Is.EqualTo(without.TotalCycles - with.TotalCycles), with.Name);
                Assert.That(c.SavedEnergyPicoJoules, Is.EqualTo(without.EnergyPicoJoules - with.EnergyPicoJoules).Within(1e-6), with.Name);
                Assert.That(c.SavedEnergyPicoJoules, Is.Positive, $"{with.Name}: 270 B less DRAM traffic outweighs the codec");
            }

            Assert.That(after.CompressionSavedCycles, Is.EqualTo(before.TotalCycles - after.TotalCycles));
            Assert.That(after.CompressionSavedEnergyPicoJoules, Is.EqualTo(before.EnergyPicoJoules - after.EnergyPicoJoules).Within(1e-6));
        }
    }

    [Test]
    public void FusedHost_CompressesTheLastFusedLayersMap_WithItsDensityAndFormat()
    {
        // p1 fused into c1: c1 drains p1's 4x3x3 float32 output (144 B, LayerFusionTests). c1's own map is dense (density
        // 1: a bitmap would cost (1 + 32) / 32 of it), p1's is a quarter nonzero: (1 + 0.25·32) / 32 = 0.28125. The map
        // that goes to DRAM is p1's, so c1 writes about 144 · 0.28125 = 40.5 B (each drain rounded up to a byte), not 148.5.
        Network tiny = TestNetworks.Tiny();
        Network network = tiny with { Layers = [tiny.Layers[0] with { Density = 1.0 }, tiny.Layers[1] with { Density = 0.25 }, tiny.Layers[2]] };
        AcceleratorConfig config = TestHardware.Tiny() with { ActivationCompression = ActivationCompression.Bitmap };
        config = config with { VectorUnit = config.VectorUnit with { Fuse = FusedKinds.All } };

        RunResult result = NetworkRunner.Run(config, TestHardware.UnitEnergyTable(), network, new RunOptions(false, 1));
        LayerResult c1 = result.Layers[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Layers[1].FusedInto, Is.EqualTo("c1"));
            Assert.That(c1.Compression!.OutputDensity, Is.EqualTo(0.25));
            Assert.That(c1.Compression.OutputRatio, Is.EqualTo(0.28125));
            Assert.That(c1.DramWriteBytes, Is.InRange(41L, 41L + 16));
        }
    }

    /// <summary>The tiny network run as it is, then with c1's output stored as a bitmap at density 0.5.</summary>
    private static (RunResult Plain, RunResult Packed) PlainAndBitmapC1()
    {
        Network plain = TestNetworks.Tiny();
        return (Run(plain), Run(plain with { Layers = [plain.Layers[0] with { ActivationCompression = ActivationCompression.Bitmap, Density = 0.5 }, .. plain.Layers[1..]] }));
    }

    private static RunResult Run(Network network) =>
        NetworkRunner.Run(TestHardware.Tiny(), TestHardware.UnitEnergyTable(), network, new RunOptions(false, 1));
}
