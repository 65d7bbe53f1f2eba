using static AccelSim.Tests.Support.CliHarness;

namespace AccelSim.Tests.Cli.BadInput;

/// <summary>Output paths are checked before any work: a folder where a file goes, a path under a regular file, an
/// unwritable place, or two outputs (or an output and an input) on one path end in exit 2, a message naming the
/// option and the path as given, and no stack trace, before anything is loaded or simulated.</summary>
public sealed class OutputPathTests
{
    /// <summary>In the arguments and the expected path, <c>{w}</c> is the work folder, which holds a regular file
    /// <c>file.txt</c>, a folder <c>dir</c>, a copy of the tiny workload <c>wl.yaml</c>, and <c>model.onnx</c>,
    /// <c>trace.json</c> and <c>spec.yaml</c> whose contents are never read (the check comes first).</summary>
    private static readonly (string Name, string[] Args, string Option, string Path, string What)[] Cases =
    [
        // run: the default workload is ResNet-18, minutes of work if the check came after it.
        ("Run_JsonIsAFolder", ["run", "--json", "{w}/dir"], "--json", "{w}/dir", "is a folder"),
        ("Run_CsvIsAFolder", ["run", "--csv", "{w}/dir"], "--csv", "{w}/dir", "is a folder"),
        ("Run_JsonUnderAFile", ["run", "--json", "{w}/file.txt/out.json"], "--json", "{w}/file.txt/out.json", "which is a file, not a folder"),
        ("Run_CsvDeepUnderAFile", ["run", "--csv", "{w}/file.txt/a/b/out.csv"], "--csv", "{w}/file.txt/a/b/out.csv", "which is a file, not a folder"),
        ("Run_JsonAndCsvOnOnePath", ["run", "--json", "{w}/out.txt", "--csv", "{w}/out.txt"], "--csv", "{w}/out.txt", "is the same path as --json"),
        ("Run_JsonAndCsvOnOnePathSpeltTwoWays", ["run", "--json", "{w}/out.txt", "--csv", "{w}/dir/../out.txt"], "--csv", "{w}/dir/../out.txt", "is the same path as --json"),
        ("Run_JsonOverTheWorkload", ["run", "-w", "{w}/wl.yaml", "--json", "{w}/wl.yaml"], "--json", "{w}/wl.yaml", "is the same path as the input --workload"),
        ("Run_CsvOverTheConfig", ["run", "-c", "{w}/wl.yaml", "--csv", "{w}/wl.yaml"], "--csv", "{w}/wl.yaml", "is the same path as the input --config"),
        ("Run_JsonOverTheInput", ["run", "-i", "{w}/file.txt", "--json", "{w}/file.txt"], "--json", "{w}/file.txt", "is the same path as the input --input"),
        ("Run_JsonEndsInASeparator", ["run", "--json", "{w}/new/"], "--json", "{w}/new/", "ends in a folder separator"),
        ("Run_JsonEmpty", ["run", "--json", ""], "--json", "", "is not a valid path"),
        ("Run_TraceIsAFolder", ["run", "--trace", "{w}/dir"], "--trace", "{w}/dir", "is a folder"),
        ("Run_TraceUnderAFile", ["run", "--trace", "{w}/file.txt/t.json"], "--trace", "{w}/file.txt/t.json", "which is a file, not a folder"),
        ("Run_TraceAndJsonOnOnePath", ["run", "--json", "{w}/t.json", "--trace", "{w}/t.json"], "--trace", "{w}/t.json", "is the same path as --json"),
        ("Run_DumpTensorsIsAFile", ["run", "--dump-tensors", "{w}/file.txt"], "--dump-tensors", "{w}/file.txt", "is a file; give a folder"),
        ("Run_DumpTensorsUnderAFile", ["run", "--dump-tensors", "{w}/file.txt/tensors"], "--dump-tensors", "{w}/file.txt/tensors", "which is a file, not a folder"),
        ("Run_ScaleSimReportsIsAFile", ["run", "--scalesim-reports", "{w}/file.txt"], "--scalesim-reports", "{w}/file.txt", "is a file; give a folder"),
        ("Run_ScaleSimReportsOnTheJsonPath", ["run", "--json", "{w}/r", "--scalesim-reports", "{w}/r"], "--scalesim-reports", "{w}/r", "is the same path as --json"),

        // trace plot: the trace is not read before the check (trace.json holds no trace at all).
        ("TracePlot_OutputIsAFolder", ["trace", "plot", "{w}/trace.json", "--from", "0", "--to", "9", "-o", "{w}/dir"], "--output", "{w}/dir", "is a folder"),
        ("TracePlot_OutputUnderAFile", ["trace", "plot", "{w}/trace.json", "--from", "0", "--to", "9", "-o", "{w}/file.txt/p.png"], "--output", "{w}/file.txt/p.png", "which is a file, not a folder"),
        ("TracePlot_OutputOverTheTrace", ["trace", "plot", "{w}/trace.json", "--from", "0", "--to", "9", "-o", "{w}/trace.json"], "--output", "{w}/trace.json", "is the same path as the input <file>"),

        // eval: the inputs are not even looked for before the check (file.txt is no input).
        ("Eval_JsonIsAFolder", ["eval", "--inputs", "{w}/file.txt", "--json", "{w}/dir"], "--json", "{w}/dir", "is a folder"),
        ("Eval_CsvOverTheWorkload", ["eval", "-w", "{w}/wl.yaml", "--inputs", "{w}/file.txt", "--csv", "{w}/wl.yaml"], "--csv", "{w}/wl.yaml", "is the same path as the input --workload"),
        ("Eval_OutputIsAFile", ["eval", "--inputs", "{w}/file.txt", "-o", "{w}/file.txt"], "--output", "{w}/file.txt", "is a file; give a folder"),

        // compress: ResNet-18 would be pruned and simulated twice after the check.
        ("Compress_CsvIsAFolder", ["compress", "-w", "{w}/wl.yaml", "-o", "{w}/c.yaml", "--filter-ratio", "0.5", "--csv", "{w}/dir"], "--csv", "{w}/dir", "is a folder"),
        ("Compress_JsonAndCsvOnOnePath", ["compress", "-w", "{w}/wl.yaml", "-o", "{w}/c.yaml", "--filter-ratio", "0.5", "--csv", "{w}/r.txt", "--json", "{w}/r.txt"], "--json", "{w}/r.txt", "is the same path as --csv"),
        ("Compress_OutputUnderAFile", ["compress", "-w", "{w}/wl.yaml", "-o", "{w}/file.txt/c.yaml", "--filter-ratio", "0.5"], "--output", "{w}/file.txt/c.yaml", "which is a file, not a folder"),
        ("Compress_CsvOverTheWorkload", ["compress", "-w", "{w}/wl.yaml", "-o", "{w}/c.yaml", "--filter-ratio", "0.5", "--csv", "{w}/wl.yaml"], "--csv", "{w}/wl.yaml", "is the same path as the input --workload"),
        ("Compress_OutputIsAFolder", ["compress", "-w", "{w}/wl.yaml", "-o", "{w}/dir.yaml", "--filter-ratio", "0.5"], "--output", "{w}/dir.yaml", "is a folder"),

        // import onnx: model.onnx is not a model; it is never parsed because the check comes first.
        ("ImportOnnx_OutputIsAFolder", ["import", "onnx", "{w}/model.onnx", "-o", "{w}/dir"], "--output", "{w}/dir", "is a folder"),
        ("ImportOnnx_OutputUnderAFile", ["import", "onnx", "{w}/model.onnx", "-o", "{w}/file.txt/m.yaml"], "--output", "{w}/file.txt/m.yaml", "which is a file, not a folder"),
        ("ImportOnnx_OutputOverTheModel", ["import", "onnx", "{w}/model.onnx", "-o", "{w}/model.onnx"], "--output", "{w}/model.onnx", "is the same path as the input <model>"),

        // bfp-cost
        ("BfpCost_CsvIsAFolder", ["bfp-cost", "--csv", "{w}/dir"], "--csv", "{w}/dir", "is a folder"),
        ("BfpCost_CsvOverTheWorkload", ["bfp-cost", "-w", "{w}/wl.yaml", "--csv", "{w}/wl.yaml"], "--csv", "{w}/wl.yaml", "is the same path as the input --workload"),

        // sweep: a folder output; spec.yaml is not read before the check.
        ("Sweep_OutputIsAFile", ["sweep", "{w}/spec.yaml", "-o", "{w}/file.txt"], "--output", "{w}/file.txt", "is a file; give a folder"),
        ("Sweep_OutputUnderAFile", ["sweep", "{w}/spec.yaml", "-o", "{w}/file.txt/out"], "--output", "{w}/file.txt/out", "which is a file, not a folder"),
        ("SweepMerge_OutputIsAFile", ["sweep", "merge", "{w}/dir", "-o", "{w}/file.txt"], "--output", "{w}/file.txt", "is a file; give a folder"),
    ];

    private string _work = "";

    [SetUp]
    public void CreateWorkFolder()
    {
        _work = Path.Combine(Path.GetTempPath(), "accelsim-outputs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(_work, "dir"));
        Directory.CreateDirectory(Path.Combine(_work, "dir.yaml"));
        File.WriteAllText(Path.Combine(_work, "file.txt"), "a regular file\n");
        File.WriteAllText(Path.Combine(_work, "model.onnx"), "not a model\n");
        File.WriteAllText(Path.Combine(_work, "trace.json"), "not a trace\n");
        File.WriteAllText(Path.Combine(_work, "spec.yaml"), "not a spec\n");
        File.Copy(Shipped("Workloads/resnet18.yaml"), Path.Combine(_work, "wl.yaml"));
    }

    [TearDown]
    public void DeleteWorkFolder()
    {
        string locked = Path.Combine(_work, "locked");
        if (!OperatingSystem.IsWindows() && Directory.Exists(locked))
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Directory.Delete(_work, recursive: true);
    }

    private static IEnumerable<TestCaseData> BadOutputs() =>
        Cases.Select(c => new TestCaseData(c.Args, c.Option, c.Path, c.What).SetName(c.Name));

    [TestCaseSource(nameof(BadOutputs))]
    public void BadOutputPath_ExitsWithTwo_NamingTheOptionAndThePath_BeforeAnyWork(string[] args, string option, string path, string what)
    {
        byte[] workload = File.ReadAllBytes(Path.Combine(_work, "wl.yaml"));

        var (code, stdout, stderr) = Run([.. args.Select(Here)]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stderr, Does.Contain($"error: {option} {Here(path)}: ").And.Contain(what));
            AssertNoStackTrace(stderr);
            Assert.That(stderr, Does.Not.Contain("Running ").And.Not.Contain("Simulated").And.Not.Contain("Sweep "), "the check comes before any work");
            Assert.That(stdout, Is.Empty);
            Assert.That(File.ReadAllBytes(Path.Combine(_work, "wl.yaml")), Is.EqualTo(workload), "an input is never overwritten");
            Assert.That(Directory.EnumerateFileSystemEntries(_work, "*accelsim-*", SearchOption.AllDirectories), Is.Empty, "no probe or temporary file is left");
        }
    }

    [Test]
    public void Run_JsonInAFolderThatCannotBeWritten_ExitsWithTwo_BeforeAnyWork()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix file modes only");
            return;
        }

        string locked = Path.Combine(_work, "locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        if (CanCreateIn(locked))
        {
            Assert.Ignore("this user (root?) can write in a read-only folder");
        }

        string json = Path.Combine(locked, "out.json");
        var (code, _, stderr) = Run("run", "--json", json);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stderr, Does.Contain($"error: --json {json}: cannot be written: no file can be created in {locked}"));
            AssertNoStackTrace(stderr);
            Assert.That(stderr, Does.Not.Contain("Running ").And.Not.Contain("Simulated"));
        }
    }

    [Test]
    public void Run_JsonInAFolderNoOneCanWrite_ExitsWithTwo_WithoutNamingAHiddenFile()
    {
        // Linux's /sys refuses new files even to root, so this holds whoever runs the tests.
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/sys/kernel"))
        {
            Assert.Ignore("needs Linux's /sys");
        }

        var (code, _, stderr) = Run("run", "--json", "/sys/kernel/out.json", "--csv", Path.Combine(_work, "fine.csv"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stderr, Does.Contain("error: --json /sys/kernel/out.json: cannot be written: no file can be created in /sys/kernel"));
            Assert.That(stderr, Does.Not.Contain(".accelsim-"), "the message names the user's path, not a probe or temporary file");
            AssertNoStackTrace(stderr);
            Assert.That(stderr, Does.Not.Contain("Running ").And.Not.Contain("Simulated"));
        }
    }

    [Test]
    public void Run_JsonOnTheFileAWorkloadSymlinkPointsTo_ExitsWithTwo_AndTheWorkloadIsKept()
    {
        string workload = Path.Combine(_work, "wl.yaml");
        string link = Path.Combine(_work, "link.yaml");
        try
        {
            File.CreateSymbolicLink(link, workload);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Assert.Ignore($"this system refuses symlinks: {e.Message}");
        }

        byte[] before = File.ReadAllBytes(workload);
        var (code, _, stderr) = Run("run", "-w", link, "--json", workload);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stderr, Does.Contain($"error: --json {workload}: is the same path as the input --workload"));
            AssertNoStackTrace(stderr);
            Assert.That(File.ReadAllBytes(workload), Is.EqualTo(before));
        }
    }

    [Test]
    public void Run_JsonInMissingFolders_CreatesThem()
    {
        // Missing parent folders are created, as they always were; the check probes the nearest existing one.
        string json = Path.Combine(_work, "new", "deeper", "out.json");

        var (code, _, stderr) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--json", json, "--no-table", "--threads", "1");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.Zero, stderr);
            Assert.That(File.Exists(json), Is.True);
            Assert.That(Directory.EnumerateFileSystemEntries(_work, "*accelsim-*", SearchOption.AllDirectories), Is.Empty, "no probe or temporary file is left");
        }
    }

    private string Here(string text) => text.Replace("{w}", _work, StringComparison.Ordinal);

    private static bool CanCreateIn(string folder)
    {
        try
        {
            File.Delete(Path.Combine(folder, "x"));
            File.WriteAllText(Path.Combine(folder, "x"), "");
            File.Delete(Path.Combine(folder, "x"));
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
