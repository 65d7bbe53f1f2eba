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

/// <summary>Weights (and optionally bias) from NumPy <c>.npy</c> files: weights shaped [M, C/groups, R, S] or [M, K]
/// (fc: [outputs, inputs]), bias [M]; any dtype the reader takes, converted to float32. Paths are resolved already.</summary>
public sealed record NpyWeights(string WeightsPath, string? BiasPath) : WeightSource;

/// <summary>The network input from a NumPy <c>.npy</c> file shaped [batch, C, H, W] (or [C, H, W] for batch 1).</summary>
public sealed record NpyInputs(string Path) : InputSource;
