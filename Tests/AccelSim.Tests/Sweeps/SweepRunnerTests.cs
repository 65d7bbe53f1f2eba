using AccelSim.Configuration;
using AccelSim.Sweeps;

namespace AccelSim.Tests.Sweeps;

public sealed class SweepRunnerTests
{
    private SweepFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new SweepFolder();

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    private static string Results(string output) => File.ReadAllText(Path.Combine(output, SweepRunner.ResultsName));

    private static string[] Rows(string output) => Results(output).TrimEnd('\n').Split('\n');

    [Test]
    public void Run_WritesOneRowPerPoint_WithEveryAxisAndMetricInItsOwnColumn()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec);
        string output = _folder.Output("a");

        SweepOutcome outcome = SweepFolder.Run(spec, output, SweepFolder.Options());

        string[] rows = Rows(output);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rows[0], Is.EqualTo("point,id,workload,pe_array.rows,buffers.ifmap.capacity_bytes,buffers.weights.capacity_bytes," +
                "status,cycles,energy_pj,utilization,total_sram_bytes,pareto,message"));
            Assert.That(rows, Has.Length.EqualTo(1 + 8), "4 array sizes × 2 buffer sizes");
            Assert.That(rows[1], Does.StartWith($"0,{outcome.Points[0].Id},tiny,2,4096,4096,ok,"));
            Assert.That(rows[8], Does.StartWith($"7,{outcome.Points[7].Id},tiny,16,8192,8192,ok,"));

            // total_sram_bytes: ifmap + weights + the tiny config's 4096-byte ofmap buffer.
            Assert.That(rows[8].Split(',')[10], Is.EqualTo("20480"));
            Assert.That(rows.Skip(1).Select(r => r.Split(',')[11]), Is.All.AnyOf("true", "false"));
            Assert.That(rows.Skip(1).Count(r => r.Split(',')[11] == "true"), Is.EqualTo(outcome.Front.Count).And.Positive);
            Assert.That((outcome.Ran, outcome.Complete, outcome.Count(PointStatus.Ok)), Is.EqualTo((8, true, 8)));
            Assert.That(File.ReadAllText(Path.Combine(output, SweepRunner.SpecCopyName)), Is.EqualTo(SweepFolder.SmallSpec));
        }
    }

    [Test]
    public void Inputs_EachPointReportsItsAgreementOverTheSet_AsEvalDoes()
    {
        string spec = _folder.Spec("""
            version: 1
            name: inputs
            config: ../Configs/tiny.yaml
            workloads: [../Workloads/tiny.yaml]
            numerics: true
            inputs: synthetic:3
            axes:
              - grid:
                  bfp.mantissa_bits: [3, 8]
            metrics: [top1_agreement, top5_overlap, sqnr_db, energy_pj]
            """);
        string output = _folder.Output("a");

        SweepFolder.Run(spec, output, SweepFolder.Options());

        string[] rows = Rows(output);
        Assert.That(rows, Has.Length.EqualTo(3));
        for (int i = 0; i < 2; i++)
        {
            // The same figures as accelsim eval over the same set with the point's mantissa width.
            string bits = i == 0 ? "3" : "8";
            var config = ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(_folder.Root, "Configs/tiny.yaml"), [ConfigOverride.Parse($"bfp.mantissa_bits={bits}")]);
            var evaluation = new AccelSim.Execution.Evaluation(config.Hardware, config.Energy, ConfigLoader.LoadWorkload(Path.Combine(_folder.Root, "Workloads/tiny.yaml")));
            var summary = evaluation.Run(AccelSim.Execution.EvalInputs.Find("synthetic:3", evaluation.Network, null));
            string[] cells = rows[1 + i].Split(',');
            Assert.That(cells[3..9], Is.EqualTo(new[]
            {
                bits, "ok", SweepMetric.Format(summary.Top1Agreement), SweepMetric.Format(summary.Top5Overlap),
                SweepMetric.Format(summary.OutputSqnr.MeanDb), SweepMetric.Format(summary.MeanEnergyPicoJoules),
            }), $"point {i}");
        }
    }

    [Test]
    public void Results_AreByteIdenticalWhateverTheNumberOfJobs()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec);

        SweepFolder.Run(spec, _folder.Output("one"), SweepFolder.Options(jobs: 1, perLayer: true));
        SweepFolder.Run(spec, _folder.Output("four"), SweepFolder.Options(jobs: 4, perLayer: true));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Results(_folder.Output("four")), Is.EqualTo(Results(_folder.Output("one"))));
            Assert.That(File.ReadAllBytes(Path.Combine(_folder.Output("four"), SweepRunner.LayersName)),
                Is.EqualTo(File.ReadAllBytes(Path.Combine(_folder.Output("one"), SweepRunner.LayersName))));
        }
    }

    [Test]
    public void PerLayer_WritesOneRowPerLayerOfEveryPoint()
    {
        string output = _folder.Output("layers");

        SweepFolder.Run(_folder.Spec(SweepFolder.SmallSpec), output, SweepFolder.Options(perLayer: true));

        string[] rows = File.ReadAllText(Path.Combine(output, SweepRunner.LayersName)).TrimEnd('\n').Split('\n');
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rows[0], Is.EqualTo("point,id,workload,pe_array.rows,buffers.ifmap.capacity_bytes,buffers.weights.capacity_bytes," +
                "layer,type,macs,cycles,compute_cycles,stall_cycles,utilization,dram_read_bytes,dram_write_bytes,energy_pj"));
            Assert.That(rows, Has.Length.EqualTo(1 + (8 * 3)), "8 points × the tiny workload's 3 layers");
            Assert.That(rows.Skip(1).Take(3).Select(r => r.Split(',')[6]), Is.EqualTo(new[] { "c1", "p1", "fc" }));
        }
    }

    [Test]
    public void PointWithInvalidOverride_RecordsTheValidationMessage_AndTheOthersRun()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec.Replace("pe_array.rows: [2, 4, 8, 16]", "pe_array.rows: [0, 4, 8, 16]", StringComparison.Ordinal));
        string output = _folder.Output("invalid");

        SweepOutcome outcome = SweepFolder.Run(spec, output, SweepFolder.Options());

        // The value replaces "rows: 4" at line 6, column 19 of the tiny config, named as the spec names it.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome.Records[0].Status, Is.EqualTo(PointStatus.Invalid));
            Assert.That(outcome.Records[0].Message,
                Is.EqualTo("../Configs/tiny.yaml:6:19: override 'pe_array.rows=0': pe_array.rows must be an integer from 1 to 4096, was 0"));
            Assert.That(outcome.Records[0].Metrics, Is.All.Empty);
            Assert.That(Rows(output)[1], Does.EndWith(",invalid,,,,,,\"../Configs/tiny.yaml:6:19: override 'pe_array.rows=0': pe_array.rows must be an integer from 1 to 4096, was 0\""),
                "a cell with a comma is quoted");
            Assert.That(outcome.Count(PointStatus.Ok), Is.EqualTo(6));
        }
    }

    [Test]
    public void PointThatFailsToRun_RecordsItsError_AndTheOthersRun()
    {
        // 64-byte ifmap buffers: the convolution streams its K in pieces, but one reduction step of a 16-row fold (64 B)
        // does not fit their 32-byte halves, nor do the pool's 2 input rows of 6 (48 B) for the other array heights.
        string spec = _folder.Spec(SweepFolder.SmallSpec.Replace("[4096, 8192]\n      buffers.weights.capacity_bytes: [4096, 8192]",
            "[64, 8192]\n      buffers.weights.capacity_bytes: [4096, 8192]", StringComparison.Ordinal));

        SweepOutcome outcome = SweepFolder.Run(spec, _folder.Output("failed"), SweepFolder.Options());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome.Records.Values.Where(r => r.Status == PointStatus.Failed).Select(r => r.Index).Order(), Is.EqualTo(new[] { 0, 2, 4, 6 }));
            Assert.That(outcome.Records[0].Message, Does.StartWith("layer 'p1': the input rows of one output row (48 bytes)"));
            Assert.That(outcome.Records[6].Message, Does.StartWith("layer 'c1': even one reduction step of one fold is too large"));
            Assert.That(outcome.Count(PointStatus.Ok), Is.EqualTo(4));
        }
    }

    [Test]
    public void Constraint_SkipsThePointsItExcludes()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec + "\nconstraints: [\"pe_array.rows * pe_array.cols <= 32\"]\n");

        SweepOutcome outcome = SweepFolder.Run(spec, _folder.Output("constrained"), SweepFolder.Options());

        // Rows 16 give 16 × 4 = 64 PEs, more than 32: points 6 and 7.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome.Records.Values.Where(r => r.Status == PointStatus.Skipped).Select(r => r.Index).Order(), Is.EqualTo(new[] { 6, 7 }));
            Assert.That(outcome.Records[6].Message, Is.EqualTo("constraint \"pe_array.rows * pe_array.cols <= 32\" does not hold (64 <= 32)"));
        }
    }

    [Test]
    public void InterruptedSweep_ResumesToTheSameBytesAsAnUninterruptedOne()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec);
        SweepFolder.Run(spec, _folder.Output("whole"), SweepFolder.Options(perLayer: true));
        string output = _folder.Output("interrupted");
        using var cancel = new CancellationTokenSource();

        // Cancel once three points are in: running points finish, nothing new starts.
        Assert.Throws<OperationCanceledException>(() => SweepFolder.Run(spec, output, SweepFolder.Options(perLayer: true),
            p => { if (p.Done >= 3) { cancel.Cancel(); } }, cancel.Token));
        int recorded = SweepJournal.Read(Path.Combine(output, SweepJournal.FileName)).Records.Count;
        int rowsAfterInterruption = Rows(output).Length - 1;
        SweepOutcome resumed = SweepFolder.Run(spec, output, SweepFolder.Options(perLayer: true));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(recorded, Is.InRange(3, 7), "interrupted part way");
            Assert.That(rowsAfterInterruption, Is.EqualTo(recorded), "the tables were written with what finished");
            Assert.That(resumed.Ran, Is.EqualTo(8 - recorded), "only the missing points ran");
            Assert.That(Results(output), Is.EqualTo(Results(_folder.Output("whole"))));
            Assert.That(File.ReadAllText(Path.Combine(output, SweepRunner.LayersName)),
                Is.EqualTo(File.ReadAllText(Path.Combine(_folder.Output("whole"), SweepRunner.LayersName))));
        }
    }

    [Test]
    public void TornJournalAndStaleResults_AreRepairedByRerunning()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec);
        string output = _folder.Output("torn");
        SweepFolder.Run(spec, output, SweepFolder.Options());
        string expected = Results(output);

        // A crash in the middle of writing the last record, before the tables were rewritten.
        string journal = Path.Combine(output, SweepJournal.FileName);
        byte[] bytes = File.ReadAllBytes(journal);
        File.WriteAllBytes(journal, bytes[..^25]);
        File.WriteAllText(Path.Combine(output, SweepRunner.ResultsName), "stale");
        SweepOutcome rerun = SweepFolder.Run(spec, output, SweepFolder.Options());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rerun.Ran, Is.EqualTo(1));
            Assert.That(Results(output), Is.EqualTo(expected));
            Assert.That(SweepJournal.Read(journal).Records, Has.Count.EqualTo(8));
        }
    }

    [Test]
    public void CompleteSweep_RerunsNothing()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec);
        string output = _folder.Output("again");
        SweepFolder.Run(spec, output, SweepFolder.Options());
        string first = Results(output);

        SweepOutcome again = SweepFolder.Run(spec, output, SweepFolder.Options());

        Assert.That((again.Ran, Results(output)), Is.EqualTo((0, first)));
    }

    [Test]
    public void MergedShards_EqualTheUnshardedRun()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec);
        SweepFolder.Run(spec, _folder.Output("all"), SweepFolder.Options(perLayer: true));
        string[] shards = [.. Enumerable.Range(0, 3).Select(i => _folder.Output($"shard{i}"))];
        for (int i = 0; i < 3; i++)
        {
            SweepOutcome part = SweepFolder.Run(spec, shards[i], SweepFolder.Options(shard: new Shard(i, 3), perLayer: true));
            Assert.That(part.Records.Keys.Order(), Is.EqualTo(Enumerable.Range(0, 8).Where(p => p % 3 == i)));
        }

        SweepOutcome merged = SweepMerge.Merge(shards, _folder.Output("merged"), plots: false, SweepFolder.NoLog);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(merged.Complete, Is.True);
            Assert.That(Results(_folder.Output("merged")), Is.EqualTo(Results(_folder.Output("all"))));
            Assert.That(File.ReadAllText(Path.Combine(_folder.Output("merged"), SweepRunner.LayersName)),
                Is.EqualTo(File.ReadAllText(Path.Combine(_folder.Output("all"), SweepRunner.LayersName))));
        }
    }

    [Test]
    public void Merge_RefusesAPointFromTwoFolders()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec);
        SweepFolder.Run(spec, _folder.Output("s0"), SweepFolder.Options(shard: new Shard(0, 2)));
        SweepFolder.Run(spec, _folder.Output("s0-again"), SweepFolder.Options(shard: new Shard(0, 2)));

        var error = Assert.Throws<SweepOutputException>(() =>
            SweepMerge.Merge([_folder.Output("s0"), _folder.Output("s0-again")], _folder.Output("m"), plots: false, SweepFolder.NoLog));

        Assert.That(error!.Message, Does.StartWith("point 0 (id ").And.Contain("is in both").And.EndWith("each point must come from one shard"));
    }

    [Test]
    public void Merge_RefusesAFolderGivenTwice()
    {
        string shard = _folder.Output("s0");
        SweepFolder.Run(_folder.Spec(SweepFolder.SmallSpec), shard, SweepFolder.Options(shard: new Shard(0, 2)));

        var error = Assert.Throws<SweepOutputException>(() => SweepMerge.Merge([shard, shard + "/"], _folder.Output("m"), plots: false, SweepFolder.NoLog));

        Assert.That(error!.Message, Is.EqualTo($"{shard} is given twice; give each shard's folder once"));
    }

    [Test]
    public void Merge_RefusesConflictingResultsOfOnePoint()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec);
        string original = _folder.Output("s1");
        SweepFolder.Run(spec, original, SweepFolder.Options(shard: new Shard(1, 2)));
        string tampered = _folder.Output("s1-tampered");
        Directory.CreateDirectory(tampered);
        File.Copy(Path.Combine(original, SweepRunner.SpecCopyName), Path.Combine(tampered, SweepRunner.SpecCopyName));
        JournalContents contents = SweepJournal.Read(Path.Combine(original, SweepJournal.FileName));
        SweepJournal.WriteAll(Path.Combine(tampered, SweepJournal.FileName), contents.Header!,
            [contents.Records[3] with { Metrics = [.. contents.Records[3].Metrics.Select(_ => "1")] }]);

        var error = Assert.Throws<SweepOutputException>(() =>
            SweepMerge.Merge([original, tampered], _folder.Output("m"), plots: false, SweepFolder.NoLog));

        Assert.That(error!.Message, Does.StartWith("point 3 (id ").And.Contain("has conflicting results in"));
    }

    [Test]
    public void Merge_RefusesFoldersOfDifferentSweeps()
    {
        SweepFolder.Run(_folder.Spec(SweepFolder.SmallSpec), _folder.Output("a"), SweepFolder.Options(shard: new Shard(0, 2)));
        SweepFolder.Run(_folder.Spec(SweepFolder.SmallSpec.Replace("name: small", "name: other", StringComparison.Ordinal), "other.yaml"),
            _folder.Output("b"), SweepFolder.Options(shard: new Shard(1, 2)));

        var error = Assert.Throws<SweepOutputException>(() =>
            SweepMerge.Merge([_folder.Output("a"), _folder.Output("b")], _folder.Output("m"), plots: false, SweepFolder.NoLog));

        Assert.That(error!.Message, Does.Contain("holds a different sweep than"));
    }

    [Test]
    public void ChangedInputs_AreNotMixedWithOldResults()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec);
        string output = _folder.Output("changed");
        SweepFolder.Run(spec, output, SweepFolder.Options());
        File.AppendAllText(Path.Combine(_folder.Root, "Configs", "tiny.yaml"), "# a changed comment changes the fingerprint\n");

        var error = Assert.Throws<SweepOutputException>(() => SweepFolder.Run(spec, output, SweepFolder.Options()));

        Assert.That(error!.Message, Does.Contain("holds results of a different sweep"));
    }

    [Test]
    public void AnotherShard_CannotWriteIntoAShardsFolder()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec);
        string output = _folder.Output("shard");
        SweepFolder.Run(spec, output, SweepFolder.Options(shard: new Shard(0, 2)));

        var error = Assert.Throws<SweepOutputException>(() => SweepFolder.Run(spec, output, SweepFolder.Options(shard: new Shard(1, 2))));

        Assert.That(error!.Message, Does.Contain("holds shard 0/2 of this sweep, not 1/2"));
    }

    [Test]
    public void FolderInUse_IsRefused()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec);
        string output = _folder.Output("busy");
        using FileStream held = SweepRunner.LockFolder(output);

        var error = Assert.Throws<SweepOutputException>(() => SweepFolder.Run(spec, output, SweepFolder.Options()));

        Assert.That(error!.Message, Does.Contain("is another sweep writing to it?"));
    }

    [Test]
    public void AxisKeyTheWorkloadLacks_IsAnErrorOfTheSpec()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec.Replace("pe_array.rows: [2, 4, 8, 16]", "layers.c9.filters: [2, 4, 8, 16]", StringComparison.Ordinal));

        var error = Assert.Throws<ConfigException>(() => SweepFolder.Run(spec, _folder.Output("x"), SweepFolder.Options()));

        Assert.That(error!.Errors.Select(e => $"{Path.GetFileName(e.File)}:{e.Line}:{e.Column}: {e.Message}"), Is.EqualTo(new[]
        {
            "spec.yaml:8:7: axis 'layers.c9.filters' does not fit ../Workloads/tiny.yaml: override 'layers.c9.filters': layers has no item 'c9'; " +
            "select one by 0-based index (0 to 2) or by name: c1, p1, fc",
        }));
    }

    [Test]
    public void MissingConfig_IsReportedWithItsPath()
    {
        string spec = _folder.Spec(SweepFolder.SmallSpec.Replace("../Configs/tiny.yaml", "../Configs/none.yaml", StringComparison.Ordinal));

        var error = Assert.Throws<ConfigException>(() => SweepFolder.Run(spec, _folder.Output("x"), SweepFolder.Options()));

        Assert.That(error!.Errors.Single().ToString(), Does.EndWith(
            Path.Combine("sweeps", "../Configs/none.yaml") + ":1:1: file not found (paths in a sweep spec are relative to the spec's folder)"));
    }
}
