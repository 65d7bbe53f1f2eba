using AccelSim.Cli;
using static AccelSim.Tests.Support.CliHarness;

namespace AccelSim.Tests.Tracing;

/// <summary>Tracing from the command line: run --trace, and trace summarize, slice and plot; bad input exits 2 with a message.</summary>
public sealed class TraceCliTests : TraceTestBase
{
    private string TinyTrace(params string[] extra)
    {
        string json = Path.Combine(Work, "t.json");
        var (code, _, err) = Run(["run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--no-numerics", "--no-table", "--trace", json, .. extra]);
        Assert.That(code, Is.Zero, err);
        return json;
    }

    [Test]
    public void Run_WritesEveryFormatAsked_ByExtension()
    {
        string vcd = Path.Combine(Work, "t.vcd");
        string csv = Path.Combine(Work, "t.csv");
        string json = TinyTrace("--trace", vcd, "--trace", csv);

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(json), Does.StartWith("{\"traceEvents\":["));
            Assert.That(File.ReadAllText(vcd), Does.StartWith("$version accelsim $end"));
            Assert.That(File.ReadLines(csv).First(), Does.Match(@"^\d+,[a-z_.]+(,\d+)+$"));
        });
    }

    [Test]
    public void Run_TraceBytes_DoNotDependOnTheThreadCount()
    {
        string one = Path.Combine(Work, "one.json");
        string two = Path.Combine(Work, "two.json");
        foreach (var (file, threads) in new[] { (one, "1"), (two, "2") })
        {
            var (code, _, err) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/resnet_block.yaml"), "--no-table", "--threads", threads, "--trace", file);
            Assert.That(code, Is.Zero, err);
        }

        Assert.That(File.ReadAllBytes(two), Is.EqualTo(File.ReadAllBytes(one)));
    }

    [TestCase("--trace", "t.txt", "unknown trace format '.txt'")]
    [TestCase("--trace-layers", "nope", "the workload has no layer 'nope'")]
    [TestCase("--trace-components", "gpu", "unknown component 'gpu'")]
    [TestCase("--trace-max-bytes", "12X", "--trace-max-bytes must be a positive size")]
    [TestCase("--trace-from", "50", "--trace-from and --trace-to must give 0 <= from < to")]
    public void Run_BadTraceOptions_ExitTwoWithAMessage(string option, string value, string message)
    {
        string[] args = ["run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--no-numerics", "--no-table"];
        if (option != "--trace")
        {
            args = [.. args, "--trace", Path.Combine(Work, "t.json")];
        }

        args = option == "--trace-from" ? [.. args, "--trace-from", value, "--trace-to", "10"] : [.. args, option, option == "--trace" ? Path.Combine(Work, value) : value];
        var (code, _, err) = Run(args);

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
            Assert.That(err, Does.Contain(message));
            Assert.That(err, Does.Not.Contain("   at "), "no stack trace");
        });
    }

    [Test]
    public void Run_FilterWithoutATrace_IsAUsageError()
    {
        var (code, _, err) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--no-numerics", "--no-table", "--trace-layers", "c1");
        Assert.That((code, err), Is.EqualTo((ExitCodes.BadInput, "error: --trace-layers, --trace-components, --trace-from and --trace-to need a --trace FILE\n")).Using<(int, string)>((a, b) => a.Item1 == b.Item1 && a.Item2.ReplaceLineEndings("\n") == b.Item2));
    }

    [Test]
    public void Run_AtTheSizeCap_WarnsAndStillWritesAValidTrace()
    {
        string json = Path.Combine(Work, "t.json");
        var (code, _, err) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--no-numerics", "--no-table",
            "--trace", json, "--trace-max-bytes", "2K");

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Zero, err);
            Assert.That(err, Does.Contain("stopped at the size cap"));
            Assert.That(Run("trace", "summarize", json).Out, Does.Contain("warning: trace truncated: the size cap of 2048 bytes"));
        });
    }

    [Test]
    public void Summarize_PrintsComponentsStallsGapsAndBandwidth()
    {
        var (code, stdout, err) = Run("trace", "summarize", TinyTrace());

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Zero, err);
            foreach (string heading in new[] { "component", "stall cause", "layer", "longest idle gaps", "DRAM bandwidth in use", "pe_array", "output_drain" })
            {
                Assert.That(stdout, Does.Contain(heading));
            }
        });
    }

    [Test]
    public void Slice_ListsTheWindow_ForOneComponent()
    {
        string json = TinyTrace();
        var (code, stdout, err) = Run("trace", "slice", json, "--from", "100", "--to", "140", "--component", "pe_array");

        var rows = stdout.Split('\n').Skip(4).Where(l => l.Length > 0).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Zero, err);
            Assert.That(stdout, Does.StartWith("cycles 100 to 140, component pe_array:"));
            Assert.That(rows, Is.Not.Empty);
            Assert.That(rows, Is.All.Contain("pe_array"));
        });
    }

    [Test]
    public void Plot_WritesAPng()
    {
        string png = Path.Combine(Work, "w.png");
        var (code, _, err) = Run("trace", "plot", TinyTrace(), "--from", "0", "--to", "700", "-o", png);

        byte[] bytes = File.ReadAllBytes(png);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Zero, err);
            Assert.That(bytes.Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "PNG signature");
            Assert.That(bytes, Has.Length.GreaterThan(5000), "more than an empty frame");
        });
    }

    [Test]
    public void Tools_OnABadFile_ExitTwoWithTheFileAndThePlace()
    {
        string broken = Path.Combine(Work, "broken.json");
        File.WriteAllText(broken, "{\"traceEvents\": [\n  {\"ph\": \"X\", \"ts\": 1,\n");
        string other = Path.Combine(Work, "other.json");
        File.WriteAllText(other, "{\"hello\": 1}");
        string vcd = Path.Combine(Work, "t.vcd");
        File.WriteAllText(vcd, "$version x $end");

        Assert.Multiple(() =>
        {
            var (code, _, err) = Run("trace", "summarize", broken);
            Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
            Assert.That(err, Does.StartWith($"error: {broken}:3:"));
            (code, _, err) = Run("trace", "slice", other, "--from", "0", "--to", "10");
            Assert.That((code, err), Is.EqualTo((ExitCodes.BadInput, $"error: {other}: not a trace-event file: expected an object with a \"traceEvents\" array (or an array of events)" + Environment.NewLine)));
            string wrongType = Path.Combine(Work, "wrong.json");
            File.WriteAllText(wrongType, "{\"traceEvents\": [{\"ph\": \"X\", \"tid\": 1.5, \"ts\": 0, \"dur\": 1}]}");
            (code, _, err) = Run("trace", "summarize", wrongType);
            Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
            Assert.That(err, Does.StartWith($"error: {wrongType}: not a trace-event file: a field has the wrong type"));
            File.WriteAllText(wrongType, "{\"traceEvents\": [{\"ph\": \"X\", \"ts\": \"soon\", \"dur\": 1}]}");
            (code, _, err) = Run("trace", "summarize", wrongType);
            Assert.That((code, err.Trim()), Is.EqualTo((ExitCodes.BadInput, $"error: {wrongType}: traceEvents[0] has no numeric \"ts\"")));
            (code, _, err) = Run("trace", "summarize", vcd);
            Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
            Assert.That(err, Does.Contain("this is a Vcd trace"));
            (code, _, err) = Run("trace", "summarize", Path.Combine(Work, "missing.json"));
            Assert.That(err, Does.Contain("missing.json: no such file"));
            (code, _, err) = Run("trace", "slice", TinyTrace(), "--from", "10", "--to", "5");
            Assert.That((code, err.Trim()), Is.EqualTo((ExitCodes.BadInput, "error: the window is empty: --to (5) must be greater than --from (10)")));
        });
    }

    [Test]
    public void ShippedExamples_AreWhatTheDocumentedCommandWrites()
    {
        // The command in Traces/README.md, into a temporary folder: the shipped examples must be its output, byte for byte.
        string[] names = ["tiny.perfetto.json", "tiny.vcd", "tiny.csv"];
        var (code, _, err) = Run(["run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--no-numerics", "--no-table",
            .. names.SelectMany(n => new[] { "--trace", Path.Combine(Work, n) })]);
        Assert.That(code, Is.Zero, err);

        Assert.Multiple(() =>
        {
            foreach (string name in names)
            {
                Assert.That(File.ReadAllBytes(Path.Combine(Work, name)), Is.EqualTo(File.ReadAllBytes(Shipped(Path.Combine("Traces", "examples", name)))),
                    $"Traces/examples/{name} is stale: regenerate the examples with the command in Traces/README.md");
            }
        });
    }
}
