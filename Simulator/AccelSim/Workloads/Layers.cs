using System.Collections.Immutable;

namespace AccelSim.Workloads;

/// <summary>The kind of a layer, as written in workload files.</summary>
public enum LayerKind
{
    Convolution,
    FullyConnected,
    MaxPool,
    AveragePool,
    Add,
    Relu,
    Concat,
}

/// <summary>One layer of a network, with its shapes already inferred and checked.</summary>
public abstract record Layer
{
    public required string Name { get; init; }

    /// <summary>The ONNX node an imported layer starts with, for reports beside its readable name; null otherwise.</summary>
    public string? OnnxNode { get; init; }

    /// <summary>Names of the layers whose outputs feed this one; <c>input</c> names the network input.</summary>
    public required ImmutableArray<string> Inputs { get; init; }

    /// <summary>How this layer's output is stored in SRAM and DRAM; null: the accelerator's <c>activation_storage</c>.</summary>
    public ActivationStorage? ActivationStorage { get; init; }

    /// <summary>How this layer's output is compressed in DRAM; null: the accelerator's <c>activation_compression</c>.</summary>
    public ActivationCompression? ActivationCompression { get; init; }

    /// <summary>Fraction of this layer's output elements that are nonzero, for sizing its compressed map when numerics
    /// do not run; null: <c>FeatureMapCompression.DefaultDensity</c>.</summary>
    public double? Density { get; init; }

    /// <summary>Shape of the (first) input, per batch item.</summary>
    public required TensorShape InputShape { get; init; }

    /// <summary>Shape of the output, per batch item.</summary>
    public required TensorShape OutputShape { get; init; }

    public abstract LayerKind Kind { get; }

    /// <summary>The layer's own choice of fusion into its producer's output path (workload <c>fuse:</c>, ReLU, pooling and
    /// add layers): true asks for it, false refuses it; null follows the accelerator's <c>vector_unit.fuse</c>.</summary>
    public bool? Fuse { get; init; }

    /// <summary>Multiply-accumulates per batch item (0 for layers that run on the vector unit).</summary>
    public virtual long MacsPerItem => 0;

    /// <summary>Weight and bias parameters.</summary>
    public virtual long Parameters => 0;
}

/// <summary>A per-layer change of a BFP format; null fields keep the accelerator's value.</summary>
public sealed record BfpFormatOverride(int? ExponentBits, int? MantissaBits)
{
    /// <summary>The tensor's number format by name: <c>bfp</c>, or an MX/NVFP4 format (docs/mx-formats.md); null keeps
    /// the accelerator's.</summary>
    public string? Format { get; init; }
}

/// <summary>A layer's own BFP formats for its weights and its input feature map (quantized networks carry them per layer).</summary>
public sealed record LayerBfp(BfpFormatOverride Weights, BfpFormatOverride Inputs)
{
    /// <summary>Where the layer's <c>bfp:</c> was written (<c>file:line:column</c>), for errors found once the
    /// accelerator is known; null when built in code.</summary>
    public string? Location { get; init; }

    /// <summary>Equal formats are equal wherever they were written: the location is not part of the value.</summary>
    public bool Equals(LayerBfp? other) => other is not null && Weights == other.Weights && Inputs == other.Inputs;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Weights, Inputs);
}

/// <summary>A 2-D convolution, computed as <c>O (M×N) = W (M×K) · I (K×N)</c> per group.</summary>
public sealed record ConvLayer : Layer
{
    public override LayerKind Kind => LayerKind.Convolution;

    public required int OutputChannels { get; init; }

    public required int KernelHeight { get; init; }

    public required int KernelWidth { get; init; }

    public required int StrideHeight { get; init; }

    public required int StrideWidth { get; init; }

    public required int PadTop { get; init; }

    public required int PadLeft { get; init; }

    public required int PadBottom { get; init; }

    public required int PadRight { get; init; }

    public required int DilationHeight { get; init; }

    public required int DilationWidth { get; init; }

    public required int Groups { get; init; }

    public required bool HasBias { get; init; }

    /// <summary>ReLU applied to the output on its way out (float32, vector unit).</summary>
    public required bool FusedRelu { get; init; }

    public required WeightSource Weights { get; init; }

    /// <summary>This layer's BFP formats, or null for the accelerator's.</summary>
    public LayerBfp? Bfp { get; init; }

    /// <summary>Which weights are non-zero as the PEs see them; null when not measured (the weights count as dense).</summary>
    public WeightMask? NonZeroWeights { get; init; }

    /// <summary>K: reduction length of one output element.</summary>
    public long ReductionLength => (long)(InputShape.Channels / Groups) * KernelHeight * KernelWidth;

    public override long MacsPerItem => OutputShape.Elements * ReductionLength;

    public override long Parameters => (OutputChannels * ReductionLength) + (HasBias ? OutputChannels : 0);

    /// <summary>This layer's shape over <paramref name="batch"/> items.</summary>
    public ConvShape ShapeFor(int batch) => new(
        batch, InputShape.Channels, InputShape.Height, InputShape.Width, OutputChannels, KernelHeight, KernelWidth,
        StrideHeight, StrideWidth, PadTop, PadLeft, PadBottom, PadRight, DilationHeight, DilationWidth, Groups);

    /// <summary>A square conv (same kernel, stride and padding on every side; no dilation, one group, with bias) reading
    /// <paramref name="input"/> of the network input or the layer named <paramref name="from"/>.</summary>
    public static ConvLayer Square(
        string name, string from, TensorShape input, int filters, int kernel, int stride, int padding, bool relu, WeightSource weights)
    {
        int Out(int size) => ((size + (2 * padding) - kernel) / stride) + 1;
        return new ConvLayer
        {
            Name = name,
            Inputs = [from],
            InputShape = input,
            OutputShape = new TensorShape(filters, Out(input.Height), Out(input.Width)),
            OutputChannels = filters,
            KernelHeight = kernel,
            KernelWidth = kernel,
            StrideHeight = stride,
            StrideWidth = stride,
            PadTop = padding,
            PadLeft = padding,
            PadBottom = padding,
            PadRight = padding,
            DilationHeight = 1,
            DilationWidth = 1,
            Groups = 1,
            HasBias = true,
            FusedRelu = relu,
            Weights = weights,
        };
    }
}

/// <summary>A fully connected layer over the flattened input (C·H·W features).</summary>
public sealed record FullyConnectedLayer : Layer
{
    public override LayerKind Kind => LayerKind.FullyConnected;

    public required int OutputFeatures { get; init; }

    public required bool HasBias { get; init; }

    public required bool FusedRelu { get; init; }

    public required WeightSource Weights { get; init; }

    /// <summary>This layer's BFP formats, or null for the accelerator's.</summary>
    public LayerBfp? Bfp { get; init; }

    /// <summary>Which weights are non-zero as the PEs see them; null when not measured (the weights count as dense).</summary>
    public WeightMask? NonZeroWeights { get; init; }

    public long InputFeatures => InputShape.Elements;

    public override long MacsPerItem => InputFeatures * OutputFeatures;

    public override long Parameters => (InputFeatures * OutputFeatures) + (HasBias ? OutputFeatures : 0);

    /// <summary>This layer's shape over <paramref name="batch"/> items: a 1×1 convolution on a 1×1 map.</summary>
    /// <exception cref="OverflowException">The input has more than <see cref="int.MaxValue"/> features.</exception>
    public ConvShape ShapeFor(int batch) => ConvShape.FullyConnected(batch, checked((int)InputFeatures), OutputFeatures);
}

/// <summary>Max or average pooling. Average pooling divides by the number of in-bounds elements of the window.</summary>
public sealed record PoolLayer : Layer
{
    public required bool IsMax { get; init; }

    public override LayerKind Kind => IsMax ? LayerKind.MaxPool : LayerKind.AveragePool;

    public required int KernelHeight { get; init; }

    public required int KernelWidth { get; init; }

    public required int StrideHeight { get; init; }

    public required int StrideWidth { get; init; }

    public required int PadTop { get; init; }

    public required int PadLeft { get; init; }

    public required int PadBottom { get; init; }

    public required int PadRight { get; init; }

    /// <summary>This layer's shape over <paramref name="batch"/> items.</summary>
    public PoolShape ShapeFor(int batch) => new(
        batch, InputShape.Channels, InputShape.Height, InputShape.Width, KernelHeight, KernelWidth,
        StrideHeight, StrideWidth, PadTop, PadLeft, PadBottom, PadRight);
}

/// <summary>Elementwise sum of two equally shaped inputs (residual connections).</summary>
public sealed record AddLayer : Layer
{
    public override LayerKind Kind => LayerKind.Add;

    public required bool FusedRelu { get; init; }
}

/// <summary>A standalone ReLU.</summary>
public sealed record ReluLayer : Layer
{
    public override LayerKind Kind => LayerKind.Relu;
}

/// <summary>Inputs of equal height and width stacked along the channels, in the order listed (GoogLeNet's inception
/// modules, ONNX <c>Concat</c> on axis 1). <see cref="Layer.InputShape"/> is the first input's.</summary>
public sealed record ConcatLayer : Layer
{
    public override LayerKind Kind => LayerKind.Concat;

    /// <summary>Channels of each input, in the order of <see cref="Layer.Inputs"/>.</summary>
    public required ImmutableArray<int> InputChannels { get; init; }
}
