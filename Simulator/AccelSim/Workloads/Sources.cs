namespace AccelSim.Workloads;

/// <summary>Where a layer's weights and bias come from. New sources (NumPy files, ONNX initializers) derive from this.</summary>
public abstract record WeightSource;

/// <summary>Weights drawn from a seeded He-normal distribution (std = sqrt(2 / fan-in)); bias is zero.</summary>
/// <param name="Seed">Seed of this layer's generator: derived from the workload seed and the layer name unless set per layer.</param>
public sealed record SyntheticWeights(ulong Seed) : WeightSource;

/// <summary>Where the network's input tensors come from.</summary>
public abstract record InputSource;

/// <summary>One input per batch item, drawn from a seeded standard normal distribution.</summary>
public sealed record SyntheticInputs(ulong Seed) : InputSource;
