using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Numerics;
using AccelSim.Tests.Support;
using AccelSim.Workloads;
using static AccelSim.Tests.Configuration.SampleYaml;

namespace AccelSim.Tests.Configuration;

/// <summary>MX/NVFP4 formats chosen as BFP formats are: in the accelerator's <c>bfp</c> (shared or per tensor) and per
/// layer in a workload; bad choices are located errors.</summary>
public sealed class MxFormatConfigTests
{
    // HardwareYaml's bfp mapping is lines 21-23: "bfp:", "  exponent_bits: 6", "  mantissa_bits: 10".
    private ConfigFiles _files = null!;

    [SetUp]
    public void CreateFolder() => _files = new ConfigFiles();

    [TearDown]
    public void RemoveFolder() => _files.Dispose();

    [Test]
    public void SharedFormat_SetsBothTensorsAndTheirStorageEquivalent()
    {
        string yaml = HardwareYaml.WithLine(22, "  format: mxfp8_e4m3").WithLine(23, "  mx: { rounding: nearest_away, scale: library, accumulation: fp32 }");

        BfpSettings bfp = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", yaml)).Bfp;

        Assert.Multiple(() =>
        {
            Assert.That(bfp.IsMx, Is.True);
            Assert.That(bfp.WeightMx, Is.SameAs(MxFormat.MxFp8E4M3));
            Assert.That(bfp.InputMx, Is.SameAs(MxFormat.MxFp8E4M3));
            // Storage: an 8-bit shared field and 8-bit elements in groups of 32 (8.25 bits per element).
            Assert.That(bfp.Weights, Is.EqualTo(new BfpFormat(8, 8)));
            Assert.That(bfp.InputPartition, Is.EqualTo(BlockPartition.Group(32)));
            Assert.That(bfp.Mx, Is.EqualTo(new MxOptions(MxRounding.NearestAway, MxScaleRule.Library, MxAccumulation.Fp32)));
        });
    }

    [Test]
    public void PerTensorFormats_MayDiffer()
    {
        string yaml = HardwareYaml.WithLine(22, "  weights: { format: mxfp4_e2m1 }").WithLine(23, "  inputs: { format: nvfp4 }");

        BfpSettings bfp = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", yaml)).Bfp;

        Assert.That((bfp.WeightMx, bfp.InputMx), Is.EqualTo((MxFormat.MxFp4E2M1, MxFormat.Nvfp4)));
        Assert.That(bfp.Inputs, Is.EqualTo(new BfpFormat(8, 4)), "NVFP4: E4M3 scale of 8 bits, 4-bit elements");
        Assert.That(bfp.InputPartition, Is.EqualTo(BlockPartition.Group(16)));
    }

    [Test]
    public void Packing_IsReadFromMx()
    {
        string yaml = HardwareYaml.WithLine(22, "  format: mxint8").WithLine(23, "  mx: { packing: block_aligned }");

        Assert.That(ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", yaml)).Bfp.Mx.Packing, Is.EqualTo(MxPacking.BlockAligned));
    }

    [Test]
    public void BfpOnly_IsUnchanged()
    {
        BfpSettings bfp = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", HardwareYaml)).Bfp;

        Assert.That((bfp.IsMx, bfp.WeightMx, bfp.Declared), Is.EqualTo((false, (MxFormat?)null, ((BfpFormat, BfpFormat, BlockPartition, BlockPartition)?)null)));
    }

    private static IEnumerable<TestCaseData> InvalidCases()
    {
        static TestCaseData Case(string name, string yaml, params string[] errors) => new TestCaseData(yaml, errors).SetName(name);

        // "  weights: { format: mxfp4_e2m1 }": the value starts at column 22.
        yield return Case("MX weights with BFP inputs", HardwareYaml.WithLineAfter(23, "  weights: { format: mxfp4_e2m1 }"),
            "24:22: bfp: weights are mxfp4_e2m1 and inputs bfp; both must be MX/NVFP4 formats (mxint8, mxfp8_e4m3, mxfp8_e5m2, mxfp6_e3m2, " +
            "mxfp6_e2m3, mxfp4_e2m1, nvfp4) or both bfp, because the two datapaths do not mix");
        yield return Case("Unknown format", HardwareYaml.WithLine(22, "  format: mxfp7").WithLine(23, "#"),
            "22:11: bfp.format 'mxfp7' is not one of bfp, mxint8, mxfp8_e4m3, mxfp8_e5m2, mxfp6_e3m2, mxfp6_e2m3, mxfp4_e2m1, nvfp4");
        yield return Case("BFP accumulator width with MX", HardwareYaml.WithLine(22, "  format: mxint8").WithLine(23, "  accumulator_bits: 32"),
            "23:3: bfp.accumulator_bits sizes the BFP accumulator; with MX/NVFP4 formats choose bfp.mx.accumulation (exact or fp32) instead");
        yield return Case("Bad MX rounding", HardwareYaml.WithLine(22, "  format: mxint8").WithLine(23, "  mx: { rounding: stochastic }"),
            "23:19: bfp.mx.rounding 'stochastic' is not one of nearest_even, nearest_away, toward_zero, toward_positive, toward_negative");
        yield return Case("Fixed-point accumulator without its width", HardwareYaml.WithLine(22, "  format: mxint8").WithLine(23, "  mx: { accumulation: fixed, accumulator_lsb: -8 }"),
            "23:3: bfp.mx.accumulator_bits is required: an integer from 8 to 126");
        yield return Case("Accumulator width without a fixed-point accumulator", HardwareYaml.WithLine(22, "  format: mxint8").WithLine(23, "  mx: { accumulator_bits: 24 }"),
            "23:9: bfp.mx.accumulator_bits sizes a fixed-point accumulator: it needs bfp.mx.accumulation: fixed");
        yield return Case("BFP widths still needed for BFP tensors", HardwareYaml.WithLine(22, "  format: bfp").WithLine(23, "#"),
            "21:1: bfp.exponent_bits is required: an integer from 2 to 8 (it may be left out only when bfp.weights and bfp.inputs both give exponent_bits)",
            "21:1: bfp.mantissa_bits is required: an integer from 2 to 24 (it may be left out only when bfp.weights and bfp.inputs both give mantissa_bits)");
    }

    [TestCaseSource(nameof(InvalidCases))]
    public void InvalidChoice_IsALocatedError(string yaml, string[] expected)
    {
        string path = _files.Write("hw.yaml", yaml);

        Assert.That(ConfigFiles.ErrorsOf(() => ConfigLoader.LoadAccelerator(path)), Is.EqualTo(expected));
    }

    [Test]
    public void LayerFormat_OverridesTheAccelerator_PerTensorWinning()
    {
        AcceleratorConfig config = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", HardwareYaml));
        Network network = ConfigLoader.LoadWorkload(_files.Write("net.yaml", WorkloadYaml.Replace(
            "padding: 1, relu: true }", "padding: 1, relu: true, bfp: { format: mxfp8_e5m2, weights: { format: mxfp4_e2m1 } } }", StringComparison.Ordinal)));

        BfpSettings conv1 = LayerContexts.BfpOf(network.Layers[0], config);
        BfpSettings conv2 = LayerContexts.BfpOf(network.Layers[1], config);

        Assert.That((conv1.WeightMx, conv1.InputMx), Is.EqualTo((MxFormat.MxFp4E2M1, MxFormat.MxFp8E5M2)));
        Assert.That(conv2, Is.SameAs(config.Bfp), "a layer without bfp keeps the accelerator's settings");
    }

    [Test]
    public void LayerBackToBfp_TakesItsWidthsAndTheDeclaredScheme()
    {
        string hardware = HardwareYaml.WithLine(22, "  format: mxfp8_e4m3").WithLine(23, "  scheme: \"6-12\"");
        AcceleratorConfig config = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", hardware));
        Network network = ConfigLoader.LoadWorkload(_files.Write("net.yaml", WorkloadYaml.Replace(
            "padding: 1, relu: true }", "padding: 1, relu: true, bfp: { format: bfp, exponent_bits: 5, mantissa_bits: 8 } }", StringComparison.Ordinal)));

        BfpSettings conv1 = LayerContexts.BfpOf(network.Layers[0], config);

        Assert.That(conv1.IsMx, Is.False);
        Assert.That((conv1.Weights, conv1.WeightPartition, conv1.InputPartition), Is.EqualTo((new BfpFormat(5, 8), BlockPartition.Row, BlockPartition.Column)));
    }

    [Test]
    public void LayerMixingTheDatapaths_IsRefusedWithTheLayersPosition()
    {
        AcceleratorConfig config = ConfigLoader.LoadAccelerator(_files.Write("hw.yaml", HardwareYaml));
        string path = _files.Write("net.yaml", WorkloadYaml.Replace("padding: 1 }", "padding: 1, bfp: { weights: { format: nvfp4 } } }", StringComparison.Ordinal));
        Network network = ConfigLoader.LoadWorkload(path);

        var e = Assert.Throws<MappingException>(() => LayerContexts.BfpOf(network.Layers[1], config));

        // conv2 is line 8 of the workload; "  - { name: conv2, type: conv, filters: 8, kernel: 3, padding: 1, " is 66 characters.
        Assert.That(e!.Message, Does.StartWith($"{path}:8:67: layer 'conv2': weights are nvfp4 and inputs bfp"));
    }

    [Test]
    public void ShippedMxfp8Config_RunsTheNetworkAndReportsItsError()
    {
        var (code, stdout, stderr) = CliHarness.Run("run", "--config", CliHarness.Shipped("Configs/mxfp8.yaml"), "-w", CliHarness.Shipped("Workloads/tiny.yaml"));

        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Match(@"Network output: SQNR \d+\.\d dB"));
    }
}
