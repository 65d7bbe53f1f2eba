using System.Collections.Immutable;
using AccelSim.Configuration.Yaml;
using AccelSim.Onnx;
using AccelSim.Workloads;

namespace AccelSim.Configuration;

/// <summary>
/// Validates a workload document and builds the <see cref="Network"/>: every layer's input is resolved to an earlier
/// layer, and shapes are inferred layer by layer. A layer whose own fields are bad gets no shape, and the layers that
/// read it skip their shape checks, so one mistake is reported once.
/// </summary>
/// <remarks>
/// This file reads the document; the other WorkloadReader.*.cs files read its parts (layers, layer types, windows,
/// inputs, tensor sources, images). Every static field is here: the parts of a partial class initialise in no
/// specified order, and these fields read one another.
/// </remarks>
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
    private static readonly MapSchema FormatSchema = new("exponent_bits", "mantissa_bits", "format");
    private static readonly MapSchema LayerBfpSchema = new(
        new KeySpec("exponent_bits"), new KeySpec("mantissa_bits"), new KeySpec("format"), new KeySpec("weights", FormatSchema), new KeySpec("inputs", FormatSchema));
    private static readonly IntRule ExponentBitsRule = new(2, 8);
    private static readonly IntRule MantissaBitsRule = new(2, 24);

    private static readonly Choices<ActivationStorage> ActivationStorages = Choices.FromEnum<ActivationStorage>();
    private static readonly Choices<ActivationCompression> ActivationCompressions = Choices.FromEnum<ActivationCompression>();

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
        [LayerKind.Convolution] = LayerKeys("name", "onnx_node", "type", "input", "filters", "kernel", "stride", "padding", "dilation", "groups", "bias", "relu", "weights", "bfp", "activation_storage", "activation_compression", "density"),
        [LayerKind.FullyConnected] = LayerKeys("name", "onnx_node", "type", "input", "outputs", "bias", "relu", "weights", "bfp", "activation_storage", "activation_compression", "density"),
        [LayerKind.MaxPool] = LayerKeys("name", "onnx_node", "type", "input", "kernel", "stride", "padding", "global", "activation_storage", "activation_compression", "density", "fuse"),
        [LayerKind.AveragePool] = LayerKeys("name", "onnx_node", "type", "input", "kernel", "stride", "padding", "global", "activation_storage", "activation_compression", "density", "fuse"),
        [LayerKind.Add] = LayerKeys("name", "onnx_node", "type", "inputs", "relu", "activation_storage", "activation_compression", "density", "fuse"),
        [LayerKind.Relu] = LayerKeys("name", "onnx_node", "type", "input", "activation_storage", "activation_compression", "density", "fuse"),
        [LayerKind.Concat] = LayerKeys("name", "onnx_node", "type", "inputs", "activation_storage", "activation_compression", "density"),
    }.ToImmutableDictionary();

    /// <summary>Every key any layer may have; used when the type is unknown, and by overrides.</summary>
    private static readonly MapSchema AnyLayerSchema = LayerKeys(
        "name", "onnx_node", "type", "input", "inputs", "filters", "outputs", "kernel", "stride", "padding", "dilation", "groups", "global", "bias", "relu", "weights", "bfp", "activation_storage", "activation_compression", "density", "fuse");

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
    /// <param name="weightsWhenUsed">Read a model's shapes now and its weights when first used (timing-only runs never use them).</param>
    public static Network? Read(DocNode document, ConfigErrors errors, string baseDirectory = "", ImportedModel? preloaded = null, bool weightsWhenUsed = false)
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

        (ulong? weightSeed, ImportedModel? model) = ReadWorkloadWeights(root, baseDirectory, preloaded, weightsWhenUsed);
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

    private static TensorShape? ReadShape(MapReader shape)
    {
        int? channels = shape.Int32("channels", ExtentRule);
        int? height = shape.Int32("height", ExtentRule);
        int? width = shape.Int32("width", ExtentRule);
        if (channels is not { } c || height is not { } h || width is not { } w)
        {
            return null;
        }

        var tensor = new TensorShape(c, h, w);
        if (tensor.Elements > MaxTensorElements)
        {
            shape.Errors.Add(shape.Anchor, $"input {tensor} has {tensor.Elements} elements; at most {MaxTensorElements} (2^31) are allowed per tensor");
            return null;
        }

        return tensor;
    }
}
