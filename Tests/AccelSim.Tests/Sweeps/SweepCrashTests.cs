using System.Diagnostics;
using AccelSim.Sweeps;

namespace AccelSim.Tests.Sweeps;

/// <summary>A sweep killed outright (SIGKILL, as <c>kill -9</c>) resumes to exactly the results of an uninterrupted run.</summary>
public sealed class SweepCrashTests
{
    /// <summary>48 points of ResNet-18 on the default accelerator: long enough (about a second) to be killed part way.</summary>
    private const string Spec = """
        version: 1
        name: crash
        config: ../Configs/default.yaml
        workloads: [../Workloads/resnet18_synthetic.yaml]
        numerics: false
        axes:
          - grid:
              pe_array.rows: [8, 16, 32, 64]
              pe_array.cols: [8, 16, 32, 64]
              buffers.ifmap.capacity_bytes: [262144, 524288, 1048576]
        metrics: [cycles, stall_cycles, energy_pj, dram_bytes]
        objectives: { cycles: minimize, energy_pj: minimize }
        """;

    private SweepFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new SweepFolder();

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    [Test]
    public void KilledSweep_RerunFinishesWithEveryPointOnce_IdenticalToAnUninterruptedRun()
    {
        string spec = _folder.Spec(Spec);
        string killed = _folder.Output("killed");
        string journal = Path.Combine(killed, SweepJournal.FileName);

        using (Process process = StartCli("sweep", spec, "-o", killed, "--jobs", "2", "--no-plots", "--no-table", "--per-layer"))
        {
            var clock = Stopwatch.StartNew();
            while (!process.HasExited && RecordLines(journal) < 4 && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                Thread.Sleep(5);
            }

            if (process.HasExited)
            {
                Assert.Inconclusive($"the sweep finished (exit {process.ExitCode}) before it could be killed");
            }

            process.Kill();
            process.WaitForExit();
        }

        int recordedBeforeRerun = SweepJournal.Read(journal).Records.Count;
        SweepOutcome resumed = SweepFolder.Run(spec, killed, SweepFolder.Options(jobs: 2, perLayer: true));
        SweepFolder.Run(spec, _folder.Output("whole"), SweepFolder.Options(jobs: 1, perLayer: true));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(recordedBeforeRerun, Is.InRange(4, 47), "killed part way");
            Assert.That(resumed.Ran, Is.EqualTo(48 - recordedBeforeRerun), "the rerun ran only the missing points");
            Assert.That(SweepJournal.Read(journal).Records.Keys.Order(), Is.EqualTo(Enumerable.Range(0, 48)));
            foreach (string table in new[] { SweepRunner.ResultsName, SweepRunner.LayersName })
            {
                Assert.That(File.ReadAllBytes(Path.Combine(killed, table)), Is.EqualTo(File.ReadAllBytes(Path.Combine(_folder.Output("whole"), table))), table);
            }
        }
    }

    /// <summary>Complete record lines of a journal (the header excluded); 0 while it does not exist.</summary>
    private static int RecordLines(string journal)
    {
        try
        {
            using var stream = new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return Math.Max(0, reader.ReadToEnd().Count(c => c == '\n') - 1);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Starts the built <c>accelsim</c> (beside the tests) in its own process, output discarded.</summary>
    private static Process StartCli(params string[] args)
    {
        string dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "accelsim.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
