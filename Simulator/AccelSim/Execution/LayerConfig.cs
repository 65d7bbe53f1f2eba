using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>The accelerator as one layer sees it: the config with the layer's own BFP formats, if it has any.</summary>
public static class LayerConfig
{
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
