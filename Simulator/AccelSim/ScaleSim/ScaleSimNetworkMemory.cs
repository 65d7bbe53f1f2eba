using System.Collections.Immutable;
using AccelSim.Hardware;
using AccelSim.Reports;
using AccelSim.Statistics;
using AccelSim.Workloads;

namespace AccelSim.ScaleSim;

/// <summary>SCALE-Sim's memory system over a whole network, and its stalls in place of this simulator's in a
/// compatibility-mode run.</summary>
public static class ScaleSimNetworkMemory
{
    /// <summary>The memory model's result per layer (same indices as the network's layers); null for layers SCALE-Sim has
    /// no model of (pooling, additions, grouped convolutions, batches above 1). Layers are independent (each starts at
    /// cycle 0 with empty buffers, as in SCALE-Sim), so up to <paramref name="threads"/> run at once; the results do not
    /// depend on it.</summary>
    public static IReadOnlyList<ScaleSimMemoryResult?> Run(Network network, AcceleratorConfig config, ScaleSimMemoryConfig memory, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(memory);
        var results = new ScaleSimMemoryResult?[network.Layers.Length];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        Parallel.For(0, results.Length, options, i =>
        {
            if (ShapeOf(network.Layers[i], network.Batch) is { } shape)
            {
                results[i] = ScaleSimMemorySystem.Run(config.PeArray.Dataflow, config.PeArray.Rows, config.PeArray.Cols, shape, memory);
            }
        });

        return results;
    }

    /// <summary>The run with each modelled layer's memory stalls replaced by SCALE-Sim's (by the buffer that waited:
    /// IFMAP, weights, OFMAP; the array's fill and drain is kept), its total cycles and utilization following. Energy
    /// and DRAM bytes stay this simulator's.</summary>
    public static RunResult WithScaleSimStalls(RunResult result, IReadOnlyList<ScaleSimMemoryResult?> memory)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(memory);
        var layers = result.Layers.ToBuilder();
        for (int i = 0; i < layers.Count; i++)
        {
            if (memory[i] is not { } m)
            {
                continue;
            }

            // The array's fill and drain stays: SCALE-Sim counts it as compute, this simulator as a stall of its own.
            LayerResult layer = layers[i];
            long fillDrain = layer.StallCyclesByCause.GetValueOrDefault(StallCause.FillDrain);
            var stalls = Enum.GetValues<StallCause>().ToImmutableSortedDictionary(cause => cause, cause => cause switch
            {
                StallCause.Ifmap => m.IfmapStallCycles,
                StallCause.Weights => m.FilterStallCycles,
                StallCause.OutputDrain => m.OfmapStallCycles,
                StallCause.FillDrain => fillDrain,
                _ => 0L,
            });
            long total = layer.TotalCycles - layer.StallCycles + fillDrain + m.StallCycles;
            layers[i] = layer with
            {
                StallCyclesByCause = stalls,
                TotalCycles = total,
                OverallUtilization = total == 0 ? 0 : (double)layer.Macs / ((double)result.PeCount * total),
            };
        }

        return result with { Layers = layers.ToImmutable() };
    }

    /// <summary>SCALE-Sim's view of a conv or FC layer (batch 1, one group, no dilation; null otherwise): an unpadded
    /// input made of the top/left padding, the data and as much bottom/right padding as top/left, with the same output
    /// size. A SCALE-Sim topology has no top/left padding; its layers' bottom/right padding is the overhang of the last
    /// window, which reads nothing. FC is a 1×1 conv over a 1×1 input.</summary>
    public static ConvShape? ShapeOf(Layer layer, int batch) => layer switch
    {
        ConvLayer conv when conv.Groups == 1 && batch == 1 && conv.DilationHeight == 1 && conv.DilationWidth == 1 =>
            conv.ShapeFor(1).WithPaddingInInput(Math.Min(conv.PadTop, conv.PadBottom), Math.Min(conv.PadLeft, conv.PadRight)),
        FullyConnectedLayer fc when batch == 1 => fc.ShapeFor(1),
        _ => null,
    };
}
