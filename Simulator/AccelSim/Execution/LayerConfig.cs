using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>The accelerator as one layer sees it: the config with the layer's own BFP formats, if it has any.</summary>
public static class LayerConfig
{
    /// <summary>The accelerator as layer <paramref name="index"/> of <paramref name="network"/> sees it: its BFP formats,
    /// and whether its input arrives, or its output stays, on chip.</summary>
    public static AcceleratorConfig For(Network network, int index, AcceleratorConfig config)
    {
        AcceleratorConfig view = For(network.Layers[index], config);
        return config.OnChipActivations
            ? view with { InputFromChip = index > 0 && StaysOnChip(network, index - 1, config), OutputToChip = StaysOnChip(network, index, config) }
            : view;
    }

    /// <summary>A layer's output stays on chip when only the next layer reads it, that layer reads nothing else, and it
    /// fits both the output buffer (where it is made) and half the input buffer (where the next layer reads it). The
    /// network's output always goes to DRAM.</summary>
    public static bool StaysOnChip(Network network, int index, AcceleratorConfig config)
    {
        if (index + 1 >= network.Layers.Length)
        {
            return false;
        }

        Layer layer = network.Layers[index];
        Layer next = network.Layers[index + 1];
        bool onlyNext = next.Inputs is [var only] && only == layer.Name
            && !network.Layers.Where((l, j) => j != index + 1 && l.Inputs.Contains(layer.Name)).Any();
        long bytes = layer.OutputShape.Elements * network.Batch * Mapping.DataSizes.FeatureMapElementBytes;
        return onlyNext && bytes <= config.Buffers.Ofmap.CapacityBytes && bytes <= config.Buffers.Ifmap.HalfCapacityBytes;
    }

    public static AcceleratorConfig For(Layer layer, AcceleratorConfig config)
    {
        LayerBfp? own = layer switch
        {
            ConvLayer c => c.Bfp,
            FullyConnectedLayer f => f.Bfp,
            _ => null,
        };
        if (own is null)
        {
            return config;
        }

        BfpSettings bfp = config.Bfp with { Weights = Apply(config.Bfp.Weights, own.Weights), Inputs = Apply(config.Bfp.Inputs, own.Inputs) };
        return config with { Bfp = bfp };

        static BfpFormat Apply(BfpFormat format, BfpFormatOverride change) =>
            new(change.ExponentBits ?? format.ExponentBits, change.MantissaBits ?? format.MantissaBits);
    }
}
