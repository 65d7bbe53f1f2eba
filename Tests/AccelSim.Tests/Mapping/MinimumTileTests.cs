using AccelSim.Configuration;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Reports;
using AccelSim.Sweeps;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Mapping;

/// <summary>A layer is refused only when even its smallest legal tile does not fit, and the refusal names the smallest
/// buffers that hold that tile.</summary>
public sealed class MinimumTileTests
{
    private static readonly Dataflow[] AllDataflows =
        [Dataflow.OutputStationary, Dataflow.WeightStationary, Dataflow.InputStationary, Dataflow.RowStationary];

    [Test]
    public void TwoTowerAlexNet_AtBatch4_RunsOnTheEyerissConfig()
    {
        // The network Eyeriss ran at batch 4 in its 108 KB global buffer: conv1 reads 11 input rows of 227 columns per
        // output row, 11 x 227 x 4 B x 4 items = 39,952 B, more than half the 54 KB ifmap buffer (27,648 B), so its
        // tiles hold fewer batch items.
        LoadedAccelerator eyeriss = ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(RepoPaths.Configs, "eyeriss_rs.yaml"));
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "alexnet_2tower.yaml"));

        RunResult result = TimingRunner.Run(eyeriss.Hardware, eyeriss.Energy, network);

        // MACs: the header's derivation, 724,406,816 per image, times 4.
        Assert.That(result.Layers.Sum(l => l.Macs), Is.EqualTo(4 * 724_406_816L));
        Assert.That(result.Layers.All(l => l.TotalCycles > 0));
    }

    [Test]
    public void TwoTowerAlexNet_HasThePublishedMacsAndParameters()
    {
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "alexnet_2tower.yaml"));

        // MACs: the file header's derivation. Parameters (weights + one bias per filter): conv1 96·3·121 + 96 = 34,944;
        // conv2 256·48·25 + 256 = 307,456; conv3 384·256·9 + 384 = 885,120; conv4 384·192·9 + 384 = 663,936; conv5
        // 256·192·9 + 256 = 442,624; fc6 9216·4096 + 4096 = 37,752,832; fc7 4096² + 4096 = 16,781,312; fc8 4,097,000
        // → 60,965,224 (the published 60,965,224 of the reference Caffe model).
        Assert.That((network.MacsPerItem, network.Parameters, network.Batch), Is.EqualTo((724_406_816L, 60_965_224L, 4)));
    }

    [Test]
    public void RowStationary_SplitsTheBatch_WhenOneItemsRowsFitAndAllItemsRowsDoNot()
    {
        // One channel 8x8, one 3x3 filter, batch 4, on a 4x4 array with a 384-byte ifmap buffer (halves of 192 B). A
        // one-row strip reads 3 input rows of 8 columns: 96 B per item, so 2 items fit half the buffer, 4 do not. With
        // 2 items a strip of r rows reads r + 2 input rows: (r + 2) x 8 x 2 x 4 B <= 192 gives r = 1. So 2 batch blocks
        // x 6 one-row strips, each its own tile of 3 rows x 8 columns x 2 items x 4 B = 192 B.
        var tiny = TestHardware.Tiny();
        var config = tiny with
        {
            PeArray = tiny.PeArray with { Dataflow = Dataflow.RowStationary },
            Buffers = tiny.Buffers with { Ifmap = tiny.Buffers.Ifmap with { CapacityBytes = 384 } },
        };
        ConvLayer layer = TestNetworks.SquareConv(channels: 1, size: 8, filters: 1, kernel: 3);

        TileSchedule schedule = Mapper.Map(layer, 4, config);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule.IfmapTileBytes, Is.EqualTo(Enumerable.Repeat(192L, 12)));
            Assert.That(schedule.Description, Does.Contain("2 batch block(s) of up to 2 item(s) x 6 strip(s) of up to 1 output row(s)"));

            // Every MAC once: 4 items x 36 outputs x 9 taps.
            Assert.That(schedule.Steps.Sum(s => s.Macs), Is.EqualTo(4 * 36 * 9));
            Assert.That(schedule.Steps.Sum(s => s.OutputConversions), Is.EqualTo(4 * 36));
        }
    }

    [Test]
    public void RowStationary_WhenNothingFits_NamesTheSmallestBuffers_WhichThenWork()
    {
        // The tiny conv (2x6x6 input, 4 filters 3x3, pad 1) with a 128-byte ifmap buffer: one output row of one item
        // reads 3 input rows of 6 columns of one channel = 72 B, more than the 64-byte half. Smallest buffers: ifmap
        // 2 x 72 = 144; weights 2 x one filter's 3 rows of 3 taps of one channel = 2 x ceil((9 x 8 + 5) / 8) = 20; ofmap
        // 2 x one output row of 6 psums x 4 B = 48.
        var tiny = TestHardware.Tiny();
        var config = tiny with
        {
            PeArray = tiny.PeArray with { Dataflow = Dataflow.RowStationary },
            Buffers = tiny.Buffers with { Ifmap = tiny.Buffers.Ifmap with { CapacityBytes = 128 } },
        };

        var error = Assert.Throws<MappingException>(() => Mapper.Map(TestNetworks.TinyConv(), 1, config));

        Assert.That(error!.Message, Is.EqualTo(
            "layer 'c1': even the smallest row_stationary tile (one output row of one batch item, one filter and one channel) does not fit; " +
            "the smallest buffers that hold the smallest tile: ifmap 144, weights 20, ofmap 48 bytes (this layer has 128, 4096, 4096)"));
        var enough = config with { Buffers = config.Buffers with { Ifmap = config.Buffers.Ifmap with { CapacityBytes = 144 } } };
        Assert.That(Mapper.Map(TestNetworks.TinyConv(), 1, enough).Steps.Sum(s => s.Macs), Is.EqualTo(4 * 36 * 18));
    }

    private static IEnumerable<TestCaseData> HardLayers()
    {
        string[] configs = [.. Directory.GetFiles(RepoPaths.Configs, "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!];
        (string Name, ConvLayer Layer, int Batch)[] layers =
        [
            ("conv1 227x227 11x11/4 batch 4", TestNetworks.SquareConv(channels: 3, size: 227, filters: 96, kernel: 11, stride: 4), 4),
            ("conv2 27x27 5x5 groups 2 batch 4", TestNetworks.SquareConv(channels: 96, size: 27, filters: 256, kernel: 5, pad: 2, groups: 2), 4),
            ("depthwise 3x3/2 at 112 batch 2", TestNetworks.SquareConv(channels: 64, size: 112, filters: 64, kernel: 3, stride: 2, pad: 1, groups: 64), 2),
            ("7x7/2 at 224 batch 2", TestNetworks.SquareConv(channels: 3, size: 224, filters: 64, kernel: 7, stride: 2, pad: 3), 2),
            ("13x13 kernel at 64 batch 3", TestNetworks.SquareConv(channels: 8, size: 64, filters: 16, kernel: 13, stride: 3, pad: 6), 3),
        ];
        foreach (string config in configs)
        {
            foreach (Dataflow dataflow in AllDataflows)
            {
                // The 4x4 array of tiny.yaml takes the large layers in hundreds of thousands of folds: the small ones suffice there.
                foreach ((string name, ConvLayer layer, int batch) in layers.Where(l => config != "tiny" || l.Layer.InputShape.Height < 100))
                {
                    yield return new TestCaseData(config, dataflow, layer, batch).SetName($"{config} {dataflow} {name}");
                }
            }
        }
    }

    /// <summary>Every shipped config under every dataflow maps these layers (every MAC once), or refuses one whose
    /// smallest tile does not fit: then the buffers the refusal names are larger than the config's, and map it.</summary>
    [TestCaseSource(nameof(HardLayers))]
    public void HardLayers_MapOnEveryConfigAndDataflow_OrTheRefusalsSizesMapThem(string configName, Dataflow dataflow, ConvLayer layer, int batch)
    {
        AcceleratorConfig loaded = ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(RepoPaths.Configs, configName + ".yaml")).Hardware;
        AcceleratorConfig config = loaded with { PeArray = loaded.PeArray with { Dataflow = dataflow } };
        long macs = layer.MacsPerItem * batch;
        try
        {
            Assert.That(Mapper.Map(layer, batch, config).Steps.Sum(s => s.Macs), Is.EqualTo(macs));
        }
        catch (MappingException refusal)
        {
            var sizes = System.Text.RegularExpressions.Regex.Match(refusal.Message, @"ifmap (\d+), weights (\d+), ofmap (\d+) bytes");
            Assert.That(sizes.Success, refusal.Message);
            long[] smallest = [.. sizes.Groups.Values.Skip(1).Select(g => long.Parse(g.Value, System.Globalization.CultureInfo.InvariantCulture))];
            BufferSetConfig b = config.Buffers;
            Assert.That(smallest[0] > b.Ifmap.CapacityBytes || smallest[1] > b.Weights.CapacityBytes || smallest[2] > b.Ofmap.CapacityBytes, refusal.Message);
            var enough = config with
            {
                Buffers = b with
                {
                    Ifmap = b.Ifmap with { CapacityBytes = Math.Max(smallest[0], b.Ifmap.CapacityBytes) },
                    Weights = b.Weights with { CapacityBytes = Math.Max(smallest[1], b.Weights.CapacityBytes) },
                    Ofmap = b.Ofmap with { CapacityBytes = Math.Max(smallest[2], b.Ofmap.CapacityBytes) },
                },
            };
            Assert.That(Mapper.Map(layer, batch, enough).Steps.Sum(s => s.Macs), Is.EqualTo(macs), refusal.Message);
        }
    }
}
