using System.Collections.Immutable;

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

/// <summary>Weights (and bias, when the layer has one) read from a model, laid out as for <see cref="NpyWeights"/>: an
/// ONNX model's initializers, batch normalisation folded in. The sizes are known when the workload is read; the values
/// may be read when first asked for (a timing-only run never asks).</summary>
public sealed record LoadedWeights : WeightSource
{
    private readonly Lazy<(ImmutableArray<float> Weights, ImmutableArray<float>? Bias)> _values;

    /// <summary>Weights already read.</summary>
    /// <param name="origin">Where they came from (the model file and nodes), for messages.</param>
    public LoadedWeights(ImmutableArray<float> weights, ImmutableArray<float>? bias, string origin)
        : this(weights.Length, bias?.Length, origin, () => (weights, bias))
    {
    }

    /// <summary>Weights of the given sizes that <paramref name="load"/> reads when first asked for (once, whatever the
    /// thread count).</summary>
    public LoadedWeights(long weightCount, int? biasLength, string origin, Func<(ImmutableArray<float> Weights, ImmutableArray<float>? Bias)> load)
    {
        WeightCount = weightCount;
        BiasLength = biasLength;
        Origin = origin;
        _values = new(load, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public long WeightCount { get; }

    /// <summary>The bias length; null when the layer has no bias.</summary>
    public int? BiasLength { get; }

    /// <summary>Where they came from (the model file and nodes), for messages.</summary>
    public string Origin { get; }

    public ImmutableArray<float> Weights => _values.Value.Weights;

    public ImmutableArray<float>? Bias => _values.Value.Bias;
}

/// <summary>Where an image comes from: values 0..255 per channel, RGB.</summary>
public abstract record ImageSource;

/// <summary>A seeded image of uniformly drawn 8-bit values per channel and pixel.</summary>
public sealed record SyntheticImage(ulong Seed) : ImageSource;

/// <summary>A PNG file of the network's height and width (grey, grey+alpha, RGB or RGBA; alpha is dropped).</summary>
public sealed record PngImage(string Path) : ImageSource;

/// <summary>An image prepared the way the network was trained: channels reordered, then a mean subtracted.</summary>
/// <param name="Bgr">Whether the network reads the channels as blue, green, red (the image is RGB).</param>
/// <param name="Mean">Subtracted after the reordering: C·H·W values (a mean image) or C (one per channel); empty for none.</param>
public sealed record ImageInputs(ImageSource Image, bool Bgr, ImageMean Mean) : InputSource;

/// <summary>The mean subtracted from an image input. Its length is known when the workload is read; its values may be
/// read when first asked for (a timing-only run never asks, and skips reading a mean image from its model).</summary>
public sealed class ImageMean
{
    private readonly Lazy<ImmutableArray<float>> _values;

    /// <summary>Values already read.</summary>
    public ImageMean(ImmutableArray<float> values)
        : this(values.Length, () => values)
    {
    }

    /// <summary><paramref name="length"/> values that <paramref name="load"/> reads when first asked for (once, whatever
    /// the thread count); it must return that many.</summary>
    public ImageMean(long length, Func<ImmutableArray<float>> load)
    {
        Length = length;
        _values = new(load, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>No mean.</summary>
    public static ImageMean None { get; } = new([]);

    public long Length { get; }

    public ImmutableArray<float> Values => _values.Value;
}
