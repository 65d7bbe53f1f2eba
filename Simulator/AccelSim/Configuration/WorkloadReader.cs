using System.Collections.Immutable;
using System.Text.RegularExpressions;
using AccelSim.Configuration.Yaml;
using AccelSim.Onnx;
using AccelSim.Workloads;

namespace AccelSim.Configuration;

/// <summary>
/// Validates a workload document and builds the <see cref="Network"/>: every layer's input is resolved to an earlier
/// layer, and shapes are inferred layer by layer. A layer whose own fields are bad gets no shape, and the layers that
/// read it skip their shape checks, so one mistake is reported once.
/// </summary>
internal static partial class WorkloadReader
{
    private static readonly MapSchema ShapeSchema = new("channels", "height", "width");
    private static readonly MapSchema SyntheticSchema = new("seed");
    private static readonly MapSchema OnnxModelSchema = new("file", "package");
    private static readonly MapSchema SourceSchema = new(new KeySpec("synthetic", SyntheticSchema), new KeySpec("onnx", OnnxModelSchema));
    private static readonly MapSchema NpyWeightsSchema = new("weights", "bias");
    private static readonly MapSchema LayerSourceSchema = new(new KeySpec("synthetic", SyntheticSchema), new KeySpec("npy", NpyWeightsSchema));
    private static readonly MapSchema ImageSchema = new(new KeySpec("synthetic", SyntheticSchema), new KeySpec("png"));
    private static readonly MapSchema MeanSchema = new(new KeySpec("onnx", new MapSchema("file", "package", "tensor")));
    private static readonly MapSchema InputSourceSchema = new(
        new KeySpec("synthetic", SyntheticSchema), new KeySpec("npy"), new KeySpec("image", ImageSchema), new KeySpec("channel_order"), new KeySpec("mean", MeanSchema));
    private static readonly Choices<bool> ChannelOrders = new(("rgb", false), ("bgr", true));
    private static readonly MapSchema FormatSchema = new("exponent_bits", "mantissa_bits");
    private static readonly MapSchema LayerBfpSchema = new(
        new KeySpec("exponent_bits"), new KeySpec("mantissa_bits"), new KeySpec("weights", FormatSchema), new KeySpec("inputs", FormatSchema));
    private static readonly IntRule ExponentBitsRule = new(2, 8);
    private static readonly IntRule MantissaBitsRule = new(2, 24);

    private static readonly Choices<LayerKind> Kinds = new(
        ("conv", LayerKind.Convolution),
        ("fc", LayerKind.FullyConnected),
        ("max_pool", LayerKind.MaxPool),
        ("avg_pool", LayerKind.AveragePool),
        ("add", LayerKind.Add),
        ("relu", LayerKind.Relu),
        ("concat", LayerKind.Concat));

    private static readonly ImmutableDictionary<LayerKind, MapSchema> KeysByKind = new Dictionary<LayerKind, MapSchema>
    {
        [LayerKind.Convolution] = LayerKeys("name", "type", "input", "filters", "kernel", "stride", "padding", "dilation", "groups", "bias", "relu", "weights", "bfp"),
        [LayerKind.FullyConnected] = LayerKeys("name", "type", "input", "outputs", "bias", "relu", "weights", "bfp"),
        [LayerKind.MaxPool] = LayerKeys("name", "type", "input", "kernel", "stride", "padding", "global"),
        [LayerKind.AveragePool] = LayerKeys("name", "type", "input", "kernel", "stride", "padding", "global"),
        [LayerKind.Add] = LayerKeys("name", "type", "inputs", "relu"),
        [LayerKind.Relu] = LayerKeys("name", "type", "input"),
        [LayerKind.Concat] = LayerKeys("name", "type", "inputs"),
    }.ToImmutableDictionary();

    /// <summary>Every key any layer may have; used when the type is unknown, and by overrides.</summary>
    private static readonly MapSchema AnyLayerSchema = LayerKeys(
        "name", "type", "input", "inputs", "filters", "outputs", "kernel", "stride", "padding", "dilation", "groups", "global", "bias", "relu", "weights", "bfp");

    /// <summary>Every key of a workload file; overrides resolve against it.</summary>
    public static readonly MapSchema Schema = new(
        "version",
        "name",
        new KeySpec("input", ShapeSchema),
        "batch",
        new KeySpec("inputs", InputSourceSchema),
        new KeySpec("weights", SourceSchema),
        new KeySpec("layers", Items: AnyLayerSchema));

    private static readonly string[] PairNames = ["height", "width"];
    private static readonly string[] SideNames = ["top", "left", "bottom", "right"];
    private static readonly string[] WindowKeys = ["kernel", "stride", "padding"];

    private static readonly IntRule ExtentRule = new(1, 65536);
    private static readonly IntRule PaddingRule = new(0, 65536);
    private static readonly IntRule FeaturesRule = new(1, 1 << 20);
    private static readonly IntRule BatchRule = new(1, 1024);

    /// <summary>Reads the document; returns null when any error was reported.</summary>
    /// <param name="preloaded">A model already imported from the file that <c>weights: { onnx: … }</c> names, so it is not read twice.</param>
    public static Network? Read(DocNode document, ConfigErrors errors, string baseDirectory = "", ImportedModel? preloaded = null)
    {
        if (MapReader.Root(document, Schema, errors) is not { } root)
        {
            return null;
        }

        int errorsBefore = errors.Count;
        root.CheckVersion();
        string? name = root.Text("name");
        TensorShape? inputShape = root.Mapping("input", ShapeSchema) is { } input ? ReadShape(input) : null;
        int? batch = root.Has("batch") ? root.Int32("batch", BatchRule) : 1;
        InputSource? inputSource = ReadInputs(root, baseDirectory);
        if (inputSource is ImageInputs { Mean.Length: > 0 } image && inputShape is { } shape
            && image.Mean.Length != shape.Channels && image.Mean.Length != shape.Elements)
        {
            errors.Add(root.Entry("inputs")!.Value,
                $"inputs.mean has {image.Mean.Length} values; the input {shape} needs {shape.Channels} (one per channel) or {shape.Elements} (a mean image)");
            inputSource = null;
        }

        (ulong? weightSeed, ImportedModel? model) = ReadWorkloadWeights(root, baseDirectory, preloaded);
        var context = new LayerContext(errors, inputShape, weightSeed, root.Has("weights")) { BaseDirectory = baseDirectory, Model = model };
        ImmutableArray<Layer>? layers = ReadLayers(root, context);

        if (errors.Count > errorsBefore || name is null || inputShape is null || batch is null || inputSource is null || layers is null)
        {
            return null;
        }

        return new Network
        {
            Name = name,
            Batch = batch.Value,
            InputShape = inputShape.Value,
            Inputs = inputSource,
            Layers = layers.Value,
        };
    }

    private static MapSchema LayerKeys(params string[] keys) =>
        new([.. keys.Select(k => k switch
        {
            "weights" => new KeySpec(k, LayerSourceSchema),
            "bfp" => new KeySpec(k, LayerBfpSchema),
            _ => new KeySpec(k),
        })]);

    /// <summary>Reads a layer's optional <c>bfp:</c> formats: shared exponent_bits / mantissa_bits, or per tensor under
    /// weights: / inputs:; the per-tensor value wins. Returns (true, null) when absent, (false, _) on an error.</summary>
    private static (bool Ok, LayerBfp? Bfp) ReadLayerBfp(MapReader layer)
    {
        if (!layer.Has("bfp"))
        {
            return (true, null);
        }

        if (layer.Mapping("bfp", LayerBfpSchema) is not { } bfp)
        {
            return (false, null);
        }

        int errorsBefore = bfp.Errors.Count;
        int? exponent = bfp.Has("exponent_bits") ? bfp.Int32("exponent_bits", ExponentBitsRule) : null;
        int? mantissa = bfp.Has("mantissa_bits") ? bfp.Int32("mantissa_bits", MantissaBitsRule) : null;
        BfpFormatOverride Tensor(string key)
        {
            if (!bfp.Has(key) || bfp.Mapping(key, FormatSchema) is not { } tensor)
            {
                return new BfpFormatOverride(exponent, mantissa);
            }

            int? e = tensor.Has("exponent_bits") ? tensor.Int32("exponent_bits", ExponentBitsRule) : exponent;
            int? l = tensor.Has("mantissa_bits") ? tensor.Int32("mantissa_bits", MantissaBitsRule) : mantissa;
            return new BfpFormatOverride(e, l);
        }

        var result = new LayerBfp(Tensor("weights"), Tensor("inputs"));
        return (bfp.Errors.Count == errorsBefore, result);
    }

    private static TensorShape? ReadShape(MapReader shape)
    {
        int? channels = shape.Int32("channels", ExtentRule);
        int? height = shape.Int32("height", ExtentRule);
        int? width = shape.Int32("width", ExtentRule);
        return channels is { } c && height is { } h && width is { } w ? new TensorShape(c, h, w) : null;
    }

    /// <summary>Reads the workload's <c>weights: { synthetic: { seed: N } }</c> or <c>weights: { onnx: { file | package } }</c>.</summary>
    private static (ulong? Seed, ImportedModel? Model) ReadWorkloadWeights(MapReader root, string baseDirectory, ImportedModel? preloaded)
    {
        if (!root.Has("weights") || root.Mapping("weights", SourceSchema, required: false) is not { } source)
        {
            return (null, null);
        }

        if (source.Has("onnx") == source.Has("synthetic"))
        {
            root.Errors.Add(root.Entry("weights")!.Value, "weights needs exactly one source: synthetic: { seed: N } or onnx: { file: MODEL.onnx } (or { package: NAME.onnx })");
            return (null, null);
        }

        if (source.Has("synthetic"))
        {
            return (source.Mapping("synthetic", SyntheticSchema) is { } synthetic ? synthetic.Unsigned("seed") : null, null);
        }

        if (source.Mapping("onnx", OnnxModelSchema) is not { } onnx || ModelPath(onnx, baseDirectory) is not { } path)
        {
            return (null, null);
        }

        try
        {
            return (null, preloaded ?? OnnxImporter.Import(path));
        }
        catch (OnnxFormatException e)
        {
            root.Errors.Add(root.Entry("weights")!.Value, $"weights.onnx: {e.Message}");
            return (null, null);
        }
    }

    /// <summary>The folder beside the program where the build puts the ONNX models that packages ship.</summary>
    public static string PackageModelFolder => Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>Resolves <c>{ file: PATH }</c> (relative to the workload) or <c>{ package: NAME }</c> (in <see cref="PackageModelFolder"/>).</summary>
    private static string? ModelPath(MapReader onnx, string baseDirectory)
    {
        if (onnx.Has("file") == onnx.Has("package"))
        {
            onnx.Errors.Add(onnx.Anchor, $"{onnx.Path} needs exactly one of file: MODEL.onnx (relative to the workload) or package: NAME.onnx (a model the build copies beside the program)");
            return null;
        }

        if (onnx.Has("file"))
        {
            return onnx.Text("file") is { } file ? ExistingFile(onnx, "file", file, baseDirectory) : null;
        }

        if (onnx.Text("package") is not { } name)
        {
            return null;
        }

        string path = Path.Combine(PackageModelFolder, name);
        if (File.Exists(path))
        {
            return path;
        }

        string shipped = Directory.Exists(PackageModelFolder) ? string.Join(", ", Directory.GetFiles(PackageModelFolder, "*.onnx").Select(Path.GetFileName).Order(StringComparer.Ordinal)) : "";
        onnx.Errors.Add(onnx.Entry("package")!.Value,
            $"{onnx.Full("package")} '{name}' is not among the packaged models in {PackageModelFolder} ({(shipped.Length > 0 ? shipped : "none: build the project, which copies them there")})");
        return null;
    }

    private static ImmutableArray<Layer>? ReadLayers(MapReader root, LayerContext context)
    {
        const string Description = "a non-empty list of layers, each a mapping with name and type";
        if (root.Sequence("layers", Description) is not { } list)
        {
            return null;
        }

        if (list.Items.Count == 0)
        {
            context.Errors.Add(list, $"layers must be {Description}, was an empty list");
            return null;
        }

        for (int i = 0; i < list.Items.Count; i++)
        {
            if (PeekName(list.Items[i]) is { } name)
            {
                context.AllNames.TryAdd(name, (i, list.Items[i].Line));
            }
        }

        int errorsBefore = context.Errors.Count;
        var layers = ImmutableArray.CreateBuilder<Layer>();
        for (int i = 0; i < list.Items.Count; i++)
        {
            context.CurrentIndex = i;
            Layer? layer = ReadLayer(list.Items[i], i, context);
            if (layer is not null)
            {
                layers.Add(layer);
            }
        }

        return context.Errors.Count > errorsBefore ? null : layers.ToImmutable();
    }

    private static string? PeekName(DocNode item) =>
        item is DocMapping map && map.Find("name")?.Value is DocScalar { IsNull: false } name ? name.Value : null;

    private static Layer? ReadLayer(DocNode item, int index, LayerContext context)
    {
        ConfigErrors errors = context.Errors;
        string? peeked = PeekName(item);
        bool nameUsable = peeked is not null && NamePattern().IsMatch(peeked) && peeked != Network.InputName && !context.Defined.ContainsKey(peeked);
        string path = nameUsable ? $"layers.{peeked}" : $"layers.{index}";
        string label = nameUsable ? $"layer '{peeked}'" : path;

        if (MapReader.Open(item, path, "a mapping describing a layer (name, type, ...)", errors) is not { } layer)
        {
            context.Record(null, null);
            return null;
        }

        int errorsBefore = errors.Count;
        ImmutableArray<int>? concatChannels = null;
        string? name = ReadName(layer, context);
        LayerKind? kind = layer.Choice("type", Kinds);
        string kindName = kind is { } k ? Kinds.NameOf(k) : "";
        layer.CheckKeys(
            kind is { } known ? KeysByKind[known] : AnyLayerSchema,
            kind is null ? null : $"in {path} (a {kindName} layer)",
            key => ExplainKey(key, kind, path, kindName));

        if (kind is null)
        {
            context.Record(name, null);
            return null;
        }

        // Inputs: add names two, concat two or more; every other layer one, by default the previous layer (the network
        // input for the first).
        LayerInputs? inputs = kind switch
        {
            LayerKind.Add => ReadAddInputs(layer, label, context),
            LayerKind.Concat => ReadConcatInputs(layer, label, context, out concatChannels),
            _ => ReadSingleInput(layer, label, context),
        };

        Layer? built = kind.Value switch
        {
            LayerKind.Convolution => ReadConv(layer, label, name, inputs, context),
            LayerKind.FullyConnected => ReadFullyConnected(layer, label, name, inputs, context),
            LayerKind.MaxPool or LayerKind.AveragePool => ReadPool(layer, label, name, inputs, kind.Value == LayerKind.MaxPool),
            LayerKind.Add => ReadAdd(layer, name, inputs),
            LayerKind.Concat => name is not null && inputs is { Shape: { } first } concat && concatChannels is { } channels
                ? new ConcatLayer
                {
                    Name = name,
                    Inputs = concat.Names,
                    InputShape = first,
                    OutputShape = first with { Channels = channels.Sum() },
                    InputChannels = channels,
                }
                : null,
            LayerKind.Relu => name is not null && inputs is { Shape: { } shape } relu
                ? new ReluLayer { Name = name, Inputs = relu.Names, InputShape = shape, OutputShape = shape }
                : null,
            _ => throw new InvalidOperationException($"Layer kind {kind} has no reader."),
        };

        if (built is not null && errors.Count == errorsBefore)
        {
            CheckLoadedWeights(built, layer, label);
        }

        if (errors.Count > errorsBefore)
        {
            built = null;
        }

        context.Record(name, built?.OutputShape);
        return built;
    }

    /// <summary>Weights read from a model must fit the layer's shape: a layer edited after import must not take them silently.</summary>
    private static void CheckLoadedWeights(Layer built, MapReader layer, string label)
    {
        (WeightSource? source, long weights, int outputs, bool hasBias) = built switch
        {
            ConvLayer c => (c.Weights, c.OutputChannels * c.ReductionLength, c.OutputChannels, c.HasBias),
            FullyConnectedLayer f => (f.Weights, f.InputFeatures * f.OutputFeatures, f.OutputFeatures, f.HasBias),
            _ => (null, 0L, 0, false),
        };
        if (source is not LoadedWeights loaded)
        {
            return;
        }

        if (loaded.Weights.Length != weights)
        {
            layer.Errors.Add(layer.Anchor, $"{label} needs {weights} weights for its shape, the model's {loaded.Origin} has {loaded.Weights.Length}");
        }
        else if (hasBias != loaded.Bias.HasValue || (loaded.Bias is { } bias && bias.Length != outputs))
        {
            layer.Errors.Add(layer.Anchor,
                $"{label} has bias: {(hasBias ? "true" : "false")}, the model's {loaded.Origin} {(loaded.Bias.HasValue ? $"has a bias of {loaded.Bias.Value.Length}" : "has none")}");
        }
    }

    private static string? ReadName(MapReader layer, LayerContext context)
    {
        if (layer.Text("name") is not { } name)
        {
            return null;
        }

        DocNode at = layer.Entry("name")!.Value;
        if (!NamePattern().IsMatch(name))
        {
            layer.Errors.Add(at, $"{layer.Full("name")} '{name}' must consist of letters, digits and _ . / - only");
            return null;
        }

        if (name == Network.InputName)
        {
            layer.Errors.Add(at, $"{layer.Full("name")} '{name}' is reserved for the network input; choose another name");
            return null;
        }

        if (context.Defined.TryGetValue(name, out int line))
        {
            layer.Errors.Add(at, $"{layer.Full("name")} '{name}' is already used by the layer at line {line}; layer names must be unique");
            return null;
        }

        context.Defined[name] = at.Line;
        return name;
    }

    private static string? ExplainKey(string key, LayerKind? kind, string path, string kindName) => (key, kind) switch
    {
        ("inputs", not null) => $"{path}.inputs is only for add and concat layers; a {kindName} layer reads one input: use input: <layer name>",
        ("input", LayerKind.Add) => $"{path}.input: an add layer reads two inputs: use inputs: [<layer name>, <layer name>]",
        ("input", LayerKind.Concat) => $"{path}.input: a concat layer reads two or more inputs: use inputs: [<layer name>, <layer name>, ...]",
        _ => null,
    };

    private static LayerInputs? ReadSingleInput(MapReader layer, string label, LayerContext context)
    {
        if (!layer.Has("input"))
        {
            return context.Previous is { } previous ? new LayerInputs([previous.Name], previous.Shape) : null;
        }

        DocNode node = layer.Entry("input")!.Value;
        if (Values.Text(node, layer.Full("input"), layer.Errors) is not { } source)
        {
            return null;
        }

        return context.Resolve(source, node, label) is { } resolved ? new LayerInputs([source], resolved.Shape) : null;
    }

    private static LayerInputs? ReadAddInputs(MapReader layer, string label, LayerContext context)
    {
        const string Description = "a list of exactly 2 earlier layer names (or input)";
        if (layer.Sequence("inputs", Description) is not { } list)
        {
            return null;
        }

        if (ReadInputList(layer, list, label, context, Description, minimum: 2, maximum: 2) is not (var names, var shapes))
        {
            return null;
        }

        if (shapes[0] is { } first && shapes[1] is { } second && first != second)
        {
            layer.Errors.Add(list,
                $"{label} adds inputs of different shapes: '{names[0]}' is {first} and '{names[1]}' is {second} (channels x height x width); both inputs must have the same shape");
            return null;
        }

        return new LayerInputs([.. names], shapes[0] is { } s && shapes[1] is not null ? s : null);
    }

    /// <summary>The names and shapes of a layer's <c>inputs</c> list; null (with the errors reported) unless it has
    /// between <paramref name="minimum"/> and <paramref name="maximum"/> entries that all name earlier layers.</summary>
    private static (List<string> Names, List<TensorShape?> Shapes)? ReadInputList(
        MapReader layer, DocSequence list, string label, LayerContext context, string description, int minimum, int maximum)
    {
        if (list.Items.Count < minimum || list.Items.Count > maximum)
        {
            layer.Errors.Add(list, $"{layer.Full("inputs")} must be {description}, was a list of {list.Items.Count}");
            return null;
        }

        var names = new List<string>();
        var shapes = new List<TensorShape?>();
        foreach (DocNode node in list.Items)
        {
            if (Values.Text(node, layer.Full("inputs"), layer.Errors) is { } source && context.Resolve(source, node, label) is { } resolved)
            {
                names.Add(source);
                shapes.Add(resolved.Shape);
            }
        }

        return names.Count == list.Items.Count ? (names, shapes) : null;
    }

    /// <summary>Reads a concat layer's two or more inputs, which must agree in height and width.</summary>
    private static LayerInputs? ReadConcatInputs(MapReader layer, string label, LayerContext context, out ImmutableArray<int>? channels)
    {
        const string Description = "a list of 2 or more earlier layer names (or input), of equal height and width";
        channels = null;
        if (layer.Sequence("inputs", Description) is not { } list)
        {
            return null;
        }

        if (ReadInputList(layer, list, label, context, Description, minimum: 2, maximum: int.MaxValue) is not (var names, var shapes))
        {
            return null;
        }

        if (shapes.Any(s => s is null))
        {
            return new LayerInputs([.. names], null);
        }

        TensorShape first = shapes[0]!.Value;
        for (int i = 1; i < shapes.Count; i++)
        {
            if (shapes[i]!.Value is var other && (other.Height, other.Width) != (first.Height, first.Width))
            {
                layer.Errors.Add(list.Items[i],
                    $"{label} concatenates inputs of different height x width: '{names[0]}' is {first.Height}x{first.Width} and '{names[i]}' is {other.Height}x{other.Width}; every input must have the same height and width (channels may differ)");
                return null;
            }
        }

        channels = [.. shapes.Select(s => s!.Value.Channels)];
        return new LayerInputs([.. names], first);
    }

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

    /// <summary>The layer's own source if given, else one derived from the workload's seed and the layer name.</summary>
    private static WeightSource? ReadWeights(MapReader layer, string label, string? name, LayerContext context)
    {
        if (layer.Has("weights"))
        {
            if (layer.Mapping("weights", LayerSourceSchema) is not { } source)
            {
                return null;
            }

            if (source.Has("npy") == source.Has("synthetic"))
            {
                layer.Errors.Add(layer.Entry("weights")!.Value, $"{layer.Full("weights")} needs exactly one source: synthetic: {{ seed: N }} or npy: {{ weights: FILE, bias: FILE }}");
                return null;
            }

            if (source.Has("npy"))
            {
                if (source.Mapping("npy", NpyWeightsSchema) is not { } npy || npy.Text("weights") is not { } weightsFile)
                {
                    return null;
                }

                string? weightsPath = ExistingFile(npy, "weights", weightsFile, context.BaseDirectory);
                string? biasPath = npy.Has("bias") && npy.Text("bias") is { } biasFile ? ExistingFile(npy, "bias", biasFile, context.BaseDirectory) : null;
                return weightsPath is null || (npy.Has("bias") && biasPath is null) ? null : new NpyWeights(weightsPath, biasPath);
            }

            return source.Mapping("synthetic", SyntheticSchema) is { } synthetic && synthetic.Unsigned("seed") is { } seed ? new SyntheticWeights(seed) : null;
        }

        if (!context.HasWorkloadWeights)
        {
            layer.Errors.Add(layer.Anchor,
                $"{label} has no weights source: give weights: {{ synthetic: {{ seed: N }} }} at the top level (for every layer) or on this layer");
            return null;
        }

        if (context.Model is { } model && name is not null)
        {
            if (model.Parameters.TryGetValue(name, out LayerParameters? parameters))
            {
                return new LoadedWeights(parameters.Weights, parameters.Bias, parameters.Origin);
            }

            layer.Errors.Add(layer.Anchor,
                $"{label} has no parameters in the ONNX model; its conv/fc layers are {string.Join(", ", model.Parameters.Keys.Order(StringComparer.Ordinal))} (names as accelsim import onnx writes them)");
            return null;
        }

        return context.WeightSeed is { } workloadSeed && name is not null
            ? new SyntheticWeights(LayerSeeds.Derive(workloadSeed, name))
            : null;
    }

    /// <summary>Reads <c>inputs: { synthetic: { seed: N } }</c> or <c>inputs: { npy: FILE }</c>.</summary>
    private static InputSource? ReadInputs(MapReader root, string baseDirectory)
    {
        if (root.Mapping("inputs", InputSourceSchema) is not { } source)
        {
            return null;
        }

        if (new[] { "npy", "synthetic", "image" }.Count(source.Has) != 1)
        {
            root.Errors.Add(root.Entry("inputs")!.Value, "inputs needs exactly one source: synthetic: { seed: N }, npy: FILE or image: { synthetic: { seed: N } | png: FILE }");
            return null;
        }

        if (source.Has("image"))
        {
            return ReadImageInputs(source, baseDirectory);
        }

        foreach (string key in new[] { "channel_order", "mean" }.Where(source.Has))
        {
            root.Errors.Add(source.Entry(key)!.Key, $"inputs.{key} prepares an image: it goes with image: {{ … }}, not with a tensor source");
            return null;
        }

        if (source.Has("npy"))
        {
            return source.Text("npy") is { } file && ExistingFile(source, "npy", file, baseDirectory) is { } path ? new NpyInputs(path) : null;
        }

        return source.Mapping("synthetic", SyntheticSchema) is { } synthetic && synthetic.Unsigned("seed") is { } seed ? new SyntheticInputs(seed) : null;
    }

    /// <summary>Reads <c>inputs: { image: { synthetic | png }, channel_order: rgb | bgr, mean: { onnx: { file | package, tensor } } }</c>.</summary>
    private static ImageInputs? ReadImageInputs(MapReader source, string baseDirectory)
    {
        if (source.Mapping("image", ImageSchema) is not { } image)
        {
            return null;
        }

        ImageSource? picture = null;
        if (image.Has("png") == image.Has("synthetic"))
        {
            image.Errors.Add(image.Anchor, "inputs.image needs exactly one source: synthetic: { seed: N } or png: FILE");
        }
        else if (image.Has("png"))
        {
            picture = image.Text("png") is { } file && ExistingFile(image, "png", file, baseDirectory) is { } path ? new PngImage(path) : null;
        }
        else
        {
            picture = image.Mapping("synthetic", SyntheticSchema) is { } synthetic && synthetic.Unsigned("seed") is { } seed ? new SyntheticImage(seed) : null;
        }

        bool? bgr = source.Has("channel_order") ? source.Choice("channel_order", ChannelOrders) : false;
        ImmutableArray<float>? mean = source.Has("mean") ? ReadMean(source, baseDirectory) : [];
        return picture is null || bgr is null || mean is null ? null : new ImageInputs(picture, bgr.Value, mean.Value);
    }

    /// <summary>A mean to subtract, read from an ONNX model's initializer (a preprocessing model's mean image).</summary>
    private static ImmutableArray<float>? ReadMean(MapReader source, string baseDirectory)
    {
        if (source.Mapping("mean", MeanSchema) is not { } mean || mean.Mapping("onnx", new MapSchema("file", "package", "tensor")) is not { } onnx)
        {
            return null;
        }

        string? tensor = onnx.Text("tensor");
        if (ModelPath(onnx, baseDirectory) is not { } path || tensor is null)
        {
            return null;
        }

        try
        {
            return [.. OnnxImporter.ReadInitializer(path, tensor)];
        }
        catch (OnnxFormatException e)
        {
            onnx.Errors.Add(onnx.Entry("tensor")!.Value, $"{onnx.Full("tensor")}: {e.Message}");
            return null;
        }
    }

    /// <summary>A file named relative to the workload's folder; an error at the key when it does not exist.</summary>
    private static string? ExistingFile(MapReader map, string key, string file, string baseDirectory)
    {
        string resolved = Path.Combine(baseDirectory, file);
        if (File.Exists(resolved))
        {
            return resolved;
        }

        map.Errors.Add(map.Entry(key)!.Value, $"{map.Full(key)} '{file}' does not exist (looked for {resolved}); the path is relative to the workload's folder");
        return null;
    }

    /// <summary>Reads an int, meaning the same for height and width, or a list [height, width].</summary>
    private static (int H, int W)? ReadPair(MapReader layer, string key, IntRule rule, bool required, string alternative = "")
    {
        string description = $"{rule.Describe()}, or a list [height, width] of such integers{alternative}";
        if (layer.Value(key, required, description) is not { } node)
        {
            return null;
        }

        int?[]? values = ReadList(layer, key, node, rule, description, PairNames);
        return values switch
        {
            [{ } both] => (both, both),
            [{ } h, { } w] => (h, w),
            _ => null,
        };
    }

    /// <summary>Reads padding: an int for every side, [height, width], or [top, left, bottom, right].</summary>
    private static Padding? ReadPadding(MapReader layer)
    {
        string description = $"{PaddingRule.Describe()}, or a list [height, width] or [top, left, bottom, right] of such integers";
        if (layer.Value("padding", required: true, description) is not { } node)
        {
            return null;
        }

        string[] names = node is DocSequence { Items.Count: 4 } ? SideNames : PairNames;
        int?[]? values = ReadList(layer, "padding", node, PaddingRule, description, names);
        return values switch
        {
            [{ } all] => new Padding(all, all, all, all),
            [{ } h, { } w] => new Padding(h, w, h, w),
            [{ } top, { } left, { } bottom, { } right] => new Padding(top, left, bottom, right),
            _ => null,
        };
    }

    /// <summary>A scalar as a one-element array, or a list whose length is one of the lengths of <paramref name="itemNames"/> forms.</summary>
    private static int?[]? ReadList(MapReader layer, string key, DocNode node, IntRule rule, string description, string[] itemNames)
    {
        string full = layer.Full(key);
        if (node is DocSequence list)
        {
            bool lengthAllowed = list.Items.Count == itemNames.Length;
            if (!lengthAllowed)
            {
                layer.Errors.Add(node, $"{full} must be {description}, was a list of {list.Items.Count}");
                return null;
            }

            return [.. list.Items.Select((item, i) => Values.Int32(item, $"{full}[{i}] ({itemNames[i]})", rule, layer.Errors))];
        }

        if (Scalars.TryInteger(node, out long value) && rule.Accepts(value))
        {
            return [(int)value];
        }

        layer.Errors.Add(node, $"{full} must be {description}, was {Scalars.Describe(node)}");
        return null;
    }

    /// <summary>
    /// out = floor((in + pad_a + pad_b − dilation·(k − 1) − 1) / stride) + 1; reports and returns null when it is not
    /// positive, which happens exactly when the padded input is shorter than the dilated kernel.
    /// </summary>
    private static int? OutputExtent(MapReader layer, string label, string axis, int extent, int padBefore, int padAfter, int kernel, int stride, int dilation)
    {
        long dilatedKernel = ((long)dilation * (kernel - 1)) + 1;
        long span = (long)extent + padBefore + padAfter - dilatedKernel;
        long output = (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;
        if (output >= 1)
        {
            return (int)output;
        }

        layer.Errors.Add(layer.Anchor,
            $"{label} output {axis} would be {output}: the input {axis} {extent} plus padding {padBefore} + {padAfter} is smaller than the {(dilation > 1 ? "dilated " : "")}kernel {axis} {dilatedKernel}; use a smaller kernel{(dilation > 1 ? " or dilation" : "")}, or more padding");
        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9_./-]+$")]
    private static partial Regex NamePattern();

    private readonly record struct Padding(int Top, int Left, int Bottom, int Right);

    /// <summary>The names a layer reads and the shape of its (first) input; the shape is null when an input is broken.</summary>
    private readonly record struct LayerInputs(ImmutableArray<string> Names, TensorShape? Shape);

    /// <summary>What the layers read so far tell the next one: defined names and their output shapes (null when unknown).</summary>
    private sealed class LayerContext(ConfigErrors errors, TensorShape? networkInput, ulong? weightSeed, bool hasWorkloadWeights)
    {
        private readonly Dictionary<string, TensorShape?> _shapes = new(StringComparer.Ordinal);
        private readonly List<string> _order = [];

        public ConfigErrors Errors { get; } = errors;

        public ulong? WeightSeed { get; } = weightSeed;

        public string BaseDirectory { get; init; } = "";

        /// <summary>The ONNX model that <c>weights: { onnx: … }</c> names, or null.</summary>
        public ImportedModel? Model { get; init; }

        public bool HasWorkloadWeights { get; } = hasWorkloadWeights;

        /// <summary>Every layer name in the file with the index and line of its first use, to tell "later" from "nowhere".</summary>
        public Dictionary<string, (int Index, int Line)> AllNames { get; } = new(StringComparer.Ordinal);

        /// <summary>The index of the layer being read.</summary>
        public int CurrentIndex { get; set; }

        /// <summary>Names defined so far, with the line of their definition.</summary>
        public Dictionary<string, int> Defined { get; } = new(StringComparer.Ordinal);

        /// <summary>The layer read last and its output shape, or null when it has no usable name.</summary>
        public (string Name, TensorShape? Shape)? Previous { get; private set; } = (Network.InputName, networkInput);

        public void Record(string? name, TensorShape? output)
        {
            if (name is null)
            {
                Previous = null;
                return;
            }

            _shapes[name] = output;
            _order.Add(name);
            Previous = (name, output);
        }

        /// <summary>Resolves an input name to an earlier layer (or the network input); reports an unknown name.</summary>
        public (string Name, TensorShape? Shape)? Resolve(string source, DocNode at, string label)
        {
            if (source == Network.InputName)
            {
                return (source, networkInput);
            }

            if (_shapes.TryGetValue(source, out TensorShape? shape))
            {
                return (source, shape);
            }

            string later = !AllNames.TryGetValue(source, out var where) ? ""
                : where.Index == CurrentIndex ? " (a layer cannot read its own output)"
                : where.Index > CurrentIndex ? $" (it comes later, at line {where.Line})"
                : "";
            Errors.Add(at, $"{label} input '{source}' is not defined earlier{later}; known: {string.Join(", ", new[] { Network.InputName }.Concat(_order))}");
            return null;
        }
    }
}
