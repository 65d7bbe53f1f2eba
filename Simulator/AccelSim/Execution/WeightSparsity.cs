using System.Collections.Immutable;
using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>Measures which weights are non-zero when the hardware can use it: sparse weight storage, or skipping.</summary>
/// <remarks>
/// A weight counts as zero when the PEs would see zero: a BFP mantissa that quantizes to 0 (small weights in a block
/// with a large one do), a float16 that rounds to 0, or a float32 zero. Timing then sizes each weight tile from its own
/// non-zero count, and a skipping array leaves out the reduction steps all its columns' weights are zero at.
/// </remarks>
public static class WeightSparsity
{
    /// <summary>True when the config's timing depends on the weights' values.</summary>
    public static bool Needed(AcceleratorConfig config) =>
        config.WeightStorage != WeightStorage.Dense || config.PeArray.ZeroOperands == ZeroOperandPolicy.Skip;

    /// <summary>The network with every conv and FC layer carrying its measured mask (unchanged when not needed).</summary>
    public static Network Measure(Network network, AcceleratorConfig config, int threads)
    {
        if (!Needed(config))
        {
            return network;
        }

        var layers = new Layer[network.Layers.Length];
        Parallel.For(0, layers.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i =>
        {
            Layer layer = network.Layers[i];
            layers[i] = layer switch
            {
                ConvLayer conv => conv with { NonZeroWeights = Mask(conv, conv.ShapeFor(1), conv.Weights, conv.HasBias, config) },
                FullyConnectedLayer fc => fc with { NonZeroWeights = Mask(fc, fc.ShapeFor(1), fc.Weights, fc.HasBias, config) },
                _ => layer,
            };
        });
        return network with { Layers = [.. layers] };
    }

    private static WeightMask Mask(Layer layer, ConvShape g, WeightSource source, bool hasBias, AcceleratorConfig config)
    {
        (float[] weights, _) = NetworkNumerics.LoadWeights(layer, g, source, hasBias);
        int reduction = g.Reduction;
        switch (config.PeArray.Arithmetic)
        {
            case Arithmetic.Bfp:
                QuantizedWeights quantized = BfpDatapath.QuantizeWeights(g, weights, LayerContexts.BfpOf(layer, config), layer.Name);
                return new WeightMask(g.OutChannels, reduction, (m, k) => quantized.Mantissa(m, (int)k) != 0);
            case Arithmetic.Float16:
                return new WeightMask(g.OutChannels, reduction, (m, k) => (float)(Half)weights[((long)m * reduction) + k] != 0);
            default:
                return new WeightMask(g.OutChannels, reduction, (m, k) => weights[((long)m * reduction) + k] != 0);
        }
    }
}
