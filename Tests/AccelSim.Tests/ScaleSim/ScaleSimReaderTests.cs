using AccelSim.Hardware;
using AccelSim.ScaleSim;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.ScaleSim;

/// <summary>SCALE-Sim v2's .cfg and topology CSVs become an accelerator and a network with SCALE-Sim's meanings.</summary>
public sealed class ScaleSimReaderTests
{
    private static readonly string Golden = Path.Combine(RepoPaths.Root, "Tests", "AccelSim.Tests", "Golden", "scalesim");

    [Test]
    public void UserModeConfig_SizesBuffersInOperandsAndGivesDramThreeInterfacesOfBandwidth()
    {
        // small_8x8_ws_usermid: 8x8 ws, 8 kB buffers = 8·1024 operands of 4 B = 32,768 B; USER, Bandwidth 16 words/cycle
        // per interface, 3 interfaces → 48 operands = 192 B per cycle.
        var (config, settings) = ScaleSimConfigReader.Read(Path.Combine(Golden, "configs", "small_8x8_ws_usermid.cfg"), TestHardware.Tiny());

        Assert.Multiple(() =>
        {
            Assert.That(config.Name, Is.EqualTo("small_8x8_ws_usermid"));
            Assert.That(config.PeArray, Is.EqualTo(new PeArrayConfig(8, 8, Dataflow.WeightStationary)));
            Assert.That(config.Buffers.Ifmap.CapacityBytes, Is.EqualTo(32768));
            Assert.That(config.Buffers.Weights.CapacityBytes, Is.EqualTo(32768));
            Assert.That(config.Buffers.Ofmap.CapacityBytes, Is.EqualTo(32768));
            Assert.That(config.Dram, Is.EqualTo(new DramConfig(192, 1)));
            Assert.That(settings, Is.EqualTo(new ScaleSimSettings("small_8x8_ws_usermid", UserBandwidth: true, BandwidthWords: 16)));
            Assert.That(config.Bfp, Is.EqualTo(TestHardware.Tiny().Bfp), "what SCALE-Sim does not describe comes from the baseline");
        });
    }

    [Test]
    public void CalcModeConfig_IgnoresBandwidth_AndDramNeverLimits()
    {
        var (config, settings) = ScaleSimConfigReader.Read(Path.Combine(Golden, "configs", "small_8x8_is_calcbig.cfg"), TestHardware.Tiny());

        Assert.Multiple(() =>
        {
            Assert.That(settings.UserBandwidth, Is.False);
            Assert.That(settings.BandwidthWords, Is.Zero);
            Assert.That(config.Dram, Is.EqualTo(new DramConfig(ScaleSimConfigReader.CalcModeBandwidthBytesPerCycle, 0)));
            Assert.That(config.Buffers.Ifmap.CapacityBytes, Is.EqualTo(1024L * 1024 * 4));
        });
    }

    [Test]
    public void GemmTopology_BecomesScaleSimsConv_MRowsOfKWide()
    {
        // "gemm_mnk, 64, 96, 128,": M = 64, N = 96, K = 128 → input 1×64×128, a 1×128 filter, 96 filters → output 96×64×1.
        Network network = ScaleSimTopologyReader.Read(Path.Combine(Golden, "topologies", "small_gemm_mnk.csv"));

        var conv = (ConvLayer)network.Layers.Single();
        Assert.Multiple(() =>
        {
            Assert.That(conv.InputShape, Is.EqualTo(new TensorShape(1, 64, 128)));
            Assert.That((conv.KernelHeight, conv.KernelWidth), Is.EqualTo((1, 128)));
            Assert.That(conv.OutputShape, Is.EqualTo(new TensorShape(96, 64, 1)));
            Assert.That(conv.MacsPerItem, Is.EqualTo(64L * 96 * 128));
        });
    }

    [Test]
    public void ConvTopology_WithoutStrideWidth_UsesStrideHeight_AndOverhangingWindowsBecomeBottomPadding()
    {
        // "Conv1, 224, 224, 7, 7, 3, 64, 2,": SCALE-Sim's E = ceil((224 − 7 + 2) / 2) = 110; the last window reaches row
        // 109·2 + 7 − 1 = 224, one past the input: bottom and right padding of 1.
        string path = Path.Combine(Path.GetTempPath(), $"accelsim-topo-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n\nConv1, 224, 224, 7, 7, 3, 64, 2,\n");
        try
        {
            var conv = (ConvLayer)ScaleSimTopologyReader.Read(path).Layers.Single();

            Assert.Multiple(() =>
            {
                Assert.That((conv.StrideHeight, conv.StrideWidth), Is.EqualTo((2, 2)));
                Assert.That(conv.OutputShape, Is.EqualTo(new TensorShape(64, 110, 110)));
                Assert.That((conv.PadTop, conv.PadLeft, conv.PadBottom, conv.PadRight), Is.EqualTo((0, 0, 1, 1)));
            });
        }
        finally
        {
            File.Delete(path);
        }
    }
}
