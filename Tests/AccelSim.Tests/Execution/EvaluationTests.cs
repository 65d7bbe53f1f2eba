using System.Collections.Immutable;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Reports;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Execution;

/// <summary>An evaluation over many inputs: the aggregate arithmetic by hand, and the journal that makes it resumable.</summary>
public sealed class EvaluationTests() : WorkFolderFixture("accelsim-eval-")
{
    [Test]
    public void Percentile_IsTheNearestRank()
    {
        double[] sorted = [10, 20, 30, 40];

        // Rank ceil(p/100 · 4): p5 → ceil(0.2) = 1 → 10; p50 → 2 → 20; p51 → ceil(2.04) = 3 → 30; p100 → 4 → 40;
        // p0 → rank 0, raised to the first value.
        Assert.Multiple(() =>
        {
            Assert.That(SqnrSpread.Percentile(sorted, 5), Is.EqualTo(10));
            Assert.That(SqnrSpread.Percentile(sorted, 50), Is.EqualTo(20));
            Assert.That(SqnrSpread.Percentile(sorted, 51), Is.EqualTo(30));
            Assert.That(SqnrSpread.Percentile(sorted, 100), Is.EqualTo(40));
            Assert.That(SqnrSpread.Percentile(sorted, 0), Is.EqualTo(10));
        });
    }

    [Test]
    public void Spread_OfThreeValues()
    {
        // Mean (30 + 10 + 20) / 3 = 20; worst 10; p5: rank ceil(0.15) = 1 → 10; median: rank ceil(1.5) = 2 → 20.
        Assert.That(SqnrSpread.Of([30, 10, 20]), Is.EqualTo(new SqnrSpread(20, 10, 10, 20)));
    }

    [Test]
    public void Top5Overlap_CountsTheReferenceTopFiveFoundInTheBfpTopFive()
    {
        // Item 0: BFP top five {0,1,2,3,4}, reference top five {0,1,2,3,5}: 4 of 5 shared, top-1 (index 0) agrees.
        // Item 1: BFP's largest is index 1, the reference's index 0: top-1 disagrees; both top fives are {0..4}: 5 of 5.
        float[] bfp = [6, 5, 4, 3, 2, 1, /**/ 5, 6, 4, 3, 2, 1];
        double[] reference = [6, 5, 4, 3, 1, 2, /**/ 6, 5, 4, 3, 2, 1];

        OutputAgreement agreement = NetworkNumerics.Agreement(bfp, reference, batch: 2);

        // top-1: (1 + 0) / 2; top-5: (0.8 + 1) / 2.
        Assert.That(agreement, Is.EqualTo(new OutputAgreement(0.5, 0.9, 2)));
    }

    [Test]
    public void WithoutTheLocalErrorPass_TheReportedFiguresAreTheSame()
    {
        // An evaluation skips the local-error pass: every figure it reports (accumulated error, saturations, zero
        // operands, output agreement) must be what a full run gives, and only the local figures are missing.
        Network network = ConfigLoader.LoadWorkload(CliHarness.Shipped("Workloads/tiny.yaml"));
        var config = TestHardware.Tiny();
        (ImmutableArray<LayerNumerics> full, OutputAgreement fullAgreement) = new NetworkNumerics(network, config, 2).Run();
        (ImmutableArray<LayerNumerics> lean, OutputAgreement leanAgreement) = new NetworkNumerics(network, config, 2) { LocalError = false }.Run();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(full.Count(l => l.Local is not null), Is.GreaterThan(0), "the full run has local figures");
            Assert.That(lean.Select(l => l.Local), Is.All.Null);
            Assert.That(lean.Select(l => l with { Local = null }), Is.EqualTo(full.Select(l => l with { Local = null })));
            Assert.That(leanAgreement, Is.EqualTo(fullAgreement));
        }
    }

    [Test]
    public void Summary_AggregatesOverInputs()
    {
        EvalOutcome Outcome(int index, bool top1, double top5, double[] layers, long inputSaturations, double energy) =>
            new(index, $"x{index}", top1, top5, layers[^1], [.. layers], inputSaturations, 0, 1, energy);

        var summary = EvalSummary.Of("cfg", "net", 1000, 500, ["a", "b"],
        [
            Outcome(2, true, 1.0, [30, 20], 0, 300),
            Outcome(0, true, 0.6, [40, 10], 2, 100),
            Outcome(1, false, 0.8, [20, 30], 1, 200),
        ]);

        Assert.Multiple(() =>
        {
            Assert.That(summary.Outcomes.Select(o => o.Index), Is.EqualTo(new[] { 0, 1, 2 }), "input order");
            Assert.That(summary.Top1Agreement, Is.EqualTo(2 / 3.0));
            Assert.That(summary.Top5Overlap, Is.EqualTo((1.0 + 0.6 + 0.8) / 3).Within(1e-15));

            // Output = last layer "b": {10, 30, 20} → mean 20, worst 10, p5 10, median 20.
            Assert.That(summary.OutputSqnr, Is.EqualTo(new SqnrSpread(20, 10, 10, 20)));

            // Layer "a": {40, 20, 30} → mean 30, worst 20, p5 20, median (rank 2) 30.
            Assert.That(summary.Layers[0], Is.EqualTo(new LayerSqnrSummary("a", new SqnrSpread(30, 20, 20, 30))));
            Assert.That(summary.InputSaturations, Is.EqualTo(3));
            Assert.That(summary.AccumulatorSaturations, Is.EqualTo(3));
            Assert.That((summary.MeanEnergyPicoJoules, summary.MinEnergyPicoJoules, summary.MaxEnergyPicoJoules), Is.EqualTo((200.0, 100.0, 300.0)));

            // 1000 cycles at 500 MHz.
            Assert.That(summary.LatencyMicroseconds, Is.EqualTo(2));

            // Input x0: layers {40, 10}: mean 25, worst 10.
            Assert.That((summary.Outcomes[0].MeanLayerSqnrDb, summary.Outcomes[0].WorstLayerSqnrDb), Is.EqualTo((25.0, 10.0)));
        });
    }

    [Test]
    public void Interrupted_ThenResumed_GivesTheSameOutcomesAsOneRun()
    {
        string journal = Path.Combine(Work, EvalJournal.FileName);
        Evaluation Make(string? path) => new(
            ConfigLoader.LoadAccelerator(CliHarness.Shipped("Configs/tiny.yaml")),
            ConfigLoader.LoadAcceleratorWithEnergy(CliHarness.Shipped("Configs/tiny.yaml")).Energy,
            ConfigLoader.LoadWorkload(CliHarness.Shipped("Workloads/tiny.yaml")))
        { JournalPath = path, Fingerprint = "f" };
        EvalInputs inputs = EvalInputs.Find("synthetic:3", Make(null).Network, null);
        EvalSummary whole = Make(null).Run(inputs);

        // Cancelled once the first input (a batch of one on one thread) is recorded.
        using var cancel = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => Make(journal).Run(inputs, p => { if (p.Done == 1) cancel.Cancel(); }, cancel.Token));
        Assert.That(EvalJournal.Read(journal).Outcomes.Keys, Is.EqualTo(new[] { 0 }));

        // A torn last line, as a kill in the middle of a write leaves, is cut off.
        File.AppendAllText(journal, "0123456789abcdef {\"index\":1,");
        var progress = new List<EvalProgress>();
        EvalSummary resumed = Make(journal).Run(inputs, progress.Add);

        Assert.Multiple(() =>
        {
            Assert.That(progress[0], Is.EqualTo(new EvalProgress(1, 3, 1)), "one input resumed");
            Assert.That(Text(resumed, EvalReport.WriteJson), Is.EqualTo(Text(whole, EvalReport.WriteJson)));
            Assert.That(Text(resumed, EvalReport.WriteCsv), Is.EqualTo(Text(whole, EvalReport.WriteCsv)));
        });
    }

    [Test]
    public void Journal_OfAnotherEvaluation_IsRefused()
    {
        string journal = Path.Combine(Work, EvalJournal.FileName);
        EvalJournal.Open(journal, "other", 0).Dispose();
        var evaluation = new Evaluation(
            ConfigLoader.LoadAccelerator(CliHarness.Shipped("Configs/tiny.yaml")),
            ConfigLoader.LoadAcceleratorWithEnergy(CliHarness.Shipped("Configs/tiny.yaml")).Energy,
            ConfigLoader.LoadWorkload(CliHarness.Shipped("Workloads/tiny.yaml")))
        { JournalPath = journal, Fingerprint = "mine" };

        Assert.Throws<EvalJournalMismatchException>(() => evaluation.Run(EvalInputs.Find("synthetic:1", evaluation.Network, null)));
    }

    private static string Text(EvalSummary summary, Action<EvalSummary, TextWriter> write)
    {
        var writer = new StringWriter();
        write(summary, writer);
        return writer.ToString();
    }
}
