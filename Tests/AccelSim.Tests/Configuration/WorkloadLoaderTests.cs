using AccelSim.Configuration;
using AccelSim.Tests.Support;
using AccelSim.Workloads;
using static AccelSim.Tests.Configuration.SampleYaml;

namespace AccelSim.Tests.Configuration;

public sealed class WorkloadLoaderTests
{
    private ConfigFiles _files = null!;

    [SetUp]
    public void CreateFolder() => _files = new ConfigFiles();

    [TearDown]
    public void DeleteFolder() => _files.Dispose();

    private Network Load(string yaml) => ConfigLoader.LoadWorkload(_files.Write("net.yaml", yaml));

    [Test]
    public void LayerActivationStorage_IsTheLayersOwn_OthersKeepTheAccelerators()
    {
        Network network = Load(WorkloadYaml.WithLine(9, "  - { name: pool1, type: max_pool, kernel: 2, activation_storage: int8 }"));

        Assert.Multiple(() =>
        {
            Assert.That(network.Layers[2].ActivationStorage, Is.EqualTo(ActivationStorage.Int8));
            Assert.That(network.Layers[0].ActivationStorage, Is.Null);
        });
    }

    [Test]
    public void LayerCompressionAndDensity_AreTheLayersOwn()
    {
        Network network = Load(WorkloadYaml.WithLine(9, "  - { name: pool1, type: max_pool, kernel: 2, activation_compression: bitmap, density: 0.25 }"));

        Assert.Multiple(() =>
        {
            Assert.That(network.Layers[2].ActivationCompression, Is.EqualTo(ActivationCompression.Bitmap));
            Assert.That(network.Layers[2].Density, Is.EqualTo(0.25));
            Assert.That(network.Layers[0].ActivationCompression, Is.Null);
            Assert.That(network.Layers[0].Density, Is.Null);
        });
    }

    [Test]
    public void Vgg16_HasThePublishedMacsAndParameters()
    {
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "vgg16.yaml"));

        // MACs = Σ conv H·W·M·C·9 + Σ fc in·out:
        //   224²·64·3·9 = 86,704,128; 224²·64·64·9 = 1,849,688,064; 112²·128·64·9 = 924,844,032; 112²·128·128·9 = 1,849,688,064;
        //   56²·256·128·9 = 924,844,032; 2 × 56²·256·256·9 = 2 × 1,849,688,064; 28²·512·256·9 = 924,844,032;
        //   2 × 28²·512·512·9 = 2 × 1,849,688,064; 3 × 14²·512·512·9 = 3 × 462,422,016  → convs 15,346,630,656
        //   fc: 25088·4096 + 4096·4096 + 4096·1000 = 102,760,448 + 16,777,216 + 4,096,000 = 123,633,664
        //   total 15,470,264,320.
        // Parameters = Σ conv (M·C·9 + M) + Σ fc (in·out + out) = 14,714,688 + 123,642,856 = 138,357,544.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(network.MacsPerItem, Is.EqualTo(15_470_264_320L));
            Assert.That(network.Parameters, Is.EqualTo(138_357_544L));
            Assert.That(network.Layers, Has.Length.EqualTo(21));
            Assert.That(network.Layers.Count(l => l.Kind == LayerKind.Convolution), Is.EqualTo(13));
            Assert.That(network.Layers.Single(l => l.Name == "pool5").OutputShape, Is.EqualTo(new TensorShape(512, 7, 7)));
            Assert.That(((FullyConnectedLayer)network.Layers.Single(l => l.Name == "fc6")).InputFeatures, Is.EqualTo(25088));
            Assert.That(network.Layers[^1].OutputShape, Is.EqualTo(new TensorShape(1000, 1, 1)));
        }
    }

    [Test]
    public void TinyWorkload_BecomesTheExpectedLayers()
    {
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "tiny.yaml"));

        var conv = (ConvLayer)network.Layers[0];
        var pool = (PoolLayer)network.Layers[1];
        var fc = (FullyConnectedLayer)network.Layers[2];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(network.Name, Is.EqualTo("tiny"));
            Assert.That(network.Batch, Is.EqualTo(1));
            Assert.That(network.InputShape, Is.EqualTo(new TensorShape(2, 6, 6)));
            Assert.That(network.Inputs, Is.EqualTo(new SyntheticInputs(7)));

            Assert.That(string.Join(", ", conv.Inputs), Is.EqualTo("input"), "the first layer reads the network input");
            Assert.That((conv.InputShape, conv.OutputShape), Is.EqualTo((new TensorShape(2, 6, 6), new TensorShape(4, 6, 6))));
            Assert.That((conv.KernelHeight, conv.KernelWidth, conv.StrideHeight, conv.StrideWidth), Is.EqualTo((3, 3, 1, 1)));
            Assert.That((conv.PadTop, conv.PadLeft, conv.PadBottom, conv.PadRight), Is.EqualTo((1, 1, 1, 1)));
            Assert.That((conv.DilationHeight, conv.DilationWidth, conv.Groups), Is.EqualTo((1, 1, 1)));
            Assert.That((conv.HasBias, conv.FusedRelu), Is.EqualTo((true, true)));
            Assert.That(conv.Weights, Is.EqualTo(new SyntheticWeights(LayerSeeds.Derive(42, "c1"))));

            Assert.That(string.Join(", ", pool.Inputs), Is.EqualTo("c1"), "a layer reads the previous one by default");
            Assert.That(pool.Kind, Is.EqualTo(LayerKind.MaxPool));
            Assert.That(pool.OutputShape, Is.EqualTo(new TensorShape(4, 3, 3)));
            Assert.That((pool.StrideHeight, pool.StrideWidth), Is.EqualTo((2, 2)), "pool stride defaults to the kernel");

            Assert.That(string.Join(", ", fc.Inputs), Is.EqualTo("p1"));
            Assert.That((fc.InputFeatures, fc.OutputShape), Is.EqualTo((36L, new TensorShape(3, 1, 1))));
            Assert.That(fc.Weights, Is.EqualTo(new SyntheticWeights(LayerSeeds.Derive(42, "fc"))));

            // conv: 4·6·6 outputs × (2·3·3) = 2,592 MACs, 4·18 + 4 = 76 parameters;
            // fc: 36·3 = 108 MACs, 108 + 3 = 111 parameters.
            Assert.That(network.MacsPerItem, Is.EqualTo(2_700L));
            Assert.That(network.Parameters, Is.EqualTo(187L));
        }
    }

    [Test]
    public void ResidualBlock_AddsTheShortcut_AndPoolsGlobally()
    {
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "resnet_block.yaml"));

        var add = (AddLayer)network.Layers.Single(l => l.Name == "residual");
        var gap = (PoolLayer)network.Layers.Single(l => l.Name == "gap");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(string.Join(", ", add.Inputs), Is.EqualTo("conv_b, input"));
            Assert.That((add.InputShape, add.OutputShape, add.FusedRelu), Is.EqualTo((new TensorShape(8, 8, 8), new TensorShape(8, 8, 8), true)));
            Assert.That(gap.Kind, Is.EqualTo(LayerKind.AveragePool));
            Assert.That((gap.KernelHeight, gap.KernelWidth, gap.OutputShape), Is.EqualTo((8, 8, new TensorShape(8, 1, 1))));
            Assert.That(string.Join(", ", gap.Inputs), Is.EqualTo("residual"));

            // Two bias-free 3x3 convs 8→8 on 8x8: 2 × 64·8·72 = 73,728 MACs and 2 × 576 = 1,152 parameters;
            // fc 8→10: 80 MACs, 90 parameters.
            Assert.That(network.MacsPerItem, Is.EqualTo(73_808L));
            Assert.That(network.Parameters, Is.EqualTo(1_242L));
        }
    }

    // out = floor((in + pad_a + pad_b − dilation·(k − 1) − 1) / stride) + 1
    [TestCase(224, "3", "7", "2", "1", 112, 112, TestName = "ResNet stem: floor((224+6-7)/2)+1 = 112")]
    [TestCase(8, "0", "3", "1", "2", 4, 4, TestName = "Dilation 2 makes a 3x3 kernel span 5: 8-5+1 = 4")]
    [TestCase(7, "0", "2", "2", "1", 3, 3, TestName = "Floor: (7-2)/2 = 2.5 -> 2, +1 = 3")]
    [TestCase(7, "[0, 0, 1, 1]", "2", "2", "1", 4, 4, TestName = "Bottom/right padding only: (7+1-2)/2+1 = 4")]
    [TestCase(8, "[0, 1]", "[1, 3]", "1", "1", 8, 8, TestName = "Rectangular kernel [1, 3] with padding [0, 1] keeps 8x8")]
    [TestCase(9, "1", "3", "[2, 1]", "1", 5, 9, TestName = "Stride [2, 1]: height (9+2-3)/2+1 = 5, width 9")]
    [TestCase(9, "0", "3", "1", "[1, 3]", 7, 3, TestName = "Dilation [1, 3]: width span 7, 9-7+1 = 3")]
    public void ConvOutputShape_FollowsTheFormula(int extent, string padding, string kernel, string stride, string dilation, int height, int width)
    {
        string yaml = $"""
            version: 1
            name: shapes
            input: {"{"} channels: 2, height: {extent}, width: {extent} {"}"}
            inputs: {"{"} synthetic: {"{"} seed: 1 {"}"} {"}"}
            weights: {"{"} synthetic: {"{"} seed: 1 {"}"} {"}"}
            layers:
              - name: c
                type: conv
                filters: 3
                kernel: {kernel}
                stride: {stride}
                padding: {padding}
                dilation: {dilation}
            """;

        Layer layer = Load(yaml).Layers.Single();

        Assert.That(layer.OutputShape, Is.EqualTo(new TensorShape(3, height, width)));
    }

    [Test]
    public void DepthwiseConv_DividesChannelsIntoGroups()
    {
        string yaml = WorkloadYaml.WithLine(7, "  - { name: conv1, type: conv, filters: 4, kernel: 3, padding: 1, groups: 4 }");

        var conv = (ConvLayer)Load(yaml).Layers[0];

        Assert.That((conv.Groups, conv.ReductionLength, conv.OutputShape), Is.EqualTo((4, 9L, new TensorShape(4, 8, 8))));
    }

    [Test]
    public void ExplicitInput_ReadsAnyEarlierLayer_AndLayerWeightsOverrideTheWorkloadSeed()
    {
        string yaml = WorkloadYaml
            .WithLine(8, "  - { name: conv2, type: conv, filters: 8, kernel: 1, input: input, bias: false, weights: { synthetic: { seed: 5 } } }");

        var conv2 = (ConvLayer)Load(yaml).Layers[1];

        Assert.That((conv2.Inputs.Single(), conv2.InputShape, conv2.HasBias, conv2.Weights),
            Is.EqualTo(("input", new TensorShape(4, 8, 8), false, (WeightSource)new SyntheticWeights(5))));
    }

    [Test]
    public void PoolsAndRelu_KeepChannels()
    {
        string yaml = WorkloadYaml
            .WithLine(9, "  - { name: pool1, type: avg_pool, kernel: 3, stride: 2, padding: 1 }")
            .WithLine(10, "  - { name: r, type: relu }\n  - { name: gmax, type: max_pool, global: true }");

        Network network = Load(yaml);

        using (Assert.EnterMultipleScope())
        {
            // (8 + 2 - 3) / 2 + 1 = 4
            Assert.That(network.Layers[2].OutputShape, Is.EqualTo(new TensorShape(8, 4, 4)));
            Assert.That(network.Layers[2].Kind, Is.EqualTo(LayerKind.AveragePool));
            Assert.That((network.Layers[3].Kind, network.Layers[3].OutputShape), Is.EqualTo((LayerKind.Relu, new TensorShape(8, 4, 4))));
            Assert.That((network.Layers[4].Kind, network.Layers[4].OutputShape), Is.EqualTo((LayerKind.MaxPool, new TensorShape(8, 1, 1))));
        }
    }

    [Test]
    public void Concat_StacksChannels_InTheOrderListed()
    {
        // conv1 and conv2 are 8x8x8, pool1 is 8x4x4: a branch from conv1 pooled to 3 channels would not match; stack
        // conv1, conv2 and the input (4x8x8): 8 + 8 + 4 = 20 channels at 8x8.
        string yaml = WorkloadYaml.WithLineAfter(9, "  - { name: cat, type: concat, inputs: [conv1, conv2, input] }");

        var concat = (ConcatLayer)Load(yaml).Layers.Single(l => l.Name == "cat");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(concat.Inputs, Is.EqualTo(new[] { "conv1", "conv2", "input" }));
            Assert.That(concat.InputChannels, Is.EqualTo(new[] { 8, 8, 4 }));
            Assert.That(concat.OutputShape, Is.EqualTo(new TensorShape(20, 8, 8)));
        }
    }

    [Test]
    public void Batch_IsRead_AndDefaultsToOne()
    {
        Assert.That((Load(WorkloadYaml).Batch, Load(WorkloadYaml.WithLineAfter(3, "batch: 16")).Batch), Is.EqualTo((1, 16)));
    }

    [Test]
    public void WorkloadWeights_MayBeLeftOut_WhenEveryLayerHasItsOwn()
    {
        string yaml = WorkloadYaml
            .WithLine(5, "# (no workload weights)")
            .WithLine(7, "  - { name: conv1, type: conv, filters: 8, kernel: 3, weights: { synthetic: { seed: 1 } } }")
            .WithLine(8, "  - { name: r, type: relu }")
            .WithLine(10, "  - { name: fc1, type: fc, outputs: 10, weights: { synthetic: { seed: 2 } } }");

        Network network = Load(yaml);

        Assert.That(network.Layers.OfType<FullyConnectedLayer>().Single().Weights, Is.EqualTo(new SyntheticWeights(2)));
    }

    private static IEnumerable<TestCaseData> InvalidCases()
    {
        static TestCaseData Case(string name, string yaml, params string[] errors) => new TestCaseData(yaml, errors).SetName(name);

        yield return Case("Undefined layer input",
            WorkloadYaml.WithLine(8, "  - { name: conv2, type: conv, filters: 8, kernel: 3, input: conv9 }"),
            "8:62: layer 'conv2' input 'conv9' is not defined earlier; known: input, conv1");
        yield return Case("Input defined later",
            WorkloadYaml.WithLine(8, "  - { name: conv2, type: conv, filters: 8, kernel: 3, input: fc1 }"),
            "8:62: layer 'conv2' input 'fc1' is not defined earlier (it comes later, at line 10); known: input, conv1");
        yield return Case("Layer reads itself",
            WorkloadYaml.WithLine(8, "  - { name: conv2, type: conv, filters: 8, kernel: 3, input: conv2 }"),
            "8:62: layer 'conv2' input 'conv2' is not defined earlier (a layer cannot read its own output); known: input, conv1");
        yield return Case("Add of mismatched shapes",
            WorkloadYaml.WithLineAfter(9, "  - { name: sum, type: add, inputs: [pool1, conv2] }"),
            "10:37: layer 'sum' adds inputs of different shapes: 'pool1' is 8x4x4 and 'conv2' is 8x8x8 (channels x height x width); both inputs must have the same shape");
        yield return Case("Add of three inputs",
            WorkloadYaml.WithLineAfter(9, "  - { name: sum, type: add, inputs: [pool1, pool1, pool1] }"),
            "10:37: layers.sum.inputs must be a list of exactly 2 earlier layer names (or input), was a list of 3");
        yield return Case("Add with an undefined input",
            WorkloadYaml.WithLineAfter(9, "  - { name: sum, type: add, inputs: [pool1, pool9] }"),
            "10:45: layer 'sum' input 'pool9' is not defined earlier; known: input, conv1, conv2, pool1");
        yield return Case("Concat of different planes",
            WorkloadYaml.WithLineAfter(9, "  - { name: cat, type: concat, inputs: [conv2, pool1] }"),
            "10:48: layer 'cat' concatenates inputs of different height x width: 'conv2' is 8x8 and 'pool1' is 4x4; every input must have the same height and width (channels may differ)");
        yield return Case("Concat of one input",
            WorkloadYaml.WithLineAfter(9, "  - { name: cat, type: concat, inputs: [pool1] }"),
            "10:40: layers.cat.inputs must be a list of 2 or more earlier layer names (or input), of equal height and width, was a list of 1");
        yield return Case("Non-positive conv output",
            WorkloadYaml.WithLine(7, "  - { name: conv1, type: conv, filters: 8, kernel: 9 }"),
            "7:5: layer 'conv1' output height would be 0: the input height 8 plus padding 0 + 0 is smaller than the kernel height 9; use a smaller kernel, or more padding",
            "7:5: layer 'conv1' output width would be 0: the input width 8 plus padding 0 + 0 is smaller than the kernel width 9; use a smaller kernel, or more padding");
        yield return Case("Non-positive output from dilation",
            WorkloadYaml.WithLine(7, "  - { name: conv1, type: conv, filters: 8, kernel: [1, 3], dilation: [1, 4] }"),
            "7:5: layer 'conv1' output width would be 0: the input width 8 plus padding 0 + 0 is smaller than the dilated kernel width 9; use a smaller kernel or dilation, or more padding");
        yield return Case("Non-positive pool output",
            WorkloadYaml.WithLine(9, "  - { name: pool1, type: max_pool, kernel: [16, 1] }"),
            "9:5: layer 'pool1' output height would be 0: the input height 8 plus padding 0 + 0 is smaller than the kernel height 16; use a smaller kernel, or more padding");
        yield return Case("Groups not dividing the channels",
            WorkloadYaml.WithLine(7, "  - { name: conv1, type: conv, filters: 8, kernel: 3, groups: 3 }"),
            "7:63: layers.conv1.groups 3 must divide both the input channels (4) and filters (8)");
        yield return Case("Duplicate layer name",
            WorkloadYaml.WithLine(8, "  - { name: conv1, type: conv, filters: 8, kernel: 3 }"),
            "8:13: layers.1.name 'conv1' is already used by the layer at line 7; layer names must be unique");
        yield return Case("Layer named input",
            WorkloadYaml.WithLine(7, "  - { name: input, type: relu }"),
            "7:13: layers.0.name 'input' is reserved for the network input; choose another name");
        yield return Case("Layer name with a space",
            WorkloadYaml.WithLine(7, "  - { name: 'conv 1', type: relu }"),
            "7:13: layers.0.name 'conv 1' must consist of letters, digits and _ . / - only");
        yield return Case("Key of another layer type",
            WorkloadYaml.WithLine(7, "  - { name: conv1, type: conv, filters: 8, kernel: 3, outputs: 10 }"),
            "7:55: unknown key 'outputs' in layers.conv1 (a conv layer); allowed: name, onnx_node, type, input, filters, kernel, stride, padding, dilation, groups, bias, relu, weights, bfp, activation_storage, activation_compression, density");
        yield return Case("Bad activation_storage on a layer",
            WorkloadYaml.WithLine(9, "  - { name: pool1, type: max_pool, kernel: 2, activation_storage: half }"),
            "9:67: layers.pool1.activation_storage 'half' is not one of float32, float16, bfloat16, int8, bfp");
        yield return Case("Density above 1",
            WorkloadYaml.WithLine(9, "  - { name: pool1, type: max_pool, kernel: 2, density: 1.5 }"),
            "9:56: layers.pool1.density must be from 0 to 1 (the fraction of the layer's output elements that are nonzero), was 1.5");
        yield return Case("Inputs on a conv layer",
            WorkloadYaml.WithLine(8, "  - { name: conv2, type: conv, filters: 8, kernel: 3, inputs: [conv1, conv1] }"),
            "8:55: layers.conv2.inputs is only for add and concat layers; a conv layer reads one input: use input: <layer name>");
        yield return Case("Fuse on a conv layer",
            WorkloadYaml.WithLine(8, "  - { name: conv2, type: conv, filters: 8, kernel: 3, fuse: true }"),
            "8:55: layers.conv2.fuse is only for relu, max_pool, avg_pool and add layers (fused into the output path of the layer that makes their input); a conv layer is never fused");
        yield return Case("Fuse not a boolean",
            WorkloadYaml.WithLine(9, "  - { name: pool1, type: max_pool, kernel: 2, fuse: yes }"),
            "9:53: layers.pool1.fuse must be true or false, was 'yes'");
        yield return Case("Input on an add layer",
            WorkloadYaml.WithLineAfter(9, "  - { name: sum, type: add, input: pool1 }"),
            "10:5: layers.sum.inputs is required: a list of exactly 2 earlier layer names (or input)",
            "10:29: layers.sum.input: an add layer reads two inputs: use inputs: [<layer name>, <layer name>]");
        yield return Case("Missing fc outputs",
            WorkloadYaml.WithLine(10, "  - { name: fc1, type: fc }"),
            "10:5: layers.fc1.outputs is required: an integer from 1 to 1048576");
        yield return Case("Missing type",
            WorkloadYaml.WithLine(9, "  - { name: pool1, kernel: 2 }"),
            "9:5: layers.pool1.type is required: one of conv, fc, max_pool, avg_pool, add, relu, concat");
        yield return Case("Bad type",
            WorkloadYaml.WithLine(7, "  - { name: conv1, type: convolution, filters: 8, kernel: 3 }"),
            "7:26: layers.conv1.type 'convolution' is not one of conv, fc, max_pool, avg_pool, add, relu, concat");
        yield return Case("Layer that is not a mapping",
            WorkloadYaml.WithLine(9, "  - pool1"),
            "9:5: layers.2 must be a mapping describing a layer (name, type, ...), was 'pool1'");
        yield return Case("Kernel list of three",
            WorkloadYaml.WithLine(7, "  - { name: conv1, type: conv, filters: 8, kernel: [3, 3, 3] }"),
            "7:52: layers.conv1.kernel must be an integer from 1 to 65536, or a list [height, width] of such integers, was a list of 3");
        yield return Case("Kernel width 0",
            WorkloadYaml.WithLine(7, "  - { name: conv1, type: conv, filters: 8, kernel: [3, 0] }"),
            "7:56: layers.conv1.kernel[1] (width) must be an integer from 1 to 65536, was 0");
        yield return Case("Padding list of three",
            WorkloadYaml.WithLine(7, "  - { name: conv1, type: conv, filters: 8, kernel: 3, padding: [1, 1, 1] }"),
            "7:64: layers.conv1.padding must be an integer from 0 to 65536, or a list [height, width] or [top, left, bottom, right] of such integers, was a list of 3");
        yield return Case("Bias not a boolean",
            WorkloadYaml.WithLine(7, "  - { name: conv1, type: conv, filters: 8, kernel: 3, bias: yes }"),
            "7:61: layers.conv1.bias must be true or false, was 'yes'");
        yield return Case("Global pool with a kernel",
            WorkloadYaml.WithLine(9, "  - { name: pool1, type: avg_pool, global: true, kernel: 2 }"),
            "9:50: layers.pool1.kernel cannot be given with global: true (the window is the whole input, the output 1x1)");
        yield return Case("Pool padding as large as the kernel",
            WorkloadYaml.WithLine(9, "  - { name: pool1, type: max_pool, kernel: 2, padding: [2, 0] }"),
            "9:56: layers.pool1.padding must be smaller than the kernel on every side, so that every window holds an input element; kernel is 2x2, padding (top, left, bottom, right) is 2, 0, 2, 0");
        yield return Case("Pool without kernel",
            WorkloadYaml.WithLine(9, "  - { name: pool1, type: max_pool }"),
            "9:5: layers.pool1.kernel is required: an integer from 1 to 65536, or a list [height, width] of such integers (or give global: true)");
        yield return Case("No weights source",
            WorkloadYaml.WithLine(5, "# (no workload weights)"),
            "7:5: layer 'conv1' has no weights source: give weights: { synthetic: { seed: N } } at the top level (for every layer) or on this layer",
            "8:5: layer 'conv2' has no weights source: give weights: { synthetic: { seed: N } } at the top level (for every layer) or on this layer",
            "10:5: layer 'fc1' has no weights source: give weights: { synthetic: { seed: N } } at the top level (for every layer) or on this layer");
        yield return Case("Empty layer list",
            WorkloadYaml.WithLine(6, "layers: []").WithLine(7, "").WithLine(8, "").WithLine(9, "").WithLine(10, ""),
            "6:9: layers must be a non-empty list of layers, each a mapping with name and type, was an empty list");
        yield return Case("Batch of 1025", WorkloadYaml.WithLineAfter(3, "batch: 1025"),
            "4:8: batch must be an integer from 1 to 1024, was 1025");
        yield return Case("Zero input channels", WorkloadYaml.WithLine(3, "input: { channels: 0, height: 8, width: 8 }"),
            "3:20: input.channels must be an integer from 1 to 65536, was 0");
        yield return Case("Missing network inputs", WorkloadYaml.WithLine(4, "# (no inputs)"),
            "1:1: inputs is required: a mapping with keys synthetic, npy, image, channel_order, mean");
        yield return Case("Unknown input source", WorkloadYaml.WithLine(4, "inputs: { numpy: { file: x.npy } }"),
            "4:9: inputs needs exactly one source: synthetic: { seed: N }, npy: FILE or image: { synthetic: { seed: N } | png: FILE }",
            "4:11: unknown key 'numpy' in inputs; allowed: synthetic, npy, image, channel_order, mean");
        yield return Case("Negative input seed", WorkloadYaml.WithLine(4, "inputs: { synthetic: { seed: -7 } }"),
            "4:30: inputs.synthetic.seed must be an integer from 0 to 18446744073709551615, was -7");
    }

    [TestCaseSource(nameof(InvalidCases))]
    public void InvalidFile_ReportsTheSpecificErrorAtItsPosition(string yaml, string[] expected)
    {
        string path = _files.Write("net.yaml", yaml);

        string[] errors = ConfigFiles.ErrorsOf(() => ConfigLoader.LoadWorkload(path));

        Assert.That(errors, Is.EqualTo(expected));
    }

    [Test]
    public void ABrokenLayer_DoesNotCascadeIntoTheLayersThatReadIt()
    {
        // conv1 is broken (filters 0); conv2, pool1 and fc1 read it directly or indirectly and must stay silent.
        string path = _files.Write("net.yaml", WorkloadYaml.WithLine(7, "  - { name: conv1, type: conv, filters: 0, kernel: 3 }"));

        string[] errors = ConfigFiles.ErrorsOf(() => ConfigLoader.LoadWorkload(path));

        Assert.That(string.Join("\n", errors), Is.EqualTo("7:41: layers.conv1.filters must be an integer from 1 to 65536, was 0"));
    }
}
