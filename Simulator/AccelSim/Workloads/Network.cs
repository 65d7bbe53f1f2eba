using System.Collections.Immutable;

namespace AccelSim.Workloads;

/// <summary>A validated network: the input, then layers in execution order (every layer's inputs come earlier).</summary>
public sealed record Network
{
    /// <summary>The name by which layers refer to the network input.</summary>
    public const string InputName = "input";

    public required string Name { get; init; }

    public required int Batch { get; init; }

    public required TensorShape InputShape { get; init; }

    public required InputSource Inputs { get; init; }

    public required ImmutableArray<Layer> Layers { get; init; }

    public long MacsPerItem => Layers.Sum(l => l.MacsPerItem);

    public long Parameters => Layers.Sum(l => l.Parameters);
}
