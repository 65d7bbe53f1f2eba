using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Execution;

/// <summary>The per-layer format search on the tiny network (c1: 4 filters, K = 18; fc: 3 outputs, K = 36).</summary>
public sealed class FormatSearchTests
{
    private static readonly string[] Candidates = ["mxfp4_e2m1", "nvfp4", "mxfp6_e2m3", "mxfp8_e4m3", "mxint8", "bfp"];

    private static FormatSearchResult Search(double target, FormatCostMeasure measure = FormatCostMeasure.Storage)
    {
        LoadedAccelerator accelerator = ConfigLoader.LoadAcceleratorWithEnergy(CliHarness.Shipped("Configs/default.yaml"));
        Network network = ConfigLoader.LoadWorkload(CliHarness.Shipped("Workloads/tiny.yaml"));
        return FormatSearch.Run(accelerator.Hardware, accelerator.Energy, network, Candidates, target, measure, new RunOptions(true, 2), Serilog.Core.Logger.None);
    }

    [Test]
    public void AnyTargetMet_TakesTheFewestBitsPerWeight()
    {
        // Every format meets −100 dB. Bits per weight of c1 (K = 18, one partial block per filter): MXFP4 (18·4 + 8)/18
        // = 4.444, NVFP4 (18·4 + 2·8)/18 = 4.889, MXFP6 6.444, the rest more: MXFP4 wins for both layers.
        FormatSearchResult result = Search(-100);

        Assert.That(result.Choices.Select(c => (c.Layer, c.Format, c.MeetsTarget)), Is.EqualTo(new[] { ("c1", "mxfp4_e2m1", true), ("fc", "mxfp4_e2m1", true) }));
        Assert.That(result.Choices[0].Cost, Is.EqualTo(80.0 / 18));
    }

    [Test]
    public void UnreachableTarget_TakesTheMostAccurateAndSaysSo()
    {
        FormatSearchResult result = Search(1000);

        Assert.That(result.Choices.Select(c => c.MeetsTarget), Is.All.False);
        // bfp(5, 8) over a whole-map exponent or MXINT8's 7 bits: whichever is more accurate, it is not a 4- or 6-bit format.
        Assert.That(result.Choices.Select(c => c.Format), Is.All.AnyOf("bfp", "mxint8", "mxfp8_e4m3"));
    }

    [Test]
    public void Choice_IsTheCheapestMeetingTheTarget_AndTheFinalRunMeasuresItsLocalErrorAgain()
    {
        FormatSearchResult result = Search(30);
        LoadedAccelerator accelerator = ConfigLoader.LoadAcceleratorWithEnergy(CliHarness.Shipped("Configs/default.yaml"));
        Network network = ConfigLoader.LoadWorkload(CliHarness.Shipped("Workloads/tiny.yaml"));
        foreach (LayerFormatChoice choice in result.Choices)
        {
            Assert.That(choice.LocalSqnrDb, Is.GreaterThanOrEqualTo(30), choice.Layer);
            // Independently: each cheaper candidate, run alone, misses the target at this layer.
            foreach (string other in Candidates)
            {
                var run = NetworkRunner.Run(accelerator.Hardware, accelerator.Energy, FormatSearch.WithFormat(network, _ => other), new RunOptions(true, 2));
                double sqnr = run.Layers.First(l => l.Name == choice.Layer).Numerics!.Local!.SqnrDb;
                double cost = result.Choices.Single(c => c.Layer == choice.Layer).Cost;
                if (sqnr >= 30)
                {
                    Assert.That(Bits(other, choice.Layer, network, accelerator), Is.GreaterThanOrEqualTo(cost), $"{choice.Layer}: {other} meets the target");
                }
            }

            // A local error does not depend on the formats of the layers before: the final run measures the same.
            Assert.That(result.Run.Layers.First(l => l.Name == choice.Layer).Numerics!.Local!.SqnrDb, Is.EqualTo(choice.LocalSqnrDb), choice.Layer);
        }
    }

    [Test]
    public void Cli_PrintsTheChoicesAndTheRun_AndRefusesAnUnknownMeasure()
    {
        var (code, stdout, stderr) = CliHarness.Run("formats", "-c", CliHarness.Shipped("Configs/default.yaml"), "-w", CliHarness.Shipped("Workloads/tiny.yaml"),
            "--target-sqnr", "30", "--candidates", "mxfp4_e2m1,mxint8");
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("local SQNR").And.Contain("│ total"));

        var (badCode, _, badErr) = CliHarness.Run("formats", "-w", CliHarness.Shipped("Workloads/tiny.yaml"), "--target-sqnr", "30", "--by", "area");
        CliHarness.AssertBadInput(badCode, badErr, "--by must be storage or energy, was 'area'");
    }

    private static double Bits(string format, string layer, Network network, LoadedAccelerator accelerator)
    {
        var search = FormatSearch.Run(accelerator.Hardware, accelerator.Energy, network, [format], double.NegativeInfinity, FormatCostMeasure.Storage,
            new RunOptions(true, 1), Serilog.Core.Logger.None);
        return search.Choices.Single(c => c.Layer == layer).Cost;
    }

    [Test]
    public void Top1Target_TakesTheLowestThresholdReachingIt_AndItsChoicesReachItWhenEvaluatedAgain()
    {
        LoadedAccelerator accelerator = ConfigLoader.LoadAcceleratorWithEnergy(CliHarness.Shipped("Configs/default.yaml"));
        Network network = ConfigLoader.LoadWorkload(CliHarness.Shipped("Workloads/tiny.yaml"));
        EvalInputs inputs = EvalInputs.Find("synthetic:4", network, null);
        FormatSearchResult Search(double top1) => FormatSearch.RunForAgreement(
            accelerator.Hardware, accelerator.Energy, network, Candidates, top1, inputs, FormatCostMeasure.Storage, new RunOptions(true, 2), Serilog.Core.Logger.None);
        double Agreement(IEnumerable<LayerFormatChoice> choices)
        {
            var chosen = choices.ToDictionary(c => c.Layer, c => c.Format);
            return new Evaluation(accelerator.Hardware, accelerator.Energy, FormatSearch.WithFormat(network, l => chosen[l.Name])).Run(inputs).Top1Agreement;
        }

        FormatSearchResult any = Search(0);
        FormatSearchResult all = Search(1);
        AgreementSearch found = all.Agreement!;

        using (Assert.EnterMultipleScope())
        {
            // 0 %: met by every layer's cheapest format (threshold −∞): MXFP4 for both layers, as AnyTargetMet_… derives.
            Assert.That(any.Agreement!.ThresholdDb, Is.EqualTo(double.NegativeInfinity));
            Assert.That(any.Choices.Select(c => c.Format), Is.All.EqualTo("mxfp4_e2m1"));

            // 100 % of 4 inputs: the chosen formats, evaluated again on their own, agree as reported, on every input.
            Assert.That(found.Met, Is.True, "the most accurate formats agree on all 4 inputs");
            Assert.That(found.Inputs, Is.EqualTo(4));
            Assert.That(Agreement(all.Choices), Is.EqualTo(found.Top1Agreement).And.EqualTo(1.0));

            // The lowest such threshold: just below it, the choices (those of the next lower measured SQNR) agree less.
            if (double.IsFinite(found.ThresholdDb))
            {
                var below = FormatSearch.Run(accelerator.Hardware, accelerator.Energy, network, Candidates, found.ThresholdDb - 1e-9,
                    FormatCostMeasure.Storage, new RunOptions(true, 2), Serilog.Core.Logger.None);
                Assert.That(Agreement(below.Choices), Is.LessThan(1.0));
            }
        }
    }
}
