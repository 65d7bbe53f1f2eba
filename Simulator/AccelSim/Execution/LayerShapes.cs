using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>What a layer's timing depends on, as a key that compares by value.</summary>
public static class LayerShapes
{
    /// <summary>Stands in for every layer's weights: timing does not depend on their values.</summary>
    private static readonly SyntheticWeights AnyWeights = new(0);

    /// <summary>The layer without what timing ignores (its name, inputs and weight values); record equality then compares
    /// shapes and parameters only. A sparse layer's mask of nonzero weights stays, since sparse storage and skipping
    /// time by it.</summary>
    public static Layer TimingKey(Layer layer)
    {
        Layer anonymous = layer with { Name = "", Inputs = [] };
        return anonymous switch
        {
            ConvLayer conv => conv with { Weights = AnyWeights },
            FullyConnectedLayer fc => fc with { Weights = AnyWeights },
            _ => anonymous,
        };
    }
}
