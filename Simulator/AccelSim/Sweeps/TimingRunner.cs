using System.Collections.Immutable;
using AccelSim.Energy;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Reports;
using AccelSim.Workloads;

namespace AccelSim.Sweeps;

/// <summary>
/// A timing-only run that simulates each distinct layer of a network once: layers equal in everything but their name,
/// inputs and weight values (ResNet's repeated blocks) take the same cycles, traffic and actions on one accelerator,
/// since each layer starts with empty buffers and timing never looks at values. The result equals
/// <see cref="NetworkRunner.Run"/> without numerics field for field; a test holds the two together.
/// </summary>
internal static class TimingRunner
{
    /// <param name="memo">The mapping-search memo (a sweep shares one across its points); null: one for this run.</param>
    public static RunResult Run(AcceleratorConfig config, EnergyTable energy, Network network, SearchMemo? memo = null)
    {
        memo ??= new SearchMemo();
        // Sparse weight storage and skipping make timing depend on the weights: measure them (masks differ per layer,
        // so the cache below then keys on them too).
        network = WeightSparsity.Measure(network, config, threads: 1);
        var timings = new Dictionary<(Layer, bool, bool, string?, string?, FusedOutput?), LayerTiming>();
        var fusion = LayerContexts.FusionAsked(network, config) ? LayerFusion.Plan(network, config, RunSettings.Native) : default;
        var results = ImmutableArray.CreateBuilder<LayerResult>(network.Layers.Length);
        for (int i = 0; i < network.Layers.Length; i++)
        {
            Layer layer = network.Layers[i];
            LayerContext context = LayerContexts.For(network, i, config, RunSettings.Native, fusion);
            var shape = (ShapeOf(layer), context.InputFromChip, context.OutputToChip, context.FusedInto, context.NotFused, context.Fusion);
            if (!timings.TryGetValue(shape, out LayerTiming? timing))
            {
                timing = LayerSimulator.Run(layer, network.Batch, config, context, energy: energy, memo: memo);
                timings.Add(shape, timing);
            }

            results.Add(NetworkRunner.LayerResultOf(layer, timing, null, network.Batch, config, energy, RunSettings.Native));
        }

        return NetworkRunner.ResultOf(config, energy, network, results.MoveToImmutable(), null);
    }

    /// <summary>The layer without what timing ignores (<see cref="LayerShapes.TimingKey"/>).</summary>
    internal static Layer ShapeOf(Layer layer) => LayerShapes.TimingKey(layer);
}
