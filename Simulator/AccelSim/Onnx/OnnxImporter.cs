using AccelSim.Files;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using AccelSim.Workloads;
using Google.Protobuf;
using Onnx;

namespace AccelSim.Onnx;

/// <summary>
/// Lowers an ONNX graph of Conv, Gemm/MatMul, BatchNormalization, Relu, MaxPool, AveragePool/GlobalAveragePool, Add,
/// Flatten/Reshape and Concat (plus the inference no-ops Dropout and Identity, and Constant) to AccelSim layers.
/// </summary>
/// <remarks>
/// Batch normalisation is folded into the convolution that feeds it (and only it), in double, then rounded to float:
/// <c>w' = w·γ/√(σ²+ε)</c>, <c>b' = (b−μ)·γ/√(σ²+ε)+β</c>. A ReLU read only from a conv, fc or add becomes that layer's
/// fused ReLU. Any other operator, or a supported one used in a way AccelSim does not model, is an
/// <see cref="OnnxFormatException"/> naming the node: nothing is dropped silently.
/// </remarks>
public static partial class OnnxImporter
{
    /// <summary>The operators the importer lowers, for messages.</summary>
    public const string Supported =
        "Conv, Gemm, MatMul (+ Add of a bias), BatchNormalization (after a Conv), Relu, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Add, Concat (axis 1), Flatten (axis 1), Reshape (to [batch, features]), Dropout, Identity, Constant";

    /// <summary>Reads and lowers the model at <paramref name="path"/>.</summary>
    /// <exception cref="OnnxFormatException">The file is not an ONNX model, or holds something not supported.</exception>
    public static ImportedModel Import(string path) => Import(Read(path), Path.GetFileName(path));

    /// <summary>Reads and lowers the model at <paramref name="path"/> without the values of its float tensors: layers and
    /// parameter sizes at once, the parameters read (the whole model, as <see cref="Import(string)"/> does) when one of
    /// them is first asked for. A timing-only run needs the shapes alone, which read in milliseconds where parsing and
    /// folding every weight takes about a second.</summary>
    /// <exception cref="OnnxFormatException">The file is not an ONNX model, or holds something not supported.</exception>
    public static ImportedModel ImportShapes(string path)
    {
        ModelProto model = ReadWithoutFloatValues(path);
        string fileName = Path.GetFileName(path);
        var full = new Lazy<ImportedModel>(() => Import(path));
        try
        {
            return new Lowering(model, fileName, full).Run();
        }
        catch (OnnxFormatException e)
        {
            throw new OnnxFormatException($"{fileName}: {e.Message}");
        }
    }

    /// <summary>The values of one float initializer (or Constant) of the model at <paramref name="path"/>, in C order.</summary>
    /// <exception cref="OnnxFormatException">The file is not an ONNX model or has no such float tensor.</exception>
    public static float[] ReadInitializer(string path, string name) =>
        OnnxTensors.Floats(Initializer(Read(path).Graph, path, name), $"{Path.GetFileName(path)} initializer '{name}'");

    /// <summary>How many values <see cref="ReadInitializer"/> gives, from the tensor's dims and type without reading its
    /// values (the model is parsed without them, as for <see cref="ImportShapes"/>).</summary>
    /// <exception cref="OnnxFormatException">The file is not an ONNX model or has no such float tensor.</exception>
    public static long InitializerLength(string path, string name)
    {
        TensorProto tensor = Initializer(ReadWithoutFloatValues(path).Graph, path, name);
        OnnxTensors.CheckFloat(tensor, $"{Path.GetFileName(path)} initializer '{name}'");
        return OnnxTensors.Count(tensor);
    }

    private static TensorProto Initializer(GraphProto graph, string path, string name)
    {
        TensorProto? tensor = graph.Initializer.FirstOrDefault(t => t.Name == name)
            ?? graph.Node.Where(n => n.OpType == "Constant" && n.Output.Contains(name)).Select(n => n.Attribute.FirstOrDefault(a => a.Name == "value")?.T).FirstOrDefault();
        if (tensor is null)
        {
            string known = string.Join(", ", graph.Initializer.Select(t => t.Name).Take(20));
            throw new OnnxFormatException($"{Path.GetFileName(path)} has no initializer '{name}' (it has: {known})");
        }

        return tensor;
    }

    /// <summary>The model at <paramref name="path"/>, the values of its float initializers left out (<see cref="OnnxShapes"/>).</summary>
    private static ModelProto ReadWithoutFloatValues(string path) => Read(path, stream => ModelProto.Parser.ParseFrom(OnnxShapes.WithoutFloatValues(stream)));

    private static ModelProto Read(string path) => Read(path, ModelProto.Parser.ParseFrom);

    private static ModelProto Read(string path, Func<Stream, ModelProto> parse)
    {
        ModelProto model;
        try
        {
            using FileStream stream = InputFile.OpenRead(path, InputLimit.Onnx);
            model = parse(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxFormatException($"{path}: not an ONNX model (protobuf: {e.Message})");
        }
        catch (OnnxFormatException e)
        {
            throw new OnnxFormatException($"{path}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OnnxFormatException($"{path}: cannot read the file: {e.Message}");
        }

        CheckGraph(model, path);
        return model;
    }

    private static void CheckGraph(ModelProto model, string path)
    {
        if (model.Graph is null || model.Graph.Node.Count == 0)
        {
            throw new OnnxFormatException($"{path}: not an ONNX model (no graph, or a graph without nodes)");
        }
    }

    /// <summary>Lowers a parsed model; <paramref name="fileName"/> is used in the description and messages.</summary>
    public static ImportedModel Import(ModelProto model, string fileName)
    {
        ArgumentNullException.ThrowIfNull(model);
        try
        {
            return new Lowering(model, fileName).Run();
        }
        catch (OnnxFormatException e)
        {
            throw new OnnxFormatException($"{fileName}: {e.Message}");
        }
    }

    /// <summary>A layer name from an ONNX name: characters outside letters, digits and <c>_ . / -</c> become <c>_</c>.</summary>
    public static string LayerName(string onnxName) => InvalidNameCharacters().Replace(onnxName, "_");

    [GeneratedRegex("[^A-Za-z0-9_./-]")]
    private static partial Regex InvalidNameCharacters();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_./-]*$")]
    private static partial Regex PlainScalar();

    /// <summary>Any text as a single-quoted YAML scalar; control characters (which it cannot hold) become <c>_</c>.</summary>
    private static string Quoted(string text) =>
        $"'{new string([.. text.Select(c => char.IsControl(c) ? '_' : c)]).Replace("'", "''", StringComparison.Ordinal)}'";

    /// <summary>A layer name as a YAML scalar: quoted when YAML would read it as a number, a boolean or null.</summary>
    private static string Scalar(string name) =>
        PlainScalar().IsMatch(name) && name.ToUpperInvariant() is not ("TRUE" or "FALSE" or "NULL" or "YES" or "NO" or "ON" or "OFF" or "Y" or "N")
            ? name
            : $"'{name}'";

    /// <summary>One pass over the graph in its (topological) node order.</summary>
    private sealed class Lowering
    {
        private readonly ModelProto _model;
        private readonly GraphProto _graph;
        private readonly string _fileName;
        private readonly Dictionary<string, TensorProto> _constants = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);
        private readonly HashSet<string> _graphOutputs;
        private readonly HashSet<NodeProto> _absorbed = [];

        /// <summary>Activation tensors: the layer (or <c>input</c>) computing them and their per-item shape.</summary>
        private readonly Dictionary<string, (string Layer, TensorShape Shape)> _values = new(StringComparer.Ordinal);
        private readonly List<Pending> _layers = [];
        private readonly Dictionary<string, (long Weights, int? Bias, double[]? WeightValues, double[]? BiasValues, string Origin)> _parameters = new(StringComparer.Ordinal);

        /// <summary>The whole model, read when a parameter is first asked for; null when the values are read now.</summary>
        private readonly Lazy<ImportedModel>? _full;
        private readonly HashSet<string> _names = new(StringComparer.Ordinal) { Network.InputName };
        private int _batch = 1;

        public Lowering(ModelProto model, string fileName, Lazy<ImportedModel>? full = null)
        {
            _full = full;
            _model = model;
            _graph = model.Graph;
            _fileName = fileName;
            foreach (TensorProto t in _graph.Initializer)
            {
                _constants[t.Name] = t;
            }

            foreach (NodeProto node in _graph.Node)
            {
                foreach (string input in node.Input.Where(i => i.Length > 0))
                {
                    if (!_consumers.TryGetValue(input, out var list))
                    {
                        _consumers[input] = list = [];
                    }

                    list.Add(node);
                }
            }

            _graphOutputs = [.. _graph.Output.Select(o => o.Name)];
        }

        public ImportedModel Run()
        {
            ReadInput(out TensorShape inputShape);
            foreach (NodeProto node in _graph.Node)
            {
                if (!_absorbed.Contains(node))
                {
                    Lower(node);
                }
            }

            if (_graph.Output.Count != 1)
            {
                throw new OnnxFormatException($"the graph has {_graph.Output.Count} outputs; AccelSim runs networks with exactly one");
            }

            string output = _graph.Output[0].Name;
            if (!_values.TryGetValue(output, out var result) || _layers.Count == 0)
            {
                throw new OnnxFormatException($"the graph output '{output}' is not computed by any layer");
            }

            if (result.Layer != _layers[^1].Name)
            {
                throw new OnnxFormatException(
                    $"the graph output '{output}' comes from layer '{result.Layer}', but layer '{_layers[^1].Name}' runs after it; AccelSim's network output is its last layer");
            }

            // Readable names replace the node names only now, when the whole graph is known.
            ImmutableArray<string> readable = LayerNaming.Derive([.. _layers.Select(l => new NamedLayer(l.Name, l.Type, l.Inputs))]);
            var renamed = _layers.Select((l, i) => (l.Name, New: readable[i])).ToDictionary(p => p.Name, p => p.New, StringComparer.Ordinal);
            string opsets = string.Join(", ", _model.OpsetImport.Select(o => $"{(o.Domain.Length == 0 ? "ai.onnx" : o.Domain)} {o.Version}"));
            string producer = _model.ProducerName.Length > 0 ? $"{_model.ProducerName} {_model.ProducerVersion}".Trim() : "unknown";
            string graphName = _graph.Name.Length > 0 ? _graph.Name : Path.GetFileNameWithoutExtension(_fileName);
            return new ImportedModel
            {
                Name = LayerName(graphName),
                Description = $"Imported from {_fileName} (producer {producer}, opset {opsets}); {_layers.Count} layers.",
                Batch = _batch,
                InputShape = inputShape,
                Layers = [.. _layers.Select(l => l.Build(renamed))],
                Parameters = _parameters.ToImmutableDictionary(p => renamed[p.Key], p => Parameters(renamed[p.Key], p.Value), StringComparer.Ordinal),
                FormerNames = renamed.ToImmutableDictionary(StringComparer.Ordinal),
            };
        }

        private void ReadInput(out TensorShape shape)
        {
            var inputs = _graph.Input.Where(i => !_constants.ContainsKey(i.Name)).ToList();
            if (inputs.Count != 1)
            {
                throw new OnnxFormatException(
                    $"the graph has {inputs.Count} inputs besides its initializers ({string.Join(", ", inputs.Select(i => i.Name))}); AccelSim runs networks with exactly one image input");
            }

            ValueInfoProto input = inputs[0];
            var dims = input.Type?.TensorType?.Shape?.Dim;
            if (dims is null || dims.Count != 4)
            {
                throw new OnnxFormatException($"the graph input '{input.Name}' must be a 4-D tensor [batch, channels, height, width]; it has {dims?.Count ?? 0} dimensions");
            }

            long Fixed(int i, string axis) => dims[i].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dims[i].DimValue > 0
                ? dims[i].DimValue
                : throw new OnnxFormatException($"the graph input '{input.Name}' has no fixed {axis} (dimension {i} is '{dims[i]}'); AccelSim needs fixed channels, height and width");

            _batch = dims[0].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dims[0].DimValue > 0 ? (int)dims[0].DimValue : 1;
            shape = new TensorShape((int)Fixed(1, "channels"), (int)Fixed(2, "height"), (int)Fixed(3, "width"));
            _values[input.Name] = (Network.InputName, shape);
        }

        private void Lower(NodeProto node)
        {
            switch (node.OpType)
            {
                case "Conv":
                    Conv(node);
                    break;
                case "Gemm":
                    Gemm(node);
                    break;
                case "MatMul":
                    MatMul(node);
                    break;
                case "Add":
                    Add(node);
                    break;
                case "Relu":
                    Emit(node, "relu", Activation(node, 0).Shape, [], Activation(node, 0).Layer, node.Output[0]);
                    break;
                case "MaxPool":
                case "AveragePool":
                    Pool(node);
                    break;
                case "GlobalAveragePool":
                case "GlobalMaxPool":
                    var whole = Activation(node, 0);
                    Emit(node, node.OpType == "GlobalMaxPool" ? "max_pool" : "avg_pool", new TensorShape(whole.Shape.Channels, 1, 1),
                        [("global", "true")], whole.Layer, node.Output[0]);
                    break;
                case "Concat":
                    Concat(node);
                    break;
                case "Flatten":
                    Flatten(node);
                    break;
                case "Reshape":
                    Reshape(node);
                    break;
                case "Dropout":
                case "Identity":
                    _values[node.Output[0]] = Activation(node, 0);
                    break;
                case "Constant":
                    _constants[node.Output[0]] = Attribute(node, "value")?.T
                        ?? throw Unsupported(node, "only a Constant with a tensor 'value' is read");
                    break;
                case "BatchNormalization":
                    throw Unsupported(node,
                        $"batch normalisation is folded into the Conv before it, and input '{node.Input[0]}' is not the output of a Conv read by this node alone");
                default:
                    throw new OnnxFormatException($"node {Describe(node)}: operator {node.OpType} is not supported; supported: {Supported}");
            }
        }

        private void Conv(NodeProto node)
        {
            var x = Activation(node, 0);
            TensorProto w = Initializer(node, 1, "weights");
            long[] dims = OnnxTensors.Dims(w);
            if (dims.Length != 4)
            {
                throw Unsupported(node, $"weights '{w.Name}' have {dims.Length} dimensions; only 2-D convolutions ([M, C/group, kH, kW]) are modelled");
            }

            int groups = (int)Int(node, "group", 1);
            int filters = (int)dims[0];
            int kh = (int)dims[2], kw = (int)dims[3];
            if (dims[1] * groups != x.Shape.Channels)
            {
                throw Unsupported(node, $"weights '{w.Name}' expect {dims[1]} x group {groups} input channels, the input has {x.Shape.Channels}");
            }

            if (Ints(node, "kernel_shape") is { Length: > 0 } ks && (ks.Length != 2 || ks[0] != kh || ks[1] != kw))
            {
                throw Unsupported(node, $"kernel_shape [{string.Join(", ", ks)}] does not match the weights ({kh}x{kw})");
            }

            (int sh, int sw) = Pair(node, "strides", 1);
            (int dh, int dw) = Pair(node, "dilations", 1);
            var pads = Pads(node, x.Shape, kh, kw, sh, sw, dh, dw);
            int oh = Extent(node, x.Shape.Height, pads.Top, pads.Bottom, kh, sh, dh);
            int ow = Extent(node, x.Shape.Width, pads.Left, pads.Right, kw, sw, dw);

            double[]? weights = Doubles(w, $"node {Describe(node)} weights '{w.Name}'");
            TensorProto? biasTensor = node.Input.Count > 2 && node.Input[2].Length > 0 ? Initializer(node, 2, "bias") : null;
            double[]? bias = biasTensor is null ? null : Doubles(biasTensor, $"node {Describe(node)} bias '{node.Input[2]}'");
            int? biasLength = biasTensor is null ? null : CheckLength(node, biasTensor, filters, "bias");
            var nodes = new List<string> { Describe(node) };
            string output = node.Output[0];
            if (SoleConsumer(output) is { OpType: "BatchNormalization" } bn && bn.Input[0] == output)
            {
                Fold(bn, filters, weights, ref bias);
                biasLength = filters;
                _absorbed.Add(bn);
                nodes.Add($"{Describe(bn)} (folded)");
                output = bn.Output[0];
            }

            bool relu = FuseRelu(ref output, nodes);
            var fields = new List<(string, string)>
            {
                ("filters", Num(filters)),
                ("kernel", $"[{kh}, {kw}]"),
                ("stride", $"[{sh}, {sw}]"),
                ("padding", $"[{pads.Top}, {pads.Left}, {pads.Bottom}, {pads.Right}]"),
            };
            if (dh != 1 || dw != 1)
            {
                fields.Add(("dilation", $"[{dh}, {dw}]"));
            }

            if (groups != 1)
            {
                fields.Add(("groups", Num(groups)));
            }

            fields.Add(("bias", biasLength is null ? "false" : "true"));
            fields.Add(("relu", relu ? "true" : "false"));
            string name = Emit(node, "conv", new TensorShape(filters, oh, ow), fields, x.Layer, output, string.Join(", ", nodes));
            _parameters[name] = (OnnxTensors.Count(w), biasLength, weights, bias, string.Join(", ", nodes));
        }

        /// <summary>Folds a BatchNormalization into the weights and bias before it, in double (reading shapes only: checks
        /// its parameters' sizes).</summary>
        private void Fold(NodeProto bn, int channels, double[]? weights, ref double[]? bias)
        {
            double[]? Read(int i, string what)
            {
                TensorProto t = Initializer(bn, i, what);
                double[]? values = Doubles(t, $"node {Describe(bn)} {what}");
                CheckLength(bn, t, channels, what);
                return values;
            }

            double[]? gamma = Read(1, "scale"), beta = Read(2, "B"), mean = Read(3, "mean"), variance = Read(4, "var");
            if (weights is null || gamma is null || beta is null || mean is null || variance is null)
            {
                return;
            }

            double epsilon = Attribute(bn, "epsilon") is { } e ? e.F : 1e-5;
            int perFilter = weights.Length / channels;
            bias ??= new double[channels];
            for (int m = 0; m < channels; m++)
            {
                double scale = gamma[m] / Math.Sqrt(variance[m] + epsilon);
                for (int k = 0; k < perFilter; k++)
                {
                    weights[(m * perFilter) + k] *= scale;
                }

                bias[m] = ((bias[m] - mean[m]) * scale) + beta[m];
            }
        }

        private void Gemm(NodeProto node)
        {
            var x = Activation(node, 0);
            if (Int(node, "transA", 0) != 0)
            {
                throw Unsupported(node, "transA = 1 is not modelled (the activation must be [batch, features])");
            }

            TensorProto b = Initializer(node, 1, "B (weights)");
            long[] dims = OnnxTensors.Dims(b);
            if (dims.Length != 2)
            {
                throw Unsupported(node, $"B '{b.Name}' has {dims.Length} dimensions; 2 are needed");
            }

            bool transB = Int(node, "transB", 0) != 0;
            int outputs = (int)(transB ? dims[0] : dims[1]);
            int k = (int)(transB ? dims[1] : dims[0]);
            double alpha = Attribute(node, "alpha") is { } a ? a.F : 1.0;
            double beta = Attribute(node, "beta") is { } be ? be.F : 1.0;
            float[]? raw = FloatsOrNull(b, $"node {Describe(node)} B '{b.Name}'");
            double[]? bias = null;
            int? biasLength = null;
            if (node.Input.Count > 2 && node.Input[2].Length > 0)
            {
                TensorProto c = Initializer(node, 2, "C (bias)");
                float[]? cv = FloatsOrNull(c, $"node {Describe(node)} C '{c.Name}'");
                long count = OnnxTensors.Count(c);
                biasLength = count == outputs || count == 1 ? outputs
                    : throw Unsupported(node, $"C '{c.Name}' has {count} values; {outputs} (one per output) or 1 are modelled");
                bias = cv is null ? null : cv.Length == outputs ? [.. cv.Select(v => beta * v)] : [.. Enumerable.Repeat(beta * cv[0], outputs)];
            }

            FullyConnected(node, x, raw, transB, k, outputs, alpha, (biasLength, bias), [Describe(node)], node.Output[0]);
        }

        private void MatMul(NodeProto node)
        {
            var x = Activation(node, 0);
            TensorProto b = Initializer(node, 1, "B (weights)");
            long[] dims = OnnxTensors.Dims(b);
            if (dims.Length != 2)
            {
                throw Unsupported(node, $"B '{b.Name}' has {dims.Length} dimensions; a 2-D [features, outputs] weight is needed");
            }

            var nodes = new List<string> { Describe(node) };
            string output = node.Output[0];
            double[]? bias = null;
            int? biasLength = null;
            if (SoleConsumer(output) is { OpType: "Add" } add && add.Input.Count == 2)
            {
                string other = add.Input[0] == output ? add.Input[1] : add.Input[0];
                if (_constants.TryGetValue(other, out TensorProto? c))
                {
                    bias = Doubles(c, $"node {Describe(add)} bias '{other}'");
                    biasLength = CheckLength(add, c, (int)dims[1], "bias");
                    _absorbed.Add(add);
                    nodes.Add($"{Describe(add)} (bias)");
                    output = add.Output[0];
                }
            }

            FullyConnected(node, x, FloatsOrNull(b, $"node {Describe(node)} B '{b.Name}'"), transposed: false, (int)dims[0], (int)dims[1], 1.0, (biasLength, bias), nodes, output);
        }

        /// <summary>An fc layer from a weight matrix stored [outputs, k] (<paramref name="transposed"/>) or [k, outputs]
        /// (null when reading shapes only).</summary>
        private void FullyConnected(
            NodeProto node, (string Layer, TensorShape Shape) x, float[]? raw, bool transposed, int k, int outputs, double alpha,
            (int? Length, double[]? Values) bias, List<string> nodes, string output)
        {
            if (k != x.Shape.Elements)
            {
                throw Unsupported(node, $"the weights take {k} features, the input '{node.Input[0]}' has {x.Shape.Elements} ({x.Shape})");
            }

            double[]? weights = raw is null ? null : new double[(long)outputs * k];
            for (int o = 0; weights is not null && o < outputs; o++)
            {
                for (int i = 0; i < k; i++)
                {
                    weights[((long)o * k) + i] = alpha * raw![transposed ? ((long)o * k) + i : ((long)i * outputs) + o];
                }
            }

            bool relu = FuseRelu(ref output, nodes);
            string name = Emit(node, "fc", new TensorShape(outputs, 1, 1),
                [("outputs", Num(outputs)), ("bias", bias.Length is null ? "false" : "true"), ("relu", relu ? "true" : "false")], x.Layer, output, string.Join(", ", nodes));
            _parameters[name] = ((long)outputs * k, bias.Length, weights, bias.Values, string.Join(", ", nodes));
        }

        private void Add(NodeProto node)
        {
            if (node.Input.Count != 2 || node.Input.Any(_constants.ContainsKey))
            {
                throw Unsupported(node, "only the sum of two activations of equal shape (a residual connection) is modelled, or a bias added right after a MatMul");
            }

            var a = Activation(node, 0);
            var b = Activation(node, 1);
            if (a.Shape != b.Shape)
            {
                throw Unsupported(node, $"its inputs have different shapes ({a.Shape} and {b.Shape}); broadcasting is not modelled");
            }

            var nodes = new List<string> { Describe(node) };
            string output = node.Output[0];
            bool relu = FuseRelu(ref output, nodes);
            Emit(node, "add", a.Shape, [("relu", relu ? "true" : "false")], null, output, string.Join(", ", nodes), [a.Layer, b.Layer]);
        }

        private void Pool(NodeProto node)
        {
            var x = Activation(node, 0);
            bool max = node.OpType == "MaxPool";
            if (node.Output.Count > 1 && node.Output[1].Length > 0)
            {
                throw Unsupported(node, "the Indices output is not modelled");
            }

            if (Int(node, "ceil_mode", 0) != 0)
            {
                throw Unsupported(node, "ceil_mode = 1 is not modelled (output extents round down)");
            }

            (int dh, int dw) = Pair(node, "dilations", 1);
            if (dh != 1 || dw != 1)
            {
                throw Unsupported(node, "dilated pooling is not modelled");
            }

            long[] kernel = Ints(node, "kernel_shape") is { Length: 2 } ks ? ks : throw Unsupported(node, "kernel_shape must give 2 extents");
            int kh = (int)kernel[0], kw = (int)kernel[1];
            (int sh, int sw) = Pair(node, "strides", 1);
            var pads = Pads(node, x.Shape, kh, kw, sh, sw, 1, 1);
            bool padded = pads.Top + pads.Left + pads.Bottom + pads.Right > 0;
            if (!max && padded && Int(node, "count_include_pad", 0) != 0)
            {
                throw Unsupported(node, "count_include_pad = 1 with padding is not modelled: AccelSim's average divides by the in-bounds count");
            }

            if (pads.Top >= kh || pads.Bottom >= kh || pads.Left >= kw || pads.Right >= kw)
            {
                throw Unsupported(node, "padding as large as the kernel is not modelled (a window would hold only padding)");
            }

            int oh = Extent(node, x.Shape.Height, pads.Top, pads.Bottom, kh, sh, 1);
            int ow = Extent(node, x.Shape.Width, pads.Left, pads.Right, kw, sw, 1);
            var fields = new List<(string, string)> { ("kernel", $"[{kh}, {kw}]"), ("stride", $"[{sh}, {sw}]") };
            if (padded)
            {
                fields.Add(("padding", $"[{pads.Top}, {pads.Left}, {pads.Bottom}, {pads.Right}]"));
            }

            Emit(node, max ? "max_pool" : "avg_pool", new TensorShape(x.Shape.Channels, oh, ow), fields, x.Layer, node.Output[0]);
        }

        private void Concat(NodeProto node)
        {
            long axis = Int(node, "axis", 1);
            if (axis is not (1 or -3))
            {
                throw Unsupported(node, $"axis {axis}: only concatenation along the channels (axis 1) is modelled");
            }

            var parts = Enumerable.Range(0, node.Input.Count).Select(i => Activation(node, i)).ToList();
            if (parts.Count < 2)
            {
                _values[node.Output[0]] = parts[0];
                return;
            }

            TensorShape first = parts[0].Shape;
            if (parts.FirstOrDefault(p => (p.Shape.Height, p.Shape.Width) != (first.Height, first.Width)) is { Layer: not null } bad)
            {
                throw Unsupported(node, $"its inputs differ in height x width ({first} and {bad.Shape})");
            }

            Emit(node, "concat", first with { Channels = parts.Sum(p => p.Shape.Channels) }, [], null, node.Output[0], null, [.. parts.Select(p => p.Layer)]);
        }

        private void Flatten(NodeProto node)
        {
            var x = Activation(node, 0);
            if (Int(node, "axis", 1) != 1)
            {
                throw Unsupported(node, "only Flatten with axis 1 (to [batch, features]) is modelled");
            }

            _values[node.Output[0]] = (x.Layer, new TensorShape(checked((int)x.Shape.Elements), 1, 1));
        }

        private void Reshape(NodeProto node)
        {
            var x = Activation(node, 0);
            if (!_constants.TryGetValue(node.Input.Count > 1 ? node.Input[1] : "", out TensorProto? shapeTensor))
            {
                throw Unsupported(node, "the target shape must be an initializer or a Constant");
            }

            long[] shape = OnnxTensors.Longs(shapeTensor, $"node {Describe(node)} shape");
            long features = x.Shape.Elements;
            bool flattens = shape.Length == 2 && shape[0] is 0 or -1 || (shape.Length == 2 && shape[0] == _batch);
            flattens = flattens && (shape[1] == -1 || shape[1] == features) && !(shape[0] == -1 && shape[1] == -1);
            if (!flattens)
            {
                throw Unsupported(node, $"target shape [{string.Join(", ", shape)}]: only a flatten to [batch, features] ({features} features) is modelled");
            }

            _values[node.Output[0]] = (x.Layer, new TensorShape(checked((int)features), 1, 1));
        }

        /// <summary>Extends a layer over a Relu that reads its output and nothing else does.</summary>
        private bool FuseRelu(ref string output, List<string> nodes)
        {
            if (SoleConsumer(output) is { OpType: "Relu" } relu)
            {
                _absorbed.Add(relu);
                nodes.Add(Describe(relu));
                output = relu.Output[0];
                return true;
            }

            return false;
        }

        /// <summary>The node that alone reads <paramref name="tensor"/>, when the tensor is not also a graph output.</summary>
        private NodeProto? SoleConsumer(string tensor) =>
            !_graphOutputs.Contains(tensor) && _consumers.TryGetValue(tensor, out var list) && list.Count == 1 ? list[0] : null;

        /// <summary>Adds a layer that reads <paramref name="input"/>, or the layers <paramref name="joined"/> (add, concat).</summary>
        private string Emit(
            NodeProto node, string type, TensorShape output, List<(string, string)> fields, string? input, string outputTensor, string? nodes = null,
            ImmutableArray<string>? joined = null)
        {
            string name = UniqueName(node);
            string previous = _layers.Count > 0 ? _layers[^1].Name : Network.InputName;
            string nodeName = node.Name.Length > 0 ? node.Name : node.Output[0];
            _layers.Add(new Pending(name, type, joined ?? [input ?? previous], joined is not null, previous, nodeName, fields, nodes ?? Describe(node)));
            _values[outputTensor] = (name, output);
            return name;
        }

        /// <summary>A lowered layer under its node name, until the whole graph gives it its readable one.</summary>
        /// <param name="Joins">True for add and concat, which name their inputs in a list.</param>
        /// <param name="Previous">The layer before it (or the network input): a single input equal to it is not written.</param>
        private sealed record Pending(
            string Name, string Type, ImmutableArray<string> Inputs, bool Joins, string Previous, string NodeName, List<(string, string)> Fields, string Nodes)
        {
            /// <summary>The layer as written: name, ONNX node, type, input(s) (all under their readable names), then the rest.</summary>
            public ImportedLayer Build(Dictionary<string, string> renamed)
            {
                string Renamed(string layer) => renamed.TryGetValue(layer, out string? name) ? name : layer;
                string readable = Renamed(Name);
                string node = LayerName(NodeName) == NodeName ? Scalar(NodeName) : Quoted(NodeName);
                var all = new List<(string, string)> { ("name", Scalar(readable)), ("onnx_node", node), ("type", Type) };
                if (Joins)
                {
                    all.Add(("inputs", $"[{string.Join(", ", Inputs.Select(i => Scalar(Renamed(i))))}]"));
                }
                else if (Inputs[0] != Previous)
                {
                    all.Add(("input", Scalar(Renamed(Inputs[0]))));
                }

                all.AddRange(Fields);
                return new ImportedLayer(readable, Type, [.. all], Nodes) { OnnxNode = NodeName };
            }
        }

        private string UniqueName(NodeProto node)
        {
            string baseName = LayerName(node.Name.Length > 0 ? node.Name : node.Output[0]);
            if (baseName.Length == 0)
            {
                baseName = node.OpType.ToLowerInvariant();
            }

            string name = baseName;
            for (int i = 2; !_names.Add(name); i++)
            {
                name = string.Create(CultureInfo.InvariantCulture, $"{baseName}_{i}");
            }

            return name;
        }

        private (string Layer, TensorShape Shape) Activation(NodeProto node, int index)
        {
            string name = index < node.Input.Count ? node.Input[index] : "";
            if (_values.TryGetValue(name, out var value))
            {
                return value;
            }

            if (_constants.ContainsKey(name))
            {
                throw Unsupported(node, $"input {index} '{name}' is a constant; AccelSim needs an activation there");
            }

            throw Unsupported(node, $"input {index} '{name}' is not computed by an earlier supported node");
        }

        private TensorProto Initializer(NodeProto node, int index, string what) =>
            index < node.Input.Count && _constants.TryGetValue(node.Input[index], out TensorProto? t)
                ? t
                : throw Unsupported(node, $"its {what} (input {index}) must be an initializer or a Constant, so that AccelSim can read the values");

        /// <summary>A layer's parameters, rounded to float; reading shapes only, their sizes with the values read from the
        /// whole model when first asked for.</summary>
        private LayerParameters Parameters(string name, (long Weights, int? Bias, double[]? WeightValues, double[]? BiasValues, string Origin) p)
        {
            if (_full is { } full)
            {
                return new LayerParameters(p.Weights, p.Bias, p.Origin, () => full.Value.Parameters[name]);
            }

            return new LayerParameters([.. p.WeightValues!.Select(v => (float)v)], p.BiasValues is null ? null : [.. p.BiasValues.Select(v => (float)v)], p.Origin);
        }

        /// <summary>A float tensor's values; null when reading shapes only (its element type and storage checked).</summary>
        private float[]? FloatsOrNull(TensorProto t, string what)
        {
            if (_full is null)
            {
                return OnnxTensors.Floats(t, what);
            }

            OnnxTensors.CheckFloat(t, what);
            return null;
        }

        private double[]? Doubles(TensorProto t, string what) => FloatsOrNull(t, what) is { } values ? [.. values.Select(v => (double)v)] : null;

        /// <summary>The tensor's element count, which must be <paramref name="expected"/>.</summary>
        private static int CheckLength(NodeProto node, TensorProto values, int expected, string what)
        {
            long count = OnnxTensors.Count(values);
            return count == expected ? expected : throw Unsupported(node, $"its {what} has {count} values; {expected} (one per channel) are needed");
        }

        private readonly record struct Padding(int Top, int Left, int Bottom, int Right);

        /// <summary>Explicit pads [top, left, bottom, right], or the ones auto_pad implies.</summary>
        private static Padding Pads(NodeProto node, TensorShape x, int kh, int kw, int sh, int sw, int dh, int dw)
        {
            string autoPad = Attribute(node, "auto_pad")?.S.ToStringUtf8() ?? "NOTSET";
            switch (autoPad)
            {
                case "NOTSET" or "":
                    long[] pads = Ints(node, "pads") ?? [0, 0, 0, 0];
                    return pads.Length == 4 && pads.All(p => p >= 0)
                        ? new Padding((int)pads[0], (int)pads[1], (int)pads[2], (int)pads[3])
                        : throw Unsupported(node, $"pads [{string.Join(", ", pads)}] must be 4 non-negative values [top, left, bottom, right]");
                case "VALID":
                    return default;
                case "SAME_UPPER" or "SAME_LOWER":
                    (int before, int after) Same(int size, int k, int s, int d)
                    {
                        int total = Math.Max(0, ((((size + s - 1) / s) - 1) * s) + ((k - 1) * d) + 1 - size);
                        int small = total / 2;
                        return autoPad == "SAME_UPPER" ? (small, total - small) : (total - small, small);
                    }

                    var (t, b) = Same(x.Height, kh, sh, dh);
                    var (l, r) = Same(x.Width, kw, sw, dw);
                    return new Padding(t, l, b, r);
                default:
                    throw Unsupported(node, $"auto_pad '{autoPad}' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
            }
        }

        private static int Extent(NodeProto node, int size, int before, int after, int k, int stride, int dilation)
        {
            long span = (long)size + before + after - (((long)dilation * (k - 1)) + 1);
            return span >= 0 ? (int)(span / stride) + 1 : throw Unsupported(node, $"the padded input ({size} + {before} + {after}) is smaller than the kernel");
        }

        private static (int, int) Pair(NodeProto node, string name, int fallback) => Ints(node, name) switch
        {
            null or [] => (fallback, fallback),
            [var h, var w] when h > 0 && w > 0 => ((int)h, (int)w),
            var other => throw Unsupported(node, $"{name} [{string.Join(", ", other)}] must be 2 positive values"),
        };

        private static AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

        private static long[]? Ints(NodeProto node, string name) => Attribute(node, name) is { } a ? [.. a.Ints] : null;

        private static long Int(NodeProto node, string name, long fallback) => Attribute(node, name) is { } a ? a.I : fallback;

        private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

        private static string Describe(NodeProto node) => $"{(node.Name.Length > 0 ? node.Name : node.Output.FirstOrDefault() ?? "?")} ({node.OpType})";

        private static OnnxFormatException Unsupported(NodeProto node, string why) => new($"node {Describe(node)}: {why}");
    }
}
