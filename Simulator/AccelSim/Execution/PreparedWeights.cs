using System.Collections.Concurrent;
using AccelSim.Numerics;

namespace AccelSim.Execution;

/// <summary>Each conv/FC layer's weights and bias, read once, and their BFP or MX quantization, done once, shared by every
/// input of an evaluation (they do not depend on the input). Safe for concurrent use: a layer is prepared by the first
/// thread that asks, the others wait for it; what is kept is never written again.</summary>
public sealed class PreparedWeights
{
    private readonly ConcurrentDictionary<string, Lazy<(float[] Weights, float[] Bias)>> _loaded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<QuantizedWeights>> _quantized = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<MxWeights>> _mx = new(StringComparer.Ordinal);

    /// <summary>The layer's weights and bias, made by <paramref name="load"/> the first time.</summary>
    public (float[] Weights, float[] Bias) Loaded(string layer, Func<(float[] Weights, float[] Bias)> load) =>
        _loaded.GetOrAdd(layer, _ => new Lazy<(float[], float[])>(load)).Value;

    /// <summary>The layer's quantized weights, made by <paramref name="quantize"/> the first time.</summary>
    public QuantizedWeights Quantized(string layer, Func<QuantizedWeights> quantize) =>
        _quantized.GetOrAdd(layer, _ => new Lazy<QuantizedWeights>(quantize)).Value;

    /// <summary>The layer's weights in its MX/NVFP4 format, made by <paramref name="quantize"/> the first time.</summary>
    public MxWeights QuantizedMx(string layer, Func<MxWeights> quantize) =>
        _mx.GetOrAdd(layer, _ => new Lazy<MxWeights>(quantize)).Value;
}
