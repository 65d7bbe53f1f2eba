using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Mapping;

/// <summary>The totals a plan supplies from its loop counts (<see cref="TotalsCounter"/>) are the totals a walk over
/// every entry of its schedule gives, field for field: tile counts, bytes and largest tiles, step count, every step
/// sum, the largest output, and the first and last steps with their tile numbers and loop coordinates; and the tiles
/// the plan emits without the steps for the loaders are the entries' tiles.</summary>
public sealed class FactoredTotalsTests
{
    private static readonly Dataflow[] AllDataflows =
        [Dataflow.OutputStationary, Dataflow.WeightStationary, Dataflow.InputStationary, Dataflow.RowStationary];


    /// <summary>Small layers (odd sizes, strides, padding, groups, a K that must be chunked or cut in pieces) × arrays
    /// whose buffers make tiles stream, resident or not, × batch 1 and 3.</summary>
    private static IEnumerable<TestCaseData> Grid()
    {
        (string Name, Layer Layer)[] layers =
        [
            ("3x8x8 k3 8f", TestNetworks.SquareConv(channels: 3, size: 8, filters: 8, kernel: 3, pad: 1)),
            ("16x7x7 k3/2 10f", TestNetworks.SquareConv(channels: 16, size: 7, filters: 10, kernel: 3, stride: 2, pad: 1)),
            ("4x10x10 k5 6f", TestNetworks.SquareConv(channels: 4, size: 10, filters: 6, kernel: 5, pad: 2)),
            ("depthwise 8x9x9 k3", TestNetworks.SquareConv(channels: 8, size: 9, filters: 8, kernel: 3, pad: 1, groups: 8)),
            ("grouped 12x6x6 k3 g3", TestNetworks.SquareConv(channels: 12, size: 6, filters: 9, kernel: 3, pad: 1, groups: 3)),
            ("64x12x12 k3 20f", TestNetworks.SquareConv(channels: 64, size: 12, filters: 20, kernel: 3, pad: 1)),
            ("2x30x30 k7/3 5f", TestNetworks.SquareConv(channels: 2, size: 30, filters: 5, kernel: 7, stride: 3, pad: 3)),
            ("1x1 32x5x5 17f", TestNetworks.SquareConv(channels: 32, size: 5, filters: 17, kernel: 1)),
            ("fc", TestNetworks.TinyFc()),
        ];
        (string Name, AcceleratorConfig Config)[] arrays =
        [
            ("4x4 4KiB", TestHardware.TinyWith(4, 4, 4096, 4, 10)),
            ("8x8 1KiB", TestHardware.TinyWith(8, 8, 1024, 2, 20)),
            ("4x8 2KiB", TestHardware.TinyWith(4, 8, 2048, 8, 10)),
            ("3x5 512B", TestHardware.TinyWith(3, 5, 512, 4, 10)),
        ];
        foreach ((string layerName, Layer layer) in layers)
        {
            foreach ((string arrayName, AcceleratorConfig array) in arrays)
            {
                foreach (Dataflow dataflow in AllDataflows)
                {
                    AcceleratorConfig config = array with { PeArray = array.PeArray with { Dataflow = dataflow } };
                    yield return new TestCaseData(layer, config).SetName($"{layerName} on {arrayName} {dataflow}");
                }
            }
        }
    }

    [TestCaseSource(nameof(Grid))]
    public void EveryPointsTotals_AreTheWalksTotals(Layer layer, AcceleratorConfig config)
    {
        foreach (int batch in new[] { 1, 3 })
        {
            (int mapped, int supplied) = Check(layer, batch, config, LayerContext.Of(config), $"batch {batch}");

            // Dense layers: every plan supplies its totals for every point (the comparison is not a walk against a walk).
            Assert.That(supplied, Is.EqualTo(mapped), $"batch {batch}");
        }
    }

    /// <summary>Every distinct conv/FC layer of the zoo on the default config, each dataflow, every point of its space.</summary>
    [TestCaseSource(nameof(ZooDataflows))]
    public void EveryZooLayersTotals_AreTheWalksTotals_OnTheDefaultConfig(Dataflow dataflow) =>
        CheckZoo("default", dataflow);

    /// <summary>The same over every shipped config (tiny's 4 KiB buffers make millions of steps to walk: minutes).</summary>
    [Category("Zoo")]
    [Explicit("walks every schedule of the zoo on every shipped config; run with --filter TestCategory=Zoo")]
    [TestCaseSource(nameof(ShippedConfigs))]
    public void EveryZooLayersTotals_AreTheWalksTotals_OnEveryShippedConfig(string configName)
    {
        foreach (Dataflow dataflow in AllDataflows)
        {
            CheckZoo(configName, dataflow);
        }
    }

    private static Dataflow[] ZooDataflows() => AllDataflows;

    private static IEnumerable<string> ShippedConfigs() =>
        Directory.GetFiles(RepoPaths.Configs, "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal);

    private static void CheckZoo(string configName, Dataflow dataflow)
    {
        LoadedAccelerator loaded = ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(RepoPaths.Configs, configName + ".yaml"));
        AcceleratorConfig config = loaded.Hardware with { PeArray = loaded.Hardware.PeArray with { Dataflow = dataflow }, Mapper = MapperConfig.Heuristic };
        var seen = new HashSet<(Layer, int, LayerContext)>();
        foreach (string file in Directory.GetFiles(RepoPaths.Workloads, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            Network network = WeightSparsity.Measure(ConfigLoader.LoadWorkload(file), config, threads: 1);
            for (int i = 0; i < network.Layers.Length; i++)
            {
                Layer layer = network.Layers[i];
                if (!Mapper.RunsOnTheArray(layer))
                {
                    continue;
                }

                LayerContext context;
                try
                {
                    context = LayerSimulator.Partitioned(layer, network.Batch, config, LayerContexts.For(network, i, config, RunSettings.Native)).Context;
                }
                catch (MappingException)
                {
                    continue;
                }

                if (seen.Add((LayerShapes.TimingKey(layer), network.Batch, context)))
                {
                    _ = Check(layer, network.Batch, config, context, $"{Path.GetFileName(file)} {layer.Name}");
                }
            }
        }

        Assert.That(seen, Has.Count.GreaterThan(50), "the zoo's variety is compared");
    }

    /// <returns>How many schedules were compared, and how many of them had totals their plan supplied.</returns>
    private static (int Mapped, int Supplied) Check(Layer layer, int batch, AcceleratorConfig config, LayerContext context, string where)
    {
        IReadOnlyList<MappingPoint> space;
        try
        {
            space = Mapper.Space(layer, batch, config, context);
        }
        catch (MappingException)
        {
            // Refused layers have no schedule to total (MinimumTileTests hold the refusals).
            return (0, 0);
        }

        int supplied = 0;
        foreach (MappingPoint point in space)
        {
            TileSchedule schedule = Mapper.Map(layer, batch, config, context, point);
            Assert.That(schedule.Totals, Is.EqualTo(schedule.WalkedTotals()), $"{where} {point}");

            // The loaders' tiles, which the plan emits without the steps, are the entries' tiles in the same order.
            ScheduleEntry[] entries = [.. schedule.Entries()];
            Assert.That(schedule.IfmapTileBytes, Is.EqualTo(entries.Where(e => e.Kind == ScheduleEntryKind.IfmapTile).Select(e => e.TileBytes)), $"{where} {point}");
            Assert.That(schedule.WeightTileBytes, Is.EqualTo(entries.Where(e => e.Kind == ScheduleEntryKind.WeightTile).Select(e => e.TileBytes)), $"{where} {point}");
            supplied += schedule.TotalsFromPlan ? 1 : 0;
        }

        return (space.Count, supplied);
    }
}
