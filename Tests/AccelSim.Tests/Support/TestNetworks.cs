using System.Collections.Immutable;
using AccelSim.Workloads;

namespace AccelSim.Tests.Support;

/// <summary>Small networks built in code with their shapes written out.</summary>
public static class TestNetworks
{
    /// <summary>2×6×6 input → conv c1 (4 filters 3×3, pad 1, ReLU) → 4×6×6 → max pool 2×2/2 → 4×3×3 → fc (3 outputs).</summary>
    public static Network Tiny(int batch = 1) => new()
    {
        Name = "tiny",
        Batch = batch,
        InputShape = new TensorShape(2, 6, 6),
        Inputs = new SyntheticInputs(7),
        Layers = [TinyConv(), TinyPool(), TinyFc()],
    };

    public static ConvLayer TinyConv() =>
        ConvLayer.Square("c1", Network.InputName, new TensorShape(2, 6, 6), filters: 4, kernel: 3, stride: 1, padding: 1, relu: true, new SyntheticWeights(11));

    /// <summary>The tiny conv reshaped to a square one: channels × size × size input, a square kernel, the output size from
    /// the usual formula floor((size + 2·pad − dilation·(kernel − 1) − 1) / stride) + 1.</summary>
    public static ConvLayer SquareConv(int channels, int size, int filters, int kernel, int stride = 1, int pad = 0, int dilation = 1, int groups = 1)
    {
        int outSize = ((size + (2 * pad) - (dilation * (kernel - 1)) - 1) / stride) + 1;
        return TinyConv() with
        {
            InputShape = new TensorShape(channels, size, size),
            OutputShape = new TensorShape(filters, outSize, outSize),
            OutputChannels = filters,
            KernelHeight = kernel,
            KernelWidth = kernel,
            StrideHeight = stride,
            StrideWidth = stride,
            PadTop = pad,
            PadLeft = pad,
            PadBottom = pad,
            PadRight = pad,
            DilationHeight = dilation,
            DilationWidth = dilation,
            Groups = groups,
        };
    }

    public static PoolLayer TinyPool() => new()
    {
        Name = "p1",
        Inputs = ["c1"],
        InputShape = new TensorShape(4, 6, 6),
        OutputShape = new TensorShape(4, 3, 3),
        IsMax = true,
        KernelHeight = 2,
        KernelWidth = 2,
        StrideHeight = 2,
        StrideWidth = 2,
        PadTop = 0,
        PadLeft = 0,
        PadBottom = 0,
        PadRight = 0,
    };

    public static FullyConnectedLayer TinyFc() => new()
    {
        Name = "f1",
        Inputs = ["p1"],
        InputShape = new TensorShape(4, 3, 3),
        OutputShape = new TensorShape(3, 1, 1),
        OutputFeatures = 3,
        HasBias = true,
        FusedRelu = false,
        Weights = new SyntheticWeights(13),
    };

    /// <summary>One FC layer, 16×8×8 = 1,024 inputs → 300 outputs (307,200 synthetic weights): large enough to be
    /// processed in slabs when the slab size is set below it.</summary>
    public static Network BigFc()
    {
        var input = new TensorShape(16, 8, 8);
        FullyConnectedLayer fc = TinyFc() with
        {
            Name = "fc", Inputs = [Network.InputName], InputShape = input, OutputShape = new TensorShape(300, 1, 1), OutputFeatures = 300,
            Weights = new SyntheticWeights(5),
        };
        return new Network { Name = "big-fc", Batch = 1, InputShape = input, Inputs = new SyntheticInputs(6), Layers = [fc] };
    }

    public static ImmutableArray<Layer> Layers(params Layer[] layers) => [.. layers];
}
