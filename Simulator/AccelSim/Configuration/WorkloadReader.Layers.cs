using System.Collections.Immutable;
using System.Text.RegularExpressions;
using AccelSim.Configuration.Yaml;
using AccelSim.Workloads;

namespace AccelSim.Configuration;

// The layers list and each layer: its name, its type's keys, its optional BFP formats, weights loaded from a model.
internal static partial class WorkloadReader
{
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
        string? format = bfp.Has("format") ? NumberFormatName(bfp) : null;
        BfpFormatOverride Tensor(string key)
        {
            if (!bfp.Has(key) || bfp.Mapping(key, FormatSchema) is not { } tensor)
            {
                return new BfpFormatOverride(exponent, mantissa) { Format = format };
            }

            int? e = tensor.Has("exponent_bits") ? tensor.Int32("exponent_bits", ExponentBitsRule) : exponent;
            int? l = tensor.Has("mantissa_bits") ? tensor.Int32("mantissa_bits", MantissaBitsRule) : mantissa;
            string? f = tensor.Has("format") ? NumberFormatName(tensor) : format;
            return new BfpFormatOverride(e, l) { Format = f };
        }

        DocNode anchor = layer.Entry("bfp")!.Key;
        var result = new LayerBfp(Tensor("weights"), Tensor("inputs"))
        {
            Location = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bfp.Errors.File}:{anchor.Line}:{anchor.Column}"),
        };
        return (bfp.Errors.Count == errorsBefore, result);
    }

    /// <summary>The <c>format</c> of a layer's bfp mapping or of one of its tensors: <c>bfp</c> or an MX/NVFP4 name.</summary>
    private static string? NumberFormatName(MapReader map) => map.Choice("format", NumberFormatChoice.All)?.Name;

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
            CheckSize(built, layer, label);
            CheckLoadedWeights(built, layer, label);
        }

        if (errors.Count > errorsBefore)
        {
            built = null;
        }

        // Its own choice of fusion into its producer's output path, over the accelerator's vector_unit.fuse.
        if (built is not null && layer.Has("fuse") && layer.Boolean("fuse") is { } fuse)
        {
            built = built with { Fuse = fuse };
        }

        // The node an imported layer came from travels with it to the reports.
        if (built is not null && layer.Has("onnx_node") && layer.Text("onnx_node") is { } onnxNode)
        {
            built = built with { OnnxNode = onnxNode };
        }

        // The layer's own storage of its output, over the accelerator's activation_storage.
        if (layer.Has("activation_storage"))
        {
            ActivationStorage? storage = layer.Choice("activation_storage", ActivationStorages);
            built = storage is null ? null : built is null ? null : built with { ActivationStorage = storage };
        }

        // The layer's own compression of its output in DRAM, and the density it is sized with without numerics.
        if (layer.Has("activation_compression"))
        {
            ActivationCompression? compression = layer.Choice("activation_compression", ActivationCompressions);
            built = compression is null ? null : built is null ? null : built with { ActivationCompression = compression };
        }

        if (layer.Has("density"))
        {
            double? density = layer.Number("density", NumberRule.NonNegative, new Limit(0, 1, "the fraction of the layer's output elements that are nonzero"));
            built = density is null ? null : built is null ? null : built with { Density = density };
        }

        context.Record(name, built?.OutputShape);
        return built;
    }

    /// <summary>The most elements of one tensor (a layer's output per batch item, or its weights): 2^31, so every index
    /// and count fits and the arithmetic on them cannot overflow.</summary>
    public const long MaxTensorElements = 1L << 31;

    /// <summary>A layer's output and weights must each have at most <see cref="MaxTensorElements"/> elements.</summary>
    private static void CheckSize(Layer built, MapReader layer, string label)
    {
        long weights = built switch
        {
            ConvLayer c => c.OutputChannels * c.ReductionLength,
            FullyConnectedLayer f => f.InputFeatures * f.OutputFeatures,
            _ => 0,
        };
        if (built.OutputShape.Elements > MaxTensorElements)
        {
            layer.Errors.Add(layer.Anchor, $"{label} output {built.OutputShape} has {built.OutputShape.Elements} elements; at most {MaxTensorElements} (2^31) are allowed per tensor");
        }
        else if (weights > MaxTensorElements)
        {
            layer.Errors.Add(layer.Anchor, $"{label} has {weights} weights; at most {MaxTensorElements} (2^31) are allowed per tensor");
        }
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

        if (loaded.WeightCount != weights)
        {
            layer.Errors.Add(layer.Anchor, $"{label} needs {weights} weights for its shape, the model's {loaded.Origin} has {loaded.WeightCount}");
        }
        else if (hasBias != loaded.BiasLength.HasValue || (loaded.BiasLength is { } bias && bias != outputs))
        {
            layer.Errors.Add(layer.Anchor,
                $"{label} has bias: {(hasBias ? "true" : "false")}, the model's {loaded.Origin} {(loaded.BiasLength is { } length ? $"has a bias of {length}" : "has none")}");
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
        ("fuse", not null) => $"{path}.fuse is only for relu, max_pool, avg_pool and add layers (fused into the output path of the layer that makes their input); a {kindName} layer is never fused",
        _ => null,
    };

    [GeneratedRegex("^[A-Za-z0-9_./-]+$")]
    private static partial Regex NamePattern();
}
