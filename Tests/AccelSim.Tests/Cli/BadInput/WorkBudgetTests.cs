using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Tests.Support;
using AccelSim.Workloads;
using static AccelSim.Tests.Support.CliHarness;

namespace AccelSim.Tests.Cli.BadInput;

/// <summary>Work without bounds is refused before it starts: sizes whose arithmetic or memory cannot be met are refused
/// where they are written, and a run whose estimated peak memory exceeds the limit (<c>--max-memory</c>, by default a
/// share of the machine's) is refused with the estimate unless <c>--force</c>d. The estimate's step bound holds for the
/// real mapper on the zoo.</summary>
public sealed class WorkBudgetTests() : WorkFolderFixture("accelsim-budget-")
{
    // The one-layer workload: line 5 is the input, line 8 the layer; the message points at the value, the input key or
    // the layer ("  - " is 4 characters, so the layer's mapping starts at column 5).
    // A 3×3 conv may pad at most 3 − 1 = 2 per side; 65536 is allowed by the padding range (0..65536) but not by the
    // kernel. "  - { name: c, type: conv, filters: 8, kernel: 3, padding: " is 59 characters: the value is at column 60.
    [TestCase("{ channels: 3, height: 32, width: 32 }", "{ name: c, type: conv, filters: 8, kernel: 3, padding: 65536 }", "8:60",
        "layers.c.padding may be at most the dilated kernel extent − 1 on every side (2 rows, 2 columns)")]
    // 1 × 65536 × 65536 = 2^32 elements, twice the 2^31 allowed; the message is at the input key (line 5, column 1).
    [TestCase("{ channels: 1, height: 65536, width: 65536 }", "{ name: c, type: conv, filters: 8, kernel: 3 }", "5:1",
        "input 1x65536x65536 has 4294967296 elements; at most 2147483648 (2^31)")]
    // 65536 filters × 65536 channels × 1×1 = 2^32 weights; the message is at the layer.
    [TestCase("{ channels: 65536, height: 1, width: 1 }", "{ name: c, type: conv, filters: 65536, kernel: 1 }", "8:5",
        "layer 'c' has 4294967296 weights; at most 2147483648 (2^31)")]
    // 3 × 224 × 224 = 150528 inputs × 1,000,000 outputs = 150,528,000,000 weights.
    [TestCase("{ channels: 3, height: 224, width: 224 }", "{ name: f, type: fc, outputs: 1000000 }", "8:5",
        "layer 'f' has 150528000000 weights; at most 2147483648 (2^31)")]
    public void UnboundedLayer_IsRefusedWhereItIs(string input, string layer, string location, string message)
    {
        string path = WriteWorkload(input, layer, batch: 1);

        var (code, _, stderr) = Run("run", "-w", path, "--no-table");

        AssertBadInput(code, stderr, $"{path}:{location}: {message}");
    }

    [Test]
    public void ScaleSimTopology_WithHugeMaps_IsRefusedWhereItIs()
    {
        string path = Path.Combine(Work, "huge.csv");
        File.WriteAllText(path, "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nhuge, 2147483647, 2147483647, 3, 3, 1, 1, 1,\n");

        var (code, _, stderr) = Run("run", "-w", path, "--no-table");

        // Line 2; "huge, " is 6 characters, so the height starts at column 7.
        AssertBadInput(code, stderr, $"{path}:2:7: '2147483647' must be a whole number from 1 to 65536");
    }

    [Test]
    public void ScaleSimTopology_WithTooLargeTensors_IsRefusedWhereItIs()
    {
        string path = Path.Combine(Work, "big.csv");
        // 65536 × 65536 × 1 = 2^32 input elements, each size within 1..65536.
        File.WriteAllText(path, "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nbig, 65536, 65536, 3, 3, 1, 1, 1,\n");

        var (code, _, stderr) = Run("run", "-w", path, "--no-table");

        // The message is at the first size, column 6 ("big, " is 5 characters).
        AssertBadInput(code, stderr, $"{path}:2:6: the layer's tensors (input 4294967296,");
    }

    [Test]
    public void LargeBatchWithNumerics_OverTheLimit_IsRefusedWithTheEstimate()
    {
        // A 3×3 conv of 64 filters on 64×224×224 at batch 1024: the im2col operand alone is 224·224·1024 pixels × 576
        // = 29.6e9 elements, far over 4 GiB at 64 bytes each.
        string path = WriteWorkload("{ channels: 64, height: 224, width: 224 }", "{ name: c, type: conv, filters: 64, kernel: 3, padding: 1 }", batch: 1024);

        var (code, _, stderr) = Run("run", "-w", path, "--no-table", "--max-memory", "4GiB");

        AssertBadInput(code, stderr, "more than the limit of 4.00 GiB (--max-memory); estimate:");
        Assert.That(stderr, Does.Contain("largest layer 'c'").And.Contain("--force").And.Contain("--no-numerics"));
    }

    [Test]
    public void TimingOnlyHugeInput_IsEstimatedAtTheRuntimeAlone()
    {
        // 4096×4096 pixels × 64 filters on 32×32: 16,777,216 / 32 row folds × 2 column folds = 1,048,576 steps. Schedules
        // are generated as the simulation reads them, so timing alone is the runtime's 128 MiB however many steps.
        string path = WriteWorkload("{ channels: 3, height: 4096, width: 4096 }", "{ name: c, type: conv, filters: 64, kernel: 3, padding: 1 }", batch: 1);
        RunEstimate estimate = RunEstimate.Of(ConfigLoader.LoadAccelerator(Shipped("Configs/default.yaml")), ConfigLoader.LoadWorkload(path));

        Assert.Multiple(() =>
        {
            Assert.That(estimate.Steps, Is.GreaterThanOrEqualTo(1_048_576));
            Assert.That(estimate.TimingPeakBytes, Is.EqualTo(RunEstimate.BaseBytes));
        });
    }

    [Test]
    public void Sweep_OverTheLimit_IsRefusedWithTheEstimate_BeforeAnyPointRuns()
    {
        // Any run needs the runtime's 128 MiB, more than 1 MiB. Two tiny points, two jobs: both at once.
        string spec = WriteSpec();
        string output = Path.Combine(Work, "out");

        var (code, _, stderr) = Run("sweep", spec, "-o", output, "-j", "2", "--max-memory", "1MiB", "--no-plots", "--no-table");

        AssertBadInput(code, stderr, "the sweep (2 point(s) at once, the largest ");
        Assert.Multiple(() =>
        {
            Assert.That(stderr, Does.Contain("more than the limit of 1.00 MiB (--max-memory); estimate:").And.Contain("--force"));
            Assert.That(File.Exists(Path.Combine(output, "results.csv")), Is.False, "no point ran");
        });
    }

    [Test]
    public void Sweep_Forced_RunsDespiteTheLimit()
    {
        var (code, _, stderr) = Run("sweep", WriteSpec(), "-o", Path.Combine(Work, "out"), "--max-memory", "1MiB", "--force", "--no-plots", "--no-table");

        Assert.That(code, Is.EqualTo(0), stderr);
    }

    [Test]
    public void Bench_OverTheLimit_IsRefusedWithTheEstimate_BeforeAnyScenarioRuns()
    {
        var (code, stdout, stderr) = Run("bench", "-s", "vgg16-timing", "-n", "1", "--max-memory", "1MiB");

        AssertBadInput(code, stderr, "bench scenario 'vgg16-timing' is predicted to need 128.00 MiB, more than the limit of 1.00 MiB (--max-memory); estimate:");
        Assert.That(stdout, Is.Empty);
    }

    [Test]
    public void DefaultResNet18_WithTooSmallMaxMemory_IsRefusedWithTheEstimate()
    {
        // The runtime alone is counted as 128 MiB, so 1 MiB is too little for any run.
        var (code, stdout, stderr) = Run("run", "--max-memory", "1MiB");

        AssertBadInput(code, stderr, "more than the limit of 1.00 MiB (--max-memory); estimate:");
        Assert.That(stderr, Does.Contain("MACs").And.Contain("schedule steps").And.Contain("largest layer '"));
        Assert.That(stdout, Is.Empty);
    }

    [Test]
    public void Force_RunsDespiteTheLimit_WithTheSameOutput()
    {
        var plain = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"));
        var forced = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--max-memory", "1", "--force");

        Assert.Multiple(() =>
        {
            Assert.That(plain.Code, Is.EqualTo(0), plain.Err);
            Assert.That(forced.Code, Is.EqualTo(0), forced.Err);
            Assert.That(forced.Out, Is.EqualTo(plain.Out));
        });
    }

    [TestCase("0")]
    [TestCase("-5")]
    [TestCase("12XB")]
    [TestCase("99999999999999999999")]
    [TestCase("GiB")]
    public void MaxMemory_NotAByteCount_IsRefusedNamingTheOption(string value)
    {
        var (code, _, stderr) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--max-memory", value);

        AssertBadInput(code, stderr, "--max-memory must be a positive byte count");
    }

    // The bound derivation is in RunEstimate's remarks: output-stationary folds ceil(M/32) × ceil(N/32) times K chunks
    // with at most the channels the mapper fits, so never fewer steps than the mapper makes. The factor 4 says the
    // bound is not loose: a chunk count taken from a row span at most one output row more than the mapper's.
    [TestCase("Workloads/resnet18.yaml")]
    [TestCase("Workloads/alexnet.yaml")]
    [TestCase("Workloads/mobilenet_v1.yaml")]
    [TestCase("Workloads/vgg16.yaml")]
    public void StepBound_HoldsForTheRealMapper_OnTheDefaultConfig(string workload)
    {
        AcceleratorConfig config = ConfigLoader.LoadAccelerator(Shipped("Configs/default.yaml"));
        Network network = ConfigLoader.LoadWorkload(Shipped(workload));
        RunEstimate estimate = RunEstimate.Of(config, network);

        Assert.Multiple(() =>
        {
            for (int i = 0; i < network.Layers.Length; i++)
            {
                long real = Mapper.Map(network.Layers[i], network.Batch, config).Steps.Length;
                long bound = estimate.Layers[i].Steps;
                TestContext.Out.WriteLine($"{network.Layers[i].Name}: real {real}, bound {bound}");
                Assert.That(bound, Is.GreaterThanOrEqualTo(real), network.Layers[i].Name);
                Assert.That(bound, Is.LessThanOrEqualTo(4 * Math.Max(real, 1)), network.Layers[i].Name);
            }
        });
    }

    /// <summary>A sweep of the tiny workload on the tiny config over two array sizes, timing only.</summary>
    private string WriteSpec()
    {
        string path = Path.Combine(Work, "spec.yaml");
        File.WriteAllText(path,
            "version: 1\n" +
            "name: budget\n" +
            $"config: {Shipped("Configs/tiny.yaml")}\n" +
            $"workloads: [{Shipped("Workloads/tiny.yaml")}]\n" +
            "numerics: false\n" +
            "axes:\n" +
            "  - grid:\n" +
            "      pe_array.rows: [2, 4]\n" +
            "metrics: [cycles]\n" +
            "objectives: { cycles: minimize }\n");
        return path;
    }

    private string WriteWorkload(string input, string layer, int batch)
    {
        string path = Path.Combine(Work, "net.yaml");
        File.WriteAllText(path,
            "version: 1\n" +
            "name: budget\n" +
            "inputs: { synthetic: { seed: 1 } }\n" +
            "weights: { synthetic: { seed: 2 } }\n" +
            $"input: {input}\n" +
            $"batch: {batch}\n" +
            "layers:\n" +
            $"  - {layer}\n");
        return path;
    }
}
