using AccelSim.Cli;
using AccelSim.Sweeps;
using static AccelSim.Tests.Support.CliHarness;

namespace AccelSim.Tests.Sweeps;

/// <summary><c>accelsim sweep</c> as a user meets it: exit codes, messages on stderr, the Pareto table on stdout.</summary>
public sealed class SweepCommandTests
{
    private SweepFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new SweepFolder();

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    [Test]
    public void Reports_ForChosenPoints_AreWrittenPerPoint_AndWrittenOnResumeWhenMissing()
    {
        string output = _folder.Output("reports");
        string spec = _folder.Spec(SweepFolder.SmallSpec);

        var (code, _, stderr) = Run("sweep", spec, "-o", output, "--no-plots", "--no-table", "--reports", "1,6");
        string[] written = [.. Directory.GetDirectories(Path.Combine(output, SweepRunner.ReportsFolder)).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        string page = File.ReadAllText(Path.Combine(output, SweepRunner.ReportsFolder, "point-6", "index.html"));
        // The small spec: 4 row counts × 2 buffer sizes, rows outer: point 6 is rows 16 (6 / 2 = 3rd from 0) with 4096 B buffers (6 % 2 = 0).
        var (again, _, againErr) = Run("sweep", spec, "-o", output, "--no-plots", "--no-table", "--reports", "all");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.Zero, stderr);
            Assert.That(written, Is.EqualTo(new[] { "point-1", "point-6" }));
            Assert.That(page, Does.Contain("(point 6, ").And.Contain("pe_array.rows=16, buffers.ifmap.capacity_bytes=4096"));
            Assert.That(again, Is.Zero, againErr);
            // Resumed with all: the six points without a report run again to write theirs; the two with one do not.
            Assert.That(againErr, Does.Contain("8 points, 6 to run, 2 already done"));
            Assert.That(Directory.GetDirectories(Path.Combine(output, SweepRunner.ReportsFolder)), Has.Length.EqualTo(8));
        }
    }

    [TestCase("1,x", "--reports must be 'all' or point numbers separated by commas, e.g. 0,5,12, was '1,x'")]
    [TestCase("8", "--reports: the sweep has no point 8; its points are 0 to 7")]
    public void Reports_NotPointsOfTheSweep_IsBadInput(string value, string message)
    {
        var (code, _, stderr) = Run("sweep", _folder.Spec(SweepFolder.SmallSpec), "-o", _folder.Output("bad-reports"), "--reports", value);

        AssertBadInput(code, stderr, message);
    }

    [Test]
    public void Sweep_WritesResults_AndPrintsTheParetoFront()
    {
        string output = _folder.Output("cli");

        var (code, stdout, stderr) = Run("sweep", _folder.Spec(SweepFolder.SmallSpec), "-o", output, "--jobs", "2", "--no-plots");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.Zero, stderr);
            Assert.That(stdout, Does.Contain("Pareto front of small on tiny:").And.Contain("min cycles, min energy_pj"));
            Assert.That(stderr, Does.Contain("[INF] Sweep small: 8 points, 8 to run, 0 already done; 2 jobs"));
            Assert.That(File.ReadAllLines(Path.Combine(output, SweepRunner.ResultsName)), Has.Length.EqualTo(9));
        }
    }

    [Test]
    public void InvalidSpec_ExitsWithTwo_AndFileLineColumnMessages()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec.Replace("pe_array.rows:", "pe_array.rowz:", StringComparison.Ordinal));

        var (code, stdout, stderr) = Run("sweep", spec, "-o", _folder.Output("bad"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
            Assert.That(stderr.Trim(), Is.EqualTo($"{spec}:8:7: unknown key 'pe_array.rowz': no key 'rowz' under pe_array; allowed: rows, cols, dataflow, arithmetic, zero_operands"));
            Assert.That(stdout, Is.Empty);
            Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
        }
    }

    [TestCase("--shard", "2/2", "error: --shard must be i/N with 0 <= i < N (e.g. 0/4 for the first of four), was '2/2'")]
    [TestCase("--jobs", "0", "error: --jobs must be at least 1, was 0")]
    public void BadOption_ExitsWithTwo_AndSaysWhatIsAllowed(string option, string value, string expected)
    {
        var (code, _, stderr) = Run("sweep", _folder.Spec(SweepFolder.SmallSpec), "-o", _folder.Output("x"), option, value);

        Assert.That((code, stderr.Trim()), Is.EqualTo((ExitCodes.BadInput, expected)));
    }

    [Test]
    public void MissingOutput_ExitsWithTwo()
    {
        var (code, _, stderr) = Run("sweep", _folder.Spec(SweepFolder.SmallSpec));

        Assert.That((code, stderr.Trim()), Is.EqualTo((ExitCodes.BadInput, "error: sweep needs an output folder: --output DIR (-o DIR)")));
    }

    [Test]
    public void DryRun_ListsPointsThatWouldNotRun_AndExitsWithTwoForInvalidOnes()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec.Replace("[2, 4, 8, 16]", "[0, 4, 8, 16]", StringComparison.Ordinal));

        var (code, stdout, stderr) = Run("sweep", spec, "--dry-run");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
            Assert.That(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(2), "rows 0 with both buffer sizes");
            Assert.That(stdout, Does.StartWith("point 0 (").And.Contain("): invalid: ../Configs/tiny.yaml:6:19: override 'pe_array.rows=0'"));
            Assert.That(stderr, Does.Contain("8 points checked; 6 would run, 0 skipped by constraints, 2 invalid"));
            Assert.That(Directory.Exists(Path.Combine(_folder.Root, "out")), Is.False, "a dry run writes nothing");
        }
    }

    [Test]
    public void ShardsAndMerge_FromTheCommandLine_EqualTheUnshardedRun()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec);
        Assert.That(Run("sweep", spec, "-o", _folder.Output("all"), "--no-plots", "--no-table").Code, Is.Zero);
        Assert.That(Run("sweep", spec, "-o", _folder.Output("s0"), "--shard", "0/2", "--no-plots", "--no-table").Code, Is.Zero);
        Assert.That(Run("sweep", spec, "-o", _folder.Output("s1"), "--shard", "1/2", "--no-plots", "--no-table").Code, Is.Zero);

        var (code, stdout, stderr) = Run("sweep", "merge", _folder.Output("s0"), _folder.Output("s1"), "-o", _folder.Output("merged"), "--no-plots");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.Zero, stderr);
            Assert.That(stdout, Does.Contain("Pareto front of small on tiny:"));
            Assert.That(File.ReadAllBytes(Path.Combine(_folder.Output("merged"), SweepRunner.ResultsName)),
                Is.EqualTo(File.ReadAllBytes(Path.Combine(_folder.Output("all"), SweepRunner.ResultsName))));
        }
    }

    [Test]
    public void MergeOfAFolderThatIsNoSweep_ExitsWithTwo()
    {
        Directory.CreateDirectory(_folder.Output("empty"));

        var (code, _, stderr) = Run("sweep", "merge", _folder.Output("empty"), "-o", _folder.Output("merged"));

        Assert.That((code, stderr.Trim()), Is.EqualTo((ExitCodes.BadInput,
            $"error: {_folder.Output("empty")} is not the output folder of a sweep (it lacks spec.yaml or journal.jsonl)")));
    }

    [Test]
    public void RedirectedOutput_LogsProgressInsteadOfABar()
    {
        // Points here take milliseconds, so no periodic line is due; the start and end lines still are.
        var (code, _, stderr) = Run("sweep", _folder.Spec(SweepFolder.SmallSpec), "-o", _folder.Output("log"), "--no-plots", "--no-table");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.Zero);
            Assert.That(stderr, Does.Contain("[INF] Sweep small: ran 8 points in "));
            Assert.That(stderr, Does.Not.Contain("\u001b["), "no terminal escape codes in a redirected log");
        }
    }
}
