using AccelSim.Configuration;
using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Tests.Support;
using AccelSim.Workloads;
using static AccelSim.Tests.Configuration.SampleYaml;

namespace AccelSim.Tests.Configuration;

public sealed class ConfigOverrideTests
{
    private const string BfpKeys =
        "exponent_bits, mantissa_bits, weights, inputs, bias, scheme, weight_partition, input_partition, rounding, accumulator_bits, seed, format, mx";

    private ConfigFiles _files = null!;

    [SetUp]
    public void CreateFolder() => _files = new ConfigFiles();

    [TearDown]
    public void DeleteFolder() => _files.Dispose();

    private static string DefaultConfig => Path.Combine(RepoPaths.Configs, "default.yaml");

    private static List<ConfigOverride> Overrides(params string[] texts) => [.. texts.Select(ConfigOverride.Parse)];

    [TestCase("bfp.mantissa_bits=6", "bfp.mantissa_bits", "6")]
    [TestCase("layers.conv1_1.kernel=[5, 5]", "layers.conv1_1.kernel", "[5, 5]")]
    [TestCase(" name = a=b ", "name", "a=b")]
    [TestCase("bfp.accumulator_bits=", "bfp.accumulator_bits", "")]
    public void Parse_SplitsAtTheFirstEquals(string text, string keyPath, string value)
    {
        Assert.That(ConfigOverride.Parse(text), Is.EqualTo(new ConfigOverride(keyPath, value)));
    }

    [TestCase("bfp.mantissa_bits", 18, "has no '='")]
    [TestCase("=6", 1, "has an empty key or key path segment")]
    [TestCase("bfp..seed=6", 1, "has an empty key or key path segment")]
    public void Parse_RejectsMalformedText_WithAConfigException(string text, int column, string problem)
    {
        ConfigException exception = Assert.Throws<ConfigException>(() => ConfigOverride.Parse(text))!;

        Assert.That(exception.Errors.Single(), Is.EqualTo(new ConfigError("command line", 1, column,
            $"override '{text}' {problem}; write key.path=value, e.g. bfp.mantissa_bits=6 or layers.conv1.kernel=[5, 5]")));
    }

    [Test]
    public void Overrides_ChangeValues_BeforeValidation()
    {
        AcceleratorConfig config = ConfigLoader.LoadAccelerator(DefaultConfig, Overrides("bfp.mantissa_bits=6", "pe_array.rows=16", "pe_array.dataflow=row_stationary"));

        Assert.That((config.Bfp.Weights, config.Bfp.Inputs, config.PeArray),
            Is.EqualTo((new BfpFormat(5, 6), new BfpFormat(5, 6), new PeArrayConfig(16, 32, Dataflow.RowStationary))));
    }

    [Test]
    public void LaterOverride_OfTheSameKey_Wins()
    {
        AcceleratorConfig config = ConfigLoader.LoadAccelerator(DefaultConfig, Overrides("pe_array.rows=8", "pe_array.rows=12"));

        Assert.That(config.PeArray.Rows, Is.EqualTo(12));
    }

    [Test]
    public void Overrides_AddAllowedKeys_AndTheMappingsOnTheWay()
    {
        AcceleratorConfig config = ConfigLoader.LoadAccelerator(DefaultConfig, Overrides("bfp.accumulator_bits=16", "bfp.weights.mantissa_bits=4"));

        Assert.That((config.Bfp.AccumulatorBits, config.Bfp.Weights, config.Bfp.Inputs), Is.EqualTo(((int?)16, new BfpFormat(5, 4), new BfpFormat(5, 8))));
    }

    [Test]
    public void NullOverride_RemovesAnOptionalKey_SoAnAlternativeCanBeGiven()
    {
        // default.yaml names scheme 6-11; a partition pair needs the scheme gone.
        AcceleratorConfig config = ConfigLoader.LoadAccelerator(DefaultConfig,
            Overrides("bfp.scheme=~", "bfp.weight_partition={group: 16}", "bfp.input_partition=column"));

        Assert.That((config.Bfp.WeightPartition, config.Bfp.InputPartition), Is.EqualTo((BlockPartition.Group(16), BlockPartition.Column)));
    }

    [Test]
    public void BandwidthOverride_IsConvertedWithTheFileClock()
    {
        // tiny.yaml: 200 MHz and 4 bytes/cycle. 1.6 GB/s / 200e6 cycles/s = 8 bytes/cycle.
        AcceleratorConfig config = ConfigLoader.LoadAccelerator(Path.Combine(RepoPaths.Configs, "tiny.yaml"),
            Overrides("dram.bandwidth_bytes_per_cycle=~", "dram.bandwidth_gb_per_s=1.6"));

        Assert.That(config.Dram.BandwidthBytesPerCycle, Is.EqualTo(8.0).Within(1e-12));
    }

    [Test]
    public void WorkloadOverrides_SelectLayersByNameOrIndex_AndShapesFollow()
    {
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "vgg16.yaml"),
            Overrides("layers.conv1_1.filters=32", "layers.2.kernel=3", "batch=4"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(network.Batch, Is.EqualTo(4));
            Assert.That(network.Layers[0].OutputShape, Is.EqualTo(new TensorShape(32, 224, 224)));
            Assert.That(network.Layers[1].InputShape, Is.EqualTo(new TensorShape(32, 224, 224)));

            // pool1 with kernel 3 and its explicit stride 2: (224 - 3) / 2 + 1 = 111.
            Assert.That(network.Layers[2].OutputShape, Is.EqualTo(new TensorShape(64, 111, 111)));
        }
    }

    [Test]
    public void LayerNamesWithDots_CanBeSelected()
    {
        string path = _files.Write("net.yaml", WorkloadYaml.WithLine(7, "  - { name: block1.conv, type: conv, filters: 8, kernel: 3, padding: 1 }"));

        Network network = ConfigLoader.LoadWorkload(path, Overrides("layers.block1.conv.filters=4"));

        Assert.That(network.Layers[0].OutputShape.Channels, Is.EqualTo(4));
    }

    [Test]
    public void OverriddenWeightsSeed_ReachesEveryDerivedLayerSeed()
    {
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "tiny.yaml"), Overrides("weights.synthetic.seed=9"));

        Assert.That(((ConvLayer)network.Layers[0]).Weights, Is.EqualTo(new SyntheticWeights(LayerSeeds.Derive(9, "c1"))));
    }

    private static IEnumerable<TestCaseData> HardwareErrorCases()
    {
        static TestCaseData Case(string name, string[] overrides, params string[] errors) => new TestCaseData(overrides, errors).SetName(name);

        yield return Case("Misspelt key", ["bfp.mantisa_bits=6"],
            $"21:1: override 'bfp.mantisa_bits': no such key; allowed under bfp: {BfpKeys}");
        yield return Case("Misspelt top-level key", ["clock_mz=5"],
            "1:1: override 'clock_mz': no such key; allowed at the top level: version, name, clock_mhz, max_cycles, pe_array, buffers, dram, vector_unit, bfp, weight_storage, on_chip_activations, activation_storage, activation_compression, converters, mapper, energy_table");
        yield return Case("Misspelt section", ["pe_aray.rows=5"],
            "1:1: override 'pe_aray.rows': no such key; allowed at the top level: version, name, clock_mhz, max_cycles, pe_array, buffers, dram, vector_unit, bfp, weight_storage, on_chip_activations, activation_storage, activation_compression, converters, mapper, energy_table");
        yield return Case("Key under a value", ["pe_array.rows.max=3"],
            "5:3: override 'pe_array.rows.max': pe_array.rows takes a value, not keys; set pe_array.rows=... instead");
        yield return Case("Overridden value out of range", ["bfp.mantissa_bits=1"],
            "23:18: override 'bfp.mantissa_bits=1': bfp.mantissa_bits must be an integer from 2 to 24, was 1");
        yield return Case("Added value out of range", ["bfp.accumulator_bits=4"],
            "21:1: override 'bfp.accumulator_bits=4': bfp.accumulator_bits must be an integer from 8 to 64, was 4");
        yield return Case("Overridden value of the wrong type", ["pe_array.rows=[1, 2]"],
            "5:9: override 'pe_array.rows=[1, 2]': pe_array.rows must be an integer from 1 to 4096, was a list");
        yield return Case("Overridden enum", ["pe_array.dataflow=diagonal"],
            "7:13: override 'pe_array.dataflow=diagonal': pe_array.dataflow 'diagonal' is not one of output_stationary, weight_stationary, input_stationary, row_stationary");
        yield return Case("Override creating both scheme and partitions", ["bfp.scheme=6-9", "bfp.weight_partition=row", "bfp.input_partition=row"],
            "21:1: override 'bfp.scheme=6-9': bfp.scheme and bfp.weight_partition/bfp.input_partition are alternatives: give either scheme (6-9, 6-10, 6-11, 6-12) or both partitions, not both");
        yield return Case("Required value set to null", ["pe_array.rows=~"],
            "5:9: override 'pe_array.rows=~': pe_array.rows must be an integer from 1 to 4096, was empty");
        yield return Case("Errors of several overrides and the file together", ["pe_array.cols=0", "bfp.seeds=1"],
            "6:9: override 'pe_array.cols=0': pe_array.cols must be an integer from 1 to 4096, was 0",
            $"21:1: override 'bfp.seeds': no such key; allowed under bfp: {BfpKeys}");
    }

    [TestCaseSource(nameof(HardwareErrorCases))]
    public void BadOverride_ReportsTheOverride_AtTheKeyItTouches(string[] overrides, string[] expected)
    {
        string path = _files.Write("hw.yaml", HardwareYaml);

        string[] errors = ConfigFiles.ErrorsOf(() => ConfigLoader.LoadAccelerator(path, Overrides(overrides)));

        Assert.That(errors, Is.EqualTo(expected));
    }

    [Test]
    public void OverrideValue_ThatIsNotYaml_IsReported()
    {
        string path = _files.Write("hw.yaml", HardwareYaml);

        string[] errors = ConfigFiles.ErrorsOf(() => ConfigLoader.LoadAccelerator(path, Overrides("pe_array.rows=[1")));

        Assert.That(errors.Single(), Does.StartWith("5:9: override 'pe_array.rows=[1': the value is not valid YAML: YAML syntax error: "));
    }

    private static IEnumerable<TestCaseData> WorkloadErrorCases()
    {
        static TestCaseData Case(string name, string[] overrides, params string[] errors) => new TestCaseData(overrides, errors).SetName(name);

        const string LayerKeys = "name, onnx_node, type, input, inputs, filters, outputs, kernel, stride, padding, dilation, groups, global, bias, relu, weights, bfp, activation_storage, activation_compression, density, fuse";
        yield return Case("Unknown layer name", ["layers.conv9.kernel=5"],
            "6:1: override 'layers.conv9.kernel': layers has no item 'conv9'; select one by 0-based index (0 to 3) or by name: conv1, conv2, pool1, fc1");
        yield return Case("Layer index out of range", ["layers.4.kernel=5"],
            "6:1: override 'layers.4.kernel': layers has no item '4'; select one by 0-based index (0 to 3) or by name: conv1, conv2, pool1, fc1");
        yield return Case("Whole layer", ["layers.conv1=5"],
            $"7:5: override 'layers.conv1': a whole list item cannot be set; name a key inside it: {LayerKeys}");
        yield return Case("Whole list, replaced and validated", ["layers=[]"],
            "7:3: override 'layers=[]': layers must be a non-empty list of layers, each a mapping with name and type, was an empty list");
        yield return Case("Unknown layer key", ["layers.conv1.colour=red"],
            $"7:5: override 'layers.conv1.colour': no such key; allowed under layers.conv1: {LayerKeys}");
        yield return Case("Key of another layer type", ["layers.conv1.outputs=3"],
            "7:5: override 'layers.conv1.outputs=3': unknown key 'outputs' in layers.conv1 (a conv layer); allowed: name, onnx_node, type, input, filters, kernel, stride, padding, dilation, groups, bias, relu, weights, bfp, activation_storage, activation_compression, density");
        yield return Case("Undefined input set by override", ["layers.conv2.input=conv9"],
            "8:5: override 'layers.conv2.input=conv9': layer 'conv2' input 'conv9' is not defined earlier; known: input, conv1");
        yield return Case("Non-positive output after an override", ["layers.pool1.kernel=[16, 2]"],
            "9:5: layer 'pool1' output height would be 0: the input height 8 plus padding 0 + 0 is smaller than the kernel height 16; use a smaller kernel, or more padding");
    }

    [TestCaseSource(nameof(WorkloadErrorCases))]
    public void BadWorkloadOverride_ReportsTheOverride(string[] overrides, string[] expected)
    {
        string path = _files.Write("net.yaml", WorkloadYaml);

        string[] errors = ConfigFiles.ErrorsOf(() => ConfigLoader.LoadWorkload(path, Overrides(overrides)));

        Assert.That(errors, Is.EqualTo(expected));
    }
}
