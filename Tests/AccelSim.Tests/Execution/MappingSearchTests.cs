using AccelSim.Configuration;
using AccelSim.Energy;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Reports;
using AccelSim.Sweeps;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Execution;

/// <summary>The mapping space is executable point by point, the pruned search finds the exhaustive optimum, and no
/// search does worse than the heuristic.</summary>
public sealed class MappingSearchTests
{
    private static readonly Dataflow[] AllDataflows =
        [Dataflow.OutputStationary, Dataflow.WeightStationary, Dataflow.InputStationary, Dataflow.RowStationary];

    /// <summary>Small layers × arrays × dataflows (and batch 2 for row stationary): the grid the search is checked on.</summary>
    private static IEnumerable<TestCaseData> Grid()
    {
        (string Name, ConvLayer Layer)[] layers =
        [
            ("3x8x8 k3 8f", TestNetworks.SquareConv(channels: 3, size: 8, filters: 8, kernel: 3, pad: 1)),
            ("16x6x6 k3/2 16f", TestNetworks.SquareConv(channels: 16, size: 6, filters: 16, kernel: 3, stride: 2, pad: 1)),
            ("4x10x10 k5 6f", TestNetworks.SquareConv(channels: 4, size: 10, filters: 6, kernel: 5, pad: 2)),
            ("depthwise 8x8x8 k3", TestNetworks.SquareConv(channels: 8, size: 8, filters: 8, kernel: 3, pad: 1, groups: 8)),
        ];
        (string Name, AcceleratorConfig Config)[] arrays =
        [
            ("4x4 4KiB", TestHardware.TinyWith(4, 4, 4096, 4, 10)),
            ("8x8 1KiB", TestHardware.TinyWith(8, 8, 1024, 2, 20)),
            ("4x8 2KiB", TestHardware.TinyWith(4, 8, 2048, 8, 10)),
        ];
        foreach ((string layerName, ConvLayer layer) in layers)
        {
            foreach ((string arrayName, AcceleratorConfig array) in arrays)
            {
                foreach (Dataflow dataflow in AllDataflows)
                {
                    // Batch 2 where tiles hold batch items (row stationary splits them); the others fold the batch into pixels.
                    foreach (int batch in dataflow == Dataflow.RowStationary ? new[] { 1, 2 } : new[] { 1 })
                    {
                        AcceleratorConfig config = array with { PeArray = array.PeArray with { Dataflow = dataflow } };
                        yield return new TestCaseData(layer, batch, config).SetName($"{layerName} batch {batch} on {arrayName} {dataflow}");
                    }
                }
            }
        }
    }

    [TestCaseSource(nameof(Grid))]
    public void EveryPoint_MapsEveryMacOnce_AndRunsOnTheEventModel(ConvLayer layer, int batch, AcceleratorConfig config)
    {
        LayerContext context = LayerContext.Of(config);
        IReadOnlyList<MappingPoint> space = Mapper.Space(layer, batch, config, context);

        Assert.That(space[0], Is.EqualTo(MappingPoint.Heuristic));
        foreach (MappingPoint point in space)
        {
            TileSchedule schedule = Mapper.Map(layer, batch, config, context, point);
            LayerTiming timing = LayerSimulator.RunSchedule(layer, batch, schedule, config, context, point);
            Assert.That((schedule.Steps.Sum(s => s.Macs), timing.ComputeCycles + timing.StallCycles), Is.EqualTo((layer.MacsPerItem * batch, timing.TotalCycles)), point.ToString());

            // The pruned search's bounds hold: it may skip a point only when the point cannot win.
            EnergyTable energy = TestHardware.UnitEnergyTable();
            double picoJoules = EnergyAccounting.Price(layer, timing.Activity, config, context, energy, timing.TotalCycles, zeroOperandMacs: null).TotalPicoJoules;
            double Bound(MapperObjective objective) => MappingSearch.Bound(layer, schedule, config, context, energy, objective);
            Assert.That(Bound(MapperObjective.Cycles), Is.LessThanOrEqualTo(timing.TotalCycles), point.ToString());
            Assert.That(Bound(MapperObjective.DramBytes), Is.LessThanOrEqualTo(timing.DramReadBytes + timing.DramWriteBytes), point.ToString());
            Assert.That(Bound(MapperObjective.Energy), Is.LessThanOrEqualTo(picoJoules * (1 + 1e-12)), point.ToString());
            Assert.That(Bound(MapperObjective.Edp), Is.LessThanOrEqualTo(picoJoules * timing.TotalCycles * (1 + 1e-12)), point.ToString());

            // The energy bound prices something: the MACs at least (the unit table prices every action).
            Assert.That(Bound(MapperObjective.Energy), Is.GreaterThan(0), point.ToString());
        }
    }

    [TestCaseSource(nameof(Grid))]
    public void DefaultSearch_FindsTheExhaustiveOptimum_NeverWorseThanTheHeuristic(ConvLayer layer, int batch, AcceleratorConfig config)
    {
        LayerContext context = LayerContext.Of(config);
        EnergyTable energy = TestHardware.UnitEnergyTable();
        foreach (MapperObjective objective in new[] { MapperObjective.Cycles, MapperObjective.DramBytes, MapperObjective.Energy, MapperObjective.Edp })
        {
            MappingSearchResult exhaustive = MappingSearch.Search(layer, batch, config, context, energy, new MapperConfig(MapperSearch.Exhaustive, objective, null));
            // The default search (pruned) under each objective.
            MappingSearchResult pruned = MappingSearch.Search(layer, batch, config, context, energy, MapperConfig.Default with { Objective = objective });
            MappingCandidate heuristic = exhaustive.Ranked.Single(c => c.Index == 0);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(pruned.Best.Point, Is.EqualTo(exhaustive.Best.Point), objective.ToString());
                Assert.That(pruned.Best.Objective, Is.LessThanOrEqualTo(heuristic.Objective));
                Assert.That(exhaustive.Ranked, Has.Length.EqualTo(exhaustive.SpacePoints));
            }
        }
    }

    [Test]
    public void Memoised_Evaluations_AreWhatTheEventModelReports_ForAnotherLayerOfTheSameShape()
    {
        // Two layers equal but for their names: the second's search reuses the first's evaluations, and each of them is
        // what simulating the point afresh reports (cycles, stalls by cause, DRAM traffic, activity).
        AcceleratorConfig config = TestHardware.TinyWith(4, 4, 2048, 4, 10);
        ConvLayer first = TestNetworks.SquareConv(channels: 4, size: 10, filters: 6, kernel: 5, pad: 2);
        ConvLayer second = first with { Name = first.Name + "_again" };
        LayerContext context = LayerContext.Of(config);
        EnergyTable energy = TestHardware.UnitEnergyTable();
        var mapper = new MapperConfig(MapperSearch.Exhaustive, MapperObjective.Energy, null);

        var memo = new SearchMemo();
        MappingSearchResult before = MappingSearch.Search(first, 1, config, context, energy, mapper, memo);
        int entries = memo.Count;
        MappingSearchResult after = MappingSearch.Search(second, 1, config, context, energy, mapper, memo);

        // The second search added nothing: its space and every evaluation came from the memo (one space, one per point).
        Assert.That((entries, memo.Count), Is.EqualTo((1 + before.Ranked.Length, 1 + before.Ranked.Length)));
        Assert.That(after.Ranked.Select(c => (c.Index, c.Timing.TotalCycles, c.EnergyPicoJoules)), Is.EqualTo(before.Ranked.Select(c => (c.Index, c.Timing.TotalCycles, c.EnergyPicoJoules))));
        foreach (MappingCandidate candidate in after.Ranked)
        {
            LayerTiming fresh = LayerSimulator.RunSchedule(second, 1, Mapper.Map(second, 1, config, context, candidate.Point), config, context, candidate.Point);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(candidate.Timing.TotalCycles, Is.EqualTo(fresh.TotalCycles), candidate.Point.ToString());
                Assert.That(candidate.Timing.StallCyclesByCause, Is.EqualTo(fresh.StallCyclesByCause), candidate.Point.ToString());
                Assert.That((candidate.Timing.DramReadBytes, candidate.Timing.DramWriteBytes), Is.EqualTo((fresh.DramReadBytes, fresh.DramWriteBytes)), candidate.Point.ToString());
                Assert.That(candidate.Timing.Activity, Is.EqualTo(fresh.Activity), candidate.Point.ToString());
            }
        }
    }

    [Test]
    public void Search_IsNeverWorseThanTheHeuristic_OnTheTwoTowerAlexNet()
    {
        // Pruned under cycles: at most the heuristic's cycles in every layer, fewer in all.
        LoadedAccelerator eyeriss = ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(RepoPaths.Configs, "eyeriss_rs.yaml"));
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "alexnet_2tower.yaml"));
        AcceleratorConfig searched = eyeriss.Hardware with { Mapper = new MapperConfig(MapperSearch.Pruned, MapperObjective.Cycles, null) };

        RunResult heuristic = TimingRunner.Run(eyeriss.Hardware with { Mapper = MapperConfig.Heuristic }, eyeriss.Energy, network);
        RunResult search = TimingRunner.Run(searched, eyeriss.Energy, network);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(search.Layers.Zip(heuristic.Layers).All(p => p.First.TotalCycles <= p.Second.TotalCycles));
            Assert.That(search.Layers.Sum(l => l.TotalCycles), Is.LessThan(heuristic.Layers.Sum(l => l.TotalCycles)));
        }
    }

    [TestCase(MapperObjective.Energy)]
    [TestCase(MapperObjective.Edp)]
    public void Search_GivesTheSameResultWithOneOrTwoThreads(MapperObjective objective)
    {
        LoadedAccelerator tiny = ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(RepoPaths.Configs, "tiny.yaml"));
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "resnet_block.yaml"));
        AcceleratorConfig searched = tiny.Hardware with { Mapper = new MapperConfig(MapperSearch.Exhaustive, objective, null) };

        RunResult one = NetworkRunner.Run(searched, tiny.Energy, network, new RunOptions(Numerics: false, Threads: 1));
        RunResult two = NetworkRunner.Run(searched, tiny.Energy, network, new RunOptions(Numerics: false, Threads: 2));
        RunResult heuristic = NetworkRunner.Run(tiny.Hardware with { Mapper = MapperConfig.Heuristic }, tiny.Energy, network, new RunOptions(Numerics: false, Threads: 1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(two.Layers.Select(l => (l.TotalCycles, l.EnergyPicoJoules, l.Mapping)), Is.EqualTo(one.Layers.Select(l => (l.TotalCycles, l.EnergyPicoJoules, l.Mapping))));
            Assert.That(one.EnergyPicoJoules, Is.LessThanOrEqualTo(heuristic.EnergyPicoJoules * (1 + 1e-12)));
        }
    }

    /// <summary>Every zoo network on every shipped config and dataflow, under the DRAM-bytes objective (its bound is the
    /// schedule's exact traffic, so the pruned search simulates only the points that can win): never more DRAM bytes
    /// than the heuristic in any layer.</summary>
    [TestCaseSource(nameof(ZooCases))]
    public void Search_NeverMovesMoreDramBytesThanTheHeuristic_OnTheZoo(string configName, Dataflow dataflow, string workload)
    {
        LoadedAccelerator loaded = ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(RepoPaths.Configs, configName + ".yaml"));
        AcceleratorConfig heuristic = loaded.Hardware with { PeArray = loaded.Hardware.PeArray with { Dataflow = dataflow }, Mapper = MapperConfig.Heuristic };
        AcceleratorConfig searched = heuristic with { Mapper = new MapperConfig(MapperSearch.Pruned, MapperObjective.DramBytes, null) };
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, workload));

        RunResult before;
        try
        {
            before = TimingRunner.Run(heuristic, loaded.Energy, network);
        }
        catch (MappingException)
        {
            Assert.Ignore("the heuristic cannot map this network here");
            return;
        }

        RunResult after = TimingRunner.Run(searched, loaded.Energy, network);

        Assert.That(after.Layers.Zip(before.Layers).Where(p => p.First.DramReadBytes + p.First.DramWriteBytes > p.Second.DramReadBytes + p.Second.DramWriteBytes).Select(p => p.First.Name), Is.Empty);
    }

    private static IEnumerable<TestCaseData> ZooCases()
    {
        foreach (string config in new[] { "default", "eyeriss_rs" })
        {
            foreach (Dataflow dataflow in AllDataflows)
            {
                foreach (string workload in new[] { "alexnet.yaml", "resnet18_synthetic.yaml", "mobilenet_v1.yaml" })
                {
                    yield return new TestCaseData(config, dataflow, workload).SetName($"{workload} on {config} {dataflow}");
                }
            }
        }
    }
}
