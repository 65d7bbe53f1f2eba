using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Sweeps;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Execution;

/// <summary>The default search is never worse than the heuristic on any layer of the zoo: every network in Workloads/ ×
/// every shipped config × every dataflow, under the cycles and DRAM-bytes objectives.</summary>
/// <remarks>Layers repeat across the zoo (ResNet's blocks, VGG-16 inside VGG-19, the two-tower AlexNet's towers), and a
/// layer's timing depends only on its shape, its batch and its context, so each distinct (shape, batch, context) is
/// compared once per config and dataflow. Each side is run through <see cref="LayerSimulator.Run"/>, the path a run
/// takes, so the check also holds the searched run to the heuristic run it starts from.
/// <para>It simulates every searched point of about 230 distinct layers per config and dataflow: minutes on two cores, more
/// than the suite's budget, so it runs on request (<c>--filter TestCategory=Zoo</c>).</para></remarks>
[Category("Zoo")]
[Explicit("the whole zoo × configs × dataflows takes minutes; run with --filter TestCategory=Zoo")]
public sealed class ZooNeverWorseTests
{
    private static readonly MapperObjective[] Objectives = [MapperObjective.Cycles, MapperObjective.DramBytes];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (string config in Directory.GetFiles(RepoPaths.Configs, "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal))
        {
            foreach (string dataflow in new[] { "output_stationary", "weight_stationary", "input_stationary", "row_stationary" })
            {
                yield return new TestCaseData(config, dataflow).SetName($"zoo on {config} {dataflow}");
            }
        }
    }

    /// <summary>Every network of the zoo (each workload file, the compressed variants included), read once for all cases.</summary>
    private (string File, Network Network)[] _zoo = [];

    [OneTimeSetUp]
    public void ReadTheZoo() =>
        _zoo = [.. Directory.GetFiles(RepoPaths.Workloads, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), ConfigLoader.LoadWorkload(f)))];

    [TestCaseSource(nameof(Cases))]
    public void PrunedSearch_IsNeverWorseThanTheHeuristic_OnAnyLayerOfTheZoo(string configName, string dataflow)
    {
        // The dataflow as a user sets it (--set); the mapper section is set here, so a config's own stays out of it.
        LoadedAccelerator loaded = ConfigLoader.LoadAcceleratorWithEnergy(
            Path.Combine(RepoPaths.Configs, configName + ".yaml"), [ConfigOverride.Parse($"pe_array.dataflow={dataflow}")]);
        AcceleratorConfig heuristic = loaded.Hardware with { Mapper = MapperConfig.Heuristic };
        // One memo for the case, as one run has: both objectives' searches of a layer share its space and simulations.
        var memo = new SearchMemo();
        var worse = new List<string>();
        var compared = new HashSet<(Layer, int, LayerContext)>();
        int searchOnly = 0;
        foreach ((string workload, Network read) in _zoo)
        {
            Network network = WeightSparsity.Measure(read, heuristic, threads: 1);
            for (int i = 0; i < network.Layers.Length; i++)
            {
                Layer layer = network.Layers[i];
                LayerContext context = LayerContexts.For(network, i, heuristic, RunSettings.Native);
                if (!Mapper.RunsOnTheArray(layer) || !compared.Add((TimingRunner.ShapeOf(layer), network.Batch, context)))
                {
                    continue;
                }

                string where = $"{workload} {layer.Name}";
                LayerTiming? before = RunOrRefuse(layer, network.Batch, heuristic, context, loaded, memo);
                foreach (MapperObjective objective in Objectives)
                {
                    AcceleratorConfig searched = heuristic with { Mapper = new MapperConfig(MapperSearch.Pruned, objective, null) };
                    LayerTiming? after = RunOrRefuse(layer, network.Batch, searched, context, loaded, memo);
                    if (before is null)
                    {
                        // A layer the heuristic refuses and the search maps is a win; refused by both, nothing to compare.
                        searchOnly += after is null ? 0 : 1;
                    }
                    else if (after is null)
                    {
                        worse.Add($"{where}: the search refuses a layer the heuristic maps ({objective})");
                    }
                    else if (ValueOf(after, objective) > ValueOf(before, objective))
                    {
                        worse.Add($"{where}: {objective} {ValueOf(after, objective)} > heuristic {ValueOf(before, objective)}");
                    }
                }
            }
        }

        TestContext.Out.WriteLine($"{compared.Count} distinct layers compared; {searchOnly} (layer, objective) pairs mapped only by the search");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(worse, Is.Empty);

            // The dedupe still leaves the zoo's variety: the check cannot pass by comparing nothing.
            Assert.That(compared, Has.Count.GreaterThan(100));
        }
    }

    private static LayerTiming? RunOrRefuse(Layer layer, int batch, AcceleratorConfig config, LayerContext context, LoadedAccelerator loaded, SearchMemo memo)
    {
        try
        {
            return LayerSimulator.Run(layer, batch, config, context, energy: loaded.Energy, memo: memo);
        }
        catch (MappingException)
        {
            return null;
        }
    }

    private static long ValueOf(LayerTiming timing, MapperObjective objective) =>
        objective == MapperObjective.Cycles ? timing.TotalCycles : timing.DramReadBytes + timing.DramWriteBytes;
}
