using AccelSim.Tests.Support;

namespace AccelSim.Tests.Packaging;

/// <summary>
/// The Slurm example of docs/sweeps.md, for real: on a single-node cluster (<see cref="SlurmCluster"/>) the shipped job
/// script <c>deploy/slurm/sweep.sbatch</c> runs a shipped sweep as a job array of four shards through the installed tool
/// (<see cref="InstalledTool"/>, on the jobs' PATH), <c>deploy/slurm/merge.sbatch</c> joins them in a job that depends on
/// the array, and the merged folder must equal the same sweep run unsharded, file for file and byte for byte.
/// </summary>
[Category("Slurm")]
[NonParallelizable]
public sealed class SlurmSweepTests() : WorkFolderFixture("accelsim-slurm-")
{
    /// <summary>25 points of ResNet-18 timing (30 in the grid, 5 skipped by its constraint): a few seconds in all.</summary>
    private const string Spec = "Configs/sweeps/pe_sram_resnet18.yaml";

    private const int Shards = 4;

    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(5);

    [Test]
    public void ShardedJobArray_ThenDependentMerge_EqualsTheUnshardedSweep_ByteForByte()
    {
        if (SlurmCluster.CannotStart() is { } reason)
        {
            Assert.Ignore($"Slurm cannot start here: {reason}");
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        string sweepScript = Path.Combine(RepoPaths.Root, "deploy", "slurm", "sweep.sbatch");
        string mergeScript = Path.Combine(RepoPaths.Root, "deploy", "slurm", "merge.sbatch");
        var toolEnvironment = InstalledTool.Environment();
        toolEnvironment["PATH"] = InstalledTool.ToolPath + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH");

        _ = InstalledTool.Executable;
        TestContext.Out.WriteLine($"tool installed: {clock.Elapsed.TotalSeconds:F1} s");
        using SlurmCluster cluster = StartOrIgnore();
        TestContext.Out.WriteLine($"cluster up: {clock.Elapsed.TotalSeconds:F1} s");
        var jobs = cluster.Environment(toolEnvironment);
        string sbatch = SlurmCluster.Which("sbatch")!;
        string array = ExternalProcess.RunOk(sbatch,
            ["--parsable", $"--array=0-{Shards - 1}", "--cpus-per-task=1", sweepScript, Spec, "out/sharded"], Work, JobTimeout, jobs);
        string arrayId = array.Trim().Split(';')[0];
        string merge = ExternalProcess.RunOk(sbatch,
            ["--parsable", "--kill-on-invalid-dep=yes", $"--dependency=afterok:{arrayId}", mergeScript, "out/sharded"], Work, JobTimeout, jobs);
        // If the array fails, the merge is cancelled rather than left pending for ever.
        string arrayState = cluster.WaitForJob(arrayId, JobTimeout);
        string mergeState = cluster.WaitForJob(merge.Trim().Split(';')[0], JobTimeout);
        TestContext.Out.WriteLine($"array and merge ended: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.That((arrayState, mergeState), Is.EqualTo(("COMPLETED", "COMPLETED")), $"{JobOutputs()}\n{cluster.Logs()}");

        // One job: its journal lists the points in order, as a merge writes it (several jobs record them as they finish).
        ExternalProcess.RunOk(InstalledTool.Executable, ["sweep", Spec, "-o", "out/whole", "--no-table", "--jobs", "1"], Work, JobTimeout, toolEnvironment);

        TestContext.Out.WriteLine($"unsharded sweep done: {clock.Elapsed.TotalSeconds:F1} s");
        string merged = Path.Combine(Work, "out", "sharded", "all");
        string whole = Path.Combine(Work, "out", "whole");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Enumerable.Range(0, Shards).Select(i => Directory.Exists(Path.Combine(Work, "out", "sharded", $"shard-{i}"))), Is.All.True,
                "one folder per array task");
            Assert.That(Files(merged), Is.EqualTo(Files(whole)).And.Contains("results.csv"), "the same files");
            foreach (string file in Files(whole).Intersect(Files(merged)))
            {
                Assert.That(File.ReadAllBytes(Path.Combine(merged, file)), Is.EqualTo(File.ReadAllBytes(Path.Combine(whole, file))), file);
            }
        }
    }

    private SlurmCluster StartOrIgnore()
    {
        try
        {
            return SlurmCluster.Start(Work);
        }
        catch (InvalidOperationException e)
        {
            Assert.Ignore($"Slurm is installed but did not start here: {e.Message}");
            throw;
        }
    }

    /// <summary>The jobs' own output files (slurm-JOB_TASK.out in the submitting folder), for a failure message.</summary>
    private string JobOutputs() =>
        string.Join("\n", Directory.EnumerateFiles(Work, "slurm-*.out").Order(StringComparer.Ordinal).Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}"));

    private static List<string> Files(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal)];
}
