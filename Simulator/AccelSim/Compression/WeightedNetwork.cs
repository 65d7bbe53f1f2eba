using System.Collections.Immutable;
using AccelSim.Execution;
using AccelSim.Numerics;
using AccelSim.Tensors;
using AccelSim.Workloads;

namespace AccelSim.Compression;

/// <summary>A conv or FC layer's weights in memory: [M, C/groups, R, S] or [outputs, inputs] row-major, and the bias
/// ([M], or empty when the layer has none).</summary>
public sealed record LayerWeights(float[] Weights, float[] Bias)
{
    /// <summary>Weights that are not zero: the connections that remain after pruning.</summary>
    public long NonZeroWeights => Weights.LongCount(w => w != 0);
}

/// <summary>A network with every weight in memory, and for each layer the layer of the source network it came from
/// (a low-rank pair maps both halves to the original layer).</summary>
public sealed record WeightedNetwork(
    Network Network, ImmutableDictionary<string, LayerWeights> Weights, ImmutableDictionary<string, string> Origins)
{
    /// <summary>Loads every conv and FC layer's weights exactly as a run does: synthetic ones drawn (He-normal from the
    /// layer's seed, zero bias), NumPy and ONNX ones read.</summary>
    /// <exception cref="NpyFormatException">A weight file does not hold the layer's number of values.</exception>
    public static WeightedNetwork Materialize(Network network)
    {
        var weights = ImmutableDictionary.CreateBuilder<string, LayerWeights>(StringComparer.Ordinal);
        foreach (Layer layer in network.Layers)
        {
            (long fanIn, int outputs, bool hasBias, WeightSource? source) = layer switch
            {
                ConvLayer c => (c.ReductionLength, c.OutputChannels, c.HasBias, c.Weights),
                FullyConnectedLayer f => (f.InputFeatures, f.OutputFeatures, f.HasBias, (WeightSource?)f.Weights),
                _ => (0L, 0, false, null),
            };
            if (source is null)
            {
                continue;
            }

            // The same weights a run uses (synthetic, NumPy or ONNX), loaded the same way.
            ConvShape g = layer is ConvLayer conv ? conv.ShapeFor(1) : ((FullyConnectedLayer)layer).ShapeFor(1);
            (float[] w, float[] b) = NetworkNumerics.LoadWeights(layer, g, source, hasBias);
            weights[layer.Name] = new LayerWeights(w, b);
        }

        return new WeightedNetwork(network, weights.ToImmutable(), network.Layers.ToImmutableDictionary(l => l.Name, l => l.Name, StringComparer.Ordinal));
    }

    /// <summary>Non-zero weights plus biases of one layer (0 for layers without weights).</summary>
    public long NonZeroParameters(Layer layer) =>
        Weights.TryGetValue(layer.Name, out LayerWeights? w) ? w.NonZeroWeights + w.Bias.Length : 0;

    /// <summary>MACs per batch item that multiply a non-zero weight (dense layers: all of them).</summary>
    public long EffectualMacs(Layer layer) => layer switch
    {
        ConvLayer c => Weights[c.Name].NonZeroWeights * c.OutputShape.Height * c.OutputShape.Width,
        FullyConnectedLayer f => Weights[f.Name].NonZeroWeights,
        _ => 0,
    };
}
