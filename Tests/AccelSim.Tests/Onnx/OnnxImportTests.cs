using AccelSim.Cli;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Onnx;
using AccelSim.Tests.Support;
using AccelSim.Workloads;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace AccelSim.Tests.Onnx;

/// <summary>Small models built here (every supported operator, float_data and raw_data initializers) imported and run
/// against ONNX Runtime; unsupported graphs are errors that name the node.</summary>
public sealed class OnnxImportTests
{
    private string _dir = "";

    [SetUp]
    public void Create() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "accelsim-onnx-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Delete() => Directory.Delete(_dir, true);

    private static float[] Values(int count, int seed) => [.. Enumerable.Range(0, count).Select(i => (float)Math.Sin((seed * 7.1) + (i * 1.3)))];

    private static TensorProto Tensor(string name, long[] dims, float[] values, bool raw)
    {
        var t = new TensorProto { Name = name, DataType = 1 };
        t.Dims.AddRange(dims);
        if (raw)
        {
            byte[] bytes = new byte[values.Length * 4];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);   // little-endian, as ONNX stores raw_data
            t.RawData = ByteString.CopyFrom(bytes);
        }
        else
        {
            t.FloatData.AddRange(values);
        }

        return t;
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static NodeProto Node(string op, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        n.Attribute.AddRange(attributes);
        return n;
    }

    private static ValueInfoProto Info(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }

    /// <summary>x [1,2,6,6] → Conv 3x3 pad 1 (raw_data weights, float_data bias) → BatchNormalization → Relu, then a
    /// MaxPool 2/2 branch (4x3x3) and a 1x1 stride-2 Conv branch without bias (3x3x3) → Concat (7x3x3) → AveragePool
    /// 3x3 pad 1 (in-bounds count) → Add of itself → Flatten → Gemm (transB, alpha 0.5, beta 2) → Relu → 5 outputs.</summary>
    private static ModelProto Model(params NodeProto[] extraNodes)
    {
        var graph = new GraphProto { Name = "small" };
        graph.Input.Add(Info("x", 1, 2, 6, 6));
        graph.Output.Add(Info("y", 1, 5));
        graph.Initializer.Add(Tensor("w1", [4, 2, 3, 3], Values(72, 1), raw: true));
        graph.Initializer.Add(Tensor("b1", [4], Values(4, 2), raw: false));
        graph.Initializer.Add(Tensor("gamma", [4], [1.5f, 0.5f, 2f, 1f], raw: false));
        graph.Initializer.Add(Tensor("beta", [4], [0.1f, -0.2f, 0.3f, 0f], raw: true));
        graph.Initializer.Add(Tensor("mean", [4], [0.05f, -0.1f, 0.2f, 0f], raw: false));
        graph.Initializer.Add(Tensor("var", [4], [0.5f, 1.5f, 2f, 1f], raw: false));
        graph.Initializer.Add(Tensor("w2", [3, 4, 1, 1], Values(12, 3), raw: true));
        graph.Initializer.Add(Tensor("wf", [5, 63], Values(315, 4), raw: false));
        graph.Initializer.Add(Tensor("bf", [5], Values(5, 5), raw: true));
        graph.Node.Add(Node("Conv", "conv1", ["x", "w1", "b1"], "c1", Ints("pads", 1, 1, 1, 1), Ints("kernel_shape", 3, 3)));
        graph.Node.Add(Node("BatchNormalization", "bn1", ["c1", "gamma", "beta", "mean", "var"], "n1", Float("epsilon", 1e-3f)));
        graph.Node.Add(Node("Relu", "relu1", ["n1"], "r1"));
        graph.Node.Add(Node("MaxPool", "pool", ["r1"], "p1", Ints("kernel_shape", 2, 2), Ints("strides", 2, 2)));
        graph.Node.Add(Node("Conv", "proj", ["r1", "w2"], "c2", Ints("strides", 2, 2)));
        graph.Node.Add(Node("Concat", "cat", ["p1", "c2"], "k", Int("axis", 1)));
        graph.Node.Add(Node("AveragePool", "avg", ["k"], "a", Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Int("count_include_pad", 0)));
        graph.Node.Add(Node("Add", "twice", ["a", "a"], "s"));
        graph.Node.Add(Node("Flatten", "flat", ["s"], "f", Int("axis", 1)));
        graph.Node.Add(Node("Gemm", "fc", ["f", "wf", "bf"], "g", Int("transB", 1), Float("alpha", 0.5f), Float("beta", 2f)));
        graph.Node.Add(Node("Relu", "relu2", ["g"], "y"));
        graph.Node.AddRange(extraNodes);
        var model = new ModelProto { IrVersion = 7, ProducerName = "test", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model;
    }

    private string Save(ModelProto model, string name = "small.onnx")
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    [Test]
    public void SmallModel_LowersToTheExpectedLayers()
    {
        ImportedModel imported = OnnxImporter.Import(Save(Model()));

        using (Assert.EnterMultipleScope())
        {
            // BatchNormalization and both Relus are absorbed; Flatten is a no-op: 7 layers for 11 nodes. The add sums one
            // tensor with itself, so it ends no residual block: every layer is named {kind}{n} (docs/numerics.md#layer-names).
            Assert.That(imported.Layers.Select(l => $"{l.Name}:{l.OnnxNode}:{l.Type}"),
                Is.EqualTo(new[] { "conv1:conv1:conv", "pool1:pool:max_pool", "conv2:proj:conv", "concat1:cat:concat", "pool2:avg:avg_pool", "add1:twice:add", "fc1:fc:fc" }));
            Assert.That(imported.Parameters.Keys.Order(), Is.EqualTo(new[] { "conv1", "conv2", "fc1" }));
            Assert.That(imported.Parameters["conv2"].Bias, Is.Null);
            Assert.That(imported.Layers.Single(l => l.Name == "conv2").Fields, Does.Contain(("input", "conv1")));
            Assert.That(imported.Layers.Single(l => l.Name == "concat1").Fields, Does.Contain(("inputs", "[pool1, conv2]")));
            Assert.That(imported.ParametersOf("proj"), Is.SameAs(imported.Parameters["conv2"]), "a former (node) name still finds the weights");
        }
    }

    [Test]
    public void BatchNorm_IsFoldedIntoTheConvolution_InDouble()
    {
        // Channel 0: scale = γ/√(σ²+ε) = 1.5/√(0.5+0.001); w' = w·scale, b' = (b − μ)·scale + β.
        ImportedModel imported = OnnxImporter.Import(Save(Model()));
        float[] w = Values(72, 1);
        float[] b = Values(4, 2);
        double scale = 1.5 / Math.Sqrt(0.5 + (double)1e-3f);
        LayerParameters conv = imported.Parameters["conv1"];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(conv.Weights[5], Is.EqualTo((float)(w[5] * scale)));
            Assert.That(conv.Bias!.Value[0], Is.EqualTo((float)(((b[0] - (double)0.05f) * scale) + 0.1f)));
            Assert.That(conv.Origin, Does.Contain("bn1 (BatchNormalization) (folded)"));
        }
    }

    [Test]
    public void SmallModel_ReferenceOutput_MatchesOnnxRuntime()
    {
        string path = Save(Model());
        Network network = ConfigLoader.LoadWorkload(path);   // the .onnx read directly, as a workload
        float[] input = NetworkInputs.Tensor(network);
        using var session = new InferenceSession(path);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(input, [1, 2, 6, 6]))]);
        float[] expected = [.. results.Single().AsEnumerable<float>()];

        var numerics = new NetworkNumerics(network, TestHardware.Tiny(), 1);
        numerics.Run();
        double[] actual = numerics.ReferenceOutput!;

        double largest = expected.Max(v => Math.Abs((double)v));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(expected.Count(v => v > 0), Is.GreaterThan(0), "an all-zero output after the ReLU would check nothing");
            Assert.That(actual, Is.EqualTo(expected.Select(v => (double)v)).Within(1e-5 * largest));
        }
    }

    [Test]
    public void ImportCommand_WritesAWorkloadThatLoads()
    {
        string model = Save(Model());
        string yaml = Path.Combine(_dir, "out", "small.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(yaml)!);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int code = Commands.Build(stdout, stderr).Parse(["import", "onnx", model, "-o", yaml, "--quiet"]).Invoke();

        Network network = ConfigLoader.LoadWorkload(yaml);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.Zero, stderr.ToString());
            Assert.That(File.ReadAllText(yaml), Does.Contain("weights: { onnx: { file: '../small.onnx' } }"));
            Assert.That(network.Layers.Select(l => l.Kind), Is.EqualTo(new[]
            {
                LayerKind.Convolution, LayerKind.MaxPool, LayerKind.Convolution, LayerKind.Concat, LayerKind.AveragePool, LayerKind.Add, LayerKind.FullyConnected,
            }));
            Assert.That(((ConvLayer)network.Layers[0]).FusedRelu, Is.True);
            Assert.That(network.Layers[3].OutputShape, Is.EqualTo(new TensorShape(7, 3, 3)));
        }
    }

    [Test]
    public void MatMulWithBiasAdd_BecomesOneFcLayer_MatchingOnnxRuntime()
    {
        // x [1,2,6,6] → GlobalAveragePool (2 features) → Reshape [1, -1] → MatMul B [2, 3] (raw_data) → Add [3] → Relu.
        var graph = new GraphProto { Name = "mm" };
        graph.Input.Add(Info("x", 1, 2, 6, 6));
        graph.Output.Add(Info("y", 1, 3));
        graph.Initializer.Add(Tensor("B", [2, 3], [1f, -2f, 0.5f, 3f, 1f, -1f], raw: true));
        graph.Initializer.Add(Tensor("bias", [3], [0.25f, 0.5f, 4f], raw: false));
        var shape = new TensorProto { Name = "shape", DataType = 7 };
        shape.Dims.Add(2);
        shape.Int64Data.AddRange([1L, -1L]);
        graph.Initializer.Add(shape);
        graph.Node.Add(Node("GlobalAveragePool", "gap", ["x"], "g"));
        graph.Node.Add(Node("Reshape", "flat", ["g", "shape"], "f"));
        graph.Node.Add(Node("MatMul", "mm", ["f", "B"], "m"));
        graph.Node.Add(Node("Add", "plus", ["m", "bias"], "a"));
        graph.Node.Add(Node("Relu", "relu", ["a"], "y"));
        var model = new ModelProto { IrVersion = 7, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        string path = Save(model, "mm.onnx");

        Network network = ConfigLoader.LoadWorkload(path);
        float[] input = NetworkInputs.Tensor(network);
        using var session = new InferenceSession(path);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(input, [1, 2, 6, 6]))]);
        float[] expected = [.. results.Single().AsEnumerable<float>()];
        var numerics = new NetworkNumerics(network, TestHardware.Tiny(), 1);
        numerics.Run();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(network.Layers.Select(l => l.Kind), Is.EqualTo(new[] { LayerKind.AveragePool, LayerKind.FullyConnected }));
            // Stored [outputs, inputs]: the transpose of B.
            var fc = (LoadedWeights)((FullyConnectedLayer)network.Layers[1]).Weights;
            Assert.That(fc.Weights, Is.EqualTo(new[] { 1f, 3f, -2f, 1f, 0.5f, -1f }));
            Assert.That(expected.Count(v => v > 0), Is.GreaterThan(0));
            Assert.That(numerics.ReferenceOutput!, Is.EqualTo(expected.Select(v => (double)v)).Within(1e-5 * expected.Max(Math.Abs)));
        }
    }

    [Test]
    public void NodeNames_ThatYamlWouldMisread_AreQuotedOrReplaced()
    {
        // PyTorch exports number nodes ("7") and may use ':'; the name "true" would read as a boolean.
        ModelProto model = Model();
        model.Graph.Node[0].Name = "7";
        model.Graph.Node[3].Name = "true";
        model.Graph.Node[4].Name = "proj:0";

        Network network = ConfigLoader.LoadWorkload(Save(model));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(network.Layers.Take(3).Select(l => l.OnnxNode), Is.EqualTo(new[] { "7", "true", "proj:0" }));
            Assert.That(network.Layers.Take(3).Select(l => l.Name), Is.EqualTo(new[] { "conv1", "pool1", "conv2" }));
            Assert.That(network.Layers[2].Inputs, Is.EqualTo(new[] { "conv1" }));
        }
    }

    [Test]
    public void UnsupportedOperator_IsAnErrorNamingTheNode()
    {
        ModelProto model = Model();
        model.Graph.Node[^1] = Node("Softmax", "probabilities", ["g"], "y");

        var error = Assert.Throws<OnnxFormatException>(() => OnnxImporter.Import(Save(model)));

        Assert.That(error!.Message, Does.StartWith("small.onnx: node probabilities (Softmax): operator Softmax is not supported; supported: Conv, Gemm"));
    }

    [Test]
    public void BatchNorm_NotAfterAConv_IsAnErrorNamingTheNode()
    {
        ModelProto model = Model();
        // bn1 now reads the input, not a convolution's output.
        model.Graph.Node[1].Input[0] = "x";
        model.Graph.Node[2].Input[0] = "c1";

        var error = Assert.Throws<OnnxFormatException>(() => OnnxImporter.Import(Save(model)));

        Assert.That(error!.Message, Is.EqualTo(
            "small.onnx: node bn1 (BatchNormalization): batch normalisation is folded into the Conv before it, and input 'x' is not the output of a Conv read by this node alone"));
    }

    [Test]
    public void OnnxWorkload_WithAnUnsupportedNode_IsAConfigErrorAndExitCode2()
    {
        ModelProto model = Model();
        model.Graph.Node[^1] = Node("Sigmoid", "squash", ["g"], "y");
        string path = Save(model);
        var stderr = new StringWriter();

        int code = Commands.Build(new StringWriter(), stderr).Parse(["run", "-w", path, "--no-numerics", "--quiet"]).Invoke();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr.ToString(), Does.Contain($"{path}:1:1: small.onnx: node squash (Sigmoid): operator Sigmoid is not supported"));
        }
    }

    [Test]
    public void LayerEditedAfterImport_NoLongerTakesTheModelsWeights()
    {
        string model = Save(Model());
        string yaml = Path.Combine(_dir, "small.yaml");
        File.WriteAllText(yaml, OnnxImporter.Import(model).ToYaml("{ onnx: { file: small.onnx } }").Replace("filters: 3", "filters: 6", StringComparison.Ordinal));

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.LoadWorkload(yaml));

        Assert.That(error!.Message, Does.Contain("layer 'conv2' needs 24 weights for its shape, the model's proj (Conv) has 12"));
    }

    [Test]
    public void ShapesOnlyImport_GivesTheSameLayersAndSizes_AndTheSameValuesWhenAsked()
    {
        string path = Save(Model());
        ImportedModel full = OnnxImporter.Import(path);
        ImportedModel shapes = OnnxImporter.ImportShapes(path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(shapes.ToYaml("{ onnx: { file: small.onnx } }"), Is.EqualTo(full.ToYaml("{ onnx: { file: small.onnx } }")));
            Assert.That(shapes.Parameters.Keys.Order(), Is.EqualTo(full.Parameters.Keys.Order()));
            foreach ((string name, LayerParameters p) in full.Parameters)
            {
                LayerParameters s = shapes.Parameters[name];
                // conv1: 4 filters x 2 channels x 3x3 = 72 weights, bias 4 (its own, folded with bn1); conv2: 3 x 4 x 1x1 = 12,
                // no bias; fc1: 5 x 63 = 315 weights, bias 5: the sizes come from the dims alone.
                Assert.That((s.WeightCount, s.BiasLength), Is.EqualTo((p.WeightCount, p.BiasLength)), name);
                Assert.That(s.Weights, Is.EqualTo(p.Weights), name);
                Assert.That(s.Bias is { } b ? b.ToArray() : null, Is.EqualTo(p.Bias is { } fb ? fb.ToArray() : null), name);
            }

            Assert.That(full.Parameters.Select(p => (p.Key, p.Value.WeightCount, p.Value.BiasLength)).Order(),
                Is.EqualTo(new (string, long, int?)[] { ("conv1", 72, 4), ("conv2", 12, null), ("fc1", 315, 5) }));
        }
    }

    [Test]
    public void TimingOnlyRun_DoesNotReadTheWeights_ARunWithNumericsReportsTheirProblemAsBadInput()
    {
        // fc's weights 'wf' claim [5, 63] = 315 values but hold 314: only reading them finds out.
        ModelProto model = Model();
        TensorProto wf = model.Graph.Initializer.Single(t => t.Name == "wf");
        wf.FloatData.RemoveAt(wf.FloatData.Count - 1);
        string path = Save(model);
        string yaml = Path.Combine(_dir, "small.yaml");
        File.WriteAllText(yaml, OnnxImporter.ImportShapes(path).ToYaml("{ onnx: { file: small.onnx } }"));
        string config = Path.Combine(RepoPaths.Root, "Configs", "tiny.yaml");

        var (timingCode, _, timingErr) = CliHarness.Run("run", "-c", config, "-w", yaml, "--no-numerics", "--no-table");
        Network deferred = ConfigLoader.LoadWorkload(yaml, weightsWhenUsed: true);
        var weights = (LoadedWeights)((FullyConnectedLayer)deferred.Layers[^1]).Weights;
        var error = Assert.Throws<ConfigException>(() => _ = weights.Weights);
        var (numericsCode, _, numericsErr) = CliHarness.Run("run", "-c", config, "-w", yaml, "--no-table");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(timingCode, Is.EqualTo(0), timingErr);
            Assert.That(weights.WeightCount, Is.EqualTo(315));
            Assert.That(error!.Message, Does.Contain("holds 314 values but its dims (5, 63) need 315"));
            Assert.That(numericsCode, Is.EqualTo(2), numericsErr);
            Assert.That(numericsErr, Does.Contain("holds 314 values but its dims (5, 63) need 315"));
        }
    }
}
