using AccelSim.Configuration.Yaml;
using AccelSim.Workloads;

namespace AccelSim.Configuration;

// One reader per layer type: convolution, fully connected, pooling, add.
internal static partial class WorkloadReader
{
    private static ConvLayer? ReadConv(MapReader layer, string label, string? name, LayerInputs? inputs, LayerContext context)
    {
        int? filters = layer.Int32("filters", ExtentRule);
        (int H, int W)? kernel = ReadPair(layer, "kernel", ExtentRule, required: true);
        (int H, int W)? stride = layer.Has("stride") ? ReadPair(layer, "stride", ExtentRule, required: true) : (1, 1);
        Padding? padding = layer.Has("padding") ? ReadPadding(layer) : default(Padding);
        (int H, int W)? dilation = layer.Has("dilation") ? ReadPair(layer, "dilation", ExtentRule, required: true) : (1, 1);
        int? groups = layer.Has("groups") ? layer.Int32("groups", ExtentRule) : 1;
        bool? bias = layer.Has("bias") ? layer.Boolean("bias") : true;
        bool? relu = layer.Has("relu") ? layer.Boolean("relu") : false;
        WeightSource? weights = ReadWeights(layer, label, name, context);
        (bool bfpOk, LayerBfp? bfp) = ReadLayerBfp(layer);

        if (name is null || inputs is not { Shape: { } input } || filters is not { } m || kernel is not { } k || stride is not { } s
            || padding is not { } p || dilation is not { } d || groups is not { } g || bias is null || relu is null || weights is null || !bfpOk)
        {
            return null;
        }

        if (input.Channels % g != 0 || m % g != 0)
        {
            layer.Errors.Add(layer.Entry("groups")!.Value,
                $"{layer.Full("groups")} {g} must divide both the input channels ({input.Channels}) and filters ({m})");
            return null;
        }

        // Padding beyond the dilated kernel extent − 1 only adds windows of zeros: refused, so no padding can blow up the output.
        if (p.Top > d.H * (k.H - 1) || p.Bottom > d.H * (k.H - 1) || p.Left > d.W * (k.W - 1) || p.Right > d.W * (k.W - 1))
        {
            layer.Errors.Add(layer.Entry("padding")!.Value,
                $"{layer.Full("padding")} may be at most the dilated kernel extent − 1 on every side ({d.H * (k.H - 1)} rows, {d.W * (k.W - 1)} columns), so that every window holds an input element; padding (top, left, bottom, right) is {p.Top}, {p.Left}, {p.Bottom}, {p.Right}");
            return null;
        }

        int? height = OutputExtent(layer, label, "height", input.Height, p.Top, p.Bottom, k.H, s.H, d.H);
        int? width = OutputExtent(layer, label, "width", input.Width, p.Left, p.Right, k.W, s.W, d.W);
        if (height is null || width is null)
        {
            return null;
        }

        return new ConvLayer
        {
            Bfp = bfp,
            Name = name,
            Inputs = inputs.Value.Names,
            InputShape = input,
            OutputShape = new TensorShape(m, height.Value, width.Value),
            OutputChannels = m,
            KernelHeight = k.H,
            KernelWidth = k.W,
            StrideHeight = s.H,
            StrideWidth = s.W,
            PadTop = p.Top,
            PadLeft = p.Left,
            PadBottom = p.Bottom,
            PadRight = p.Right,
            DilationHeight = d.H,
            DilationWidth = d.W,
            Groups = g,
            HasBias = bias.Value,
            FusedRelu = relu.Value,
            Weights = weights,
        };
    }

    private static FullyConnectedLayer? ReadFullyConnected(MapReader layer, string label, string? name, LayerInputs? inputs, LayerContext context)
    {
        int? outputs = layer.Int32("outputs", FeaturesRule);
        bool? bias = layer.Has("bias") ? layer.Boolean("bias") : true;
        bool? relu = layer.Has("relu") ? layer.Boolean("relu") : false;
        WeightSource? weights = ReadWeights(layer, label, name, context);
        (bool bfpOk, LayerBfp? bfp) = ReadLayerBfp(layer);

        if (name is null || inputs is not { Shape: { } input } || outputs is not { } n || bias is null || relu is null || weights is null || !bfpOk)
        {
            return null;
        }

        return new FullyConnectedLayer
        {
            Bfp = bfp,
            Name = name,
            Inputs = inputs.Value.Names,
            InputShape = input,
            OutputShape = new TensorShape(n, 1, 1),
            OutputFeatures = n,
            HasBias = bias.Value,
            FusedRelu = relu.Value,
            Weights = weights,
        };
    }

    private static PoolLayer? ReadPool(MapReader layer, string label, string? name, LayerInputs? inputs, bool isMax)
    {
        bool? global = layer.Has("global") ? layer.Boolean("global") : false;
        if (global is null)
        {
            return null;
        }

        if (global.Value)
        {
            foreach (string key in WindowKeys.Where(key => layer.Entry(key) is not null))
            {
                layer.Errors.Add(layer.Entry(key)!.Key,
                    $"{layer.Full(key)} cannot be given with global: true (the window is the whole input, the output 1x1)");
            }

            if (name is null || inputs is not { Shape: { } whole })
            {
                return null;
            }

            return new PoolLayer
            {
                Name = name,
                IsMax = isMax,
                Inputs = inputs.Value.Names,
                InputShape = whole,
                OutputShape = new TensorShape(whole.Channels, 1, 1),
                KernelHeight = whole.Height,
                KernelWidth = whole.Width,
                StrideHeight = whole.Height,
                StrideWidth = whole.Width,
                PadTop = 0,
                PadLeft = 0,
                PadBottom = 0,
                PadRight = 0,
            };
        }

        (int H, int W)? kernel = ReadPair(layer, "kernel", ExtentRule, required: true, alternative: " (or give global: true)");
        (int H, int W)? stride = layer.Has("stride") ? ReadPair(layer, "stride", ExtentRule, required: true) : kernel;
        Padding? padding = layer.Has("padding") ? ReadPadding(layer) : default(Padding);

        if (kernel is { } k && padding is { } pad && (pad.Top >= k.H || pad.Bottom >= k.H || pad.Left >= k.W || pad.Right >= k.W))
        {
            layer.Errors.Add(layer.Entry("padding")!.Value,
                $"{layer.Full("padding")} must be smaller than the kernel on every side, so that every window holds an input element; kernel is {k.H}x{k.W}, padding (top, left, bottom, right) is {pad.Top}, {pad.Left}, {pad.Bottom}, {pad.Right}");
            return null;
        }

        if (name is null || inputs is not { Shape: { } input } || kernel is not { } kk || stride is not { } s || padding is not { } p)
        {
            return null;
        }

        int? height = OutputExtent(layer, label, "height", input.Height, p.Top, p.Bottom, kk.H, s.H, 1);
        int? width = OutputExtent(layer, label, "width", input.Width, p.Left, p.Right, kk.W, s.W, 1);
        if (height is null || width is null)
        {
            return null;
        }

        return new PoolLayer
        {
            Name = name,
            IsMax = isMax,
            Inputs = inputs.Value.Names,
            InputShape = input,
            OutputShape = new TensorShape(input.Channels, height.Value, width.Value),
            KernelHeight = kk.H,
            KernelWidth = kk.W,
            StrideHeight = s.H,
            StrideWidth = s.W,
            PadTop = p.Top,
            PadLeft = p.Left,
            PadBottom = p.Bottom,
            PadRight = p.Right,
        };
    }

    private static AddLayer? ReadAdd(MapReader layer, string? name, LayerInputs? inputs)
    {
        bool? relu = layer.Has("relu") ? layer.Boolean("relu") : false;
        if (name is null || inputs is not { Shape: { } shape } || relu is null)
        {
            return null;
        }

        return new AddLayer { Name = name, Inputs = inputs.Value.Names, InputShape = shape, OutputShape = shape, FusedRelu = relu.Value };
    }
}
