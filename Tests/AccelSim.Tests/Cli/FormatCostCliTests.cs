using AccelSim.Tests.Support;

namespace AccelSim.Tests.Cli;

/// <summary><c>accelsim bfp-cost --formats</c>.</summary>
public sealed class FormatCostCliTests
{
    [Test]
    public void Formats_PrintOneRowPerLayerAndFormat_AndTheCsvTheSame()
    {
        string csv = Path.Combine(Path.GetTempPath(), "accelsim-format-cost-" + Guid.NewGuid().ToString("N") + ".csv");
        try
        {
            var (code, stdout, stderr) = CliHarness.Run("bfp-cost", "-w", CliHarness.Shipped("Workloads/tiny.yaml"), "-c", CliHarness.Shipped("Configs/default.yaml"),
                "--formats", "bfp,mxfp8_e4m3,nvfp4", "--csv", csv);

            Assert.That(code, Is.Zero, stderr);
            // tiny: c1 is 4 filters × K = 2·3·3 = 18 (one partial block of 18 per filter): MXFP8 (4·18·8 + 4·8)/72 = 8.444 bits a weight.
            Assert.That(stdout, Does.Contain("c1").And.Contain("mxfp8_e4m3").And.Contain("8.444").And.Contain("bfp(5, 8)"));
            // Default config, exact accumulation: E4M3 PE = 282·(4/8)² + 137·(5 + 42 + 9)/32 = 70.5 + 239.75 = 310.25 µm²
            // (CostEstimatorTests derives each part); FPGA: one DSP and 5 + 42 + 9 = 56 LUT of adders.
            Assert.That(stdout, Does.Contain("mxfp8_e4m3: PE arithmetic 310.2 µm² (multiplier 70.5, exponent_adder 21.4, accumulator 179.8, scale_adder 38.5;")
                .And.Contain("FPGA per PE 1 DSP, 56 LUT"));
            string[] lines = File.ReadAllLines(csv);
            Assert.That(lines, Has.Length.EqualTo(1 + (2 * 3)), "header, then 2 conv/FC layers × 3 formats");
            Assert.That(lines[2], Does.StartWith("c1,mxfp8_e4m3,8.444444444444445,576,32,"));
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Test]
    public void UnknownFormat_IsBadInputNamingTheChoices()
    {
        var (code, _, stderr) = CliHarness.Run("bfp-cost", "-w", CliHarness.Shipped("Workloads/tiny.yaml"), "--formats", "bfp,mxfp7");

        CliHarness.AssertBadInput(code, stderr, "--formats: 'mxfp7' is not a format; allowed: bfp, mxint8");
    }

    [TestCase(new[] { "--target-sqnr", "25", "--target-top1", "90", "--inputs", "synthetic:2" }, "give one target")]
    [TestCase(new string[0], "give one target")]
    [TestCase(new[] { "--target-top1", "90" }, "--target-top1 needs --inputs")]
    [TestCase(new[] { "--target-top1", "120", "--inputs", "synthetic:2" }, "--target-top1 must be a percentage from 0 to 100, was 120")]
    [TestCase(new[] { "--target-sqnr", "25", "--inputs", "synthetic:2" }, "--inputs goes with --target-top1")]
    public void FormatsTargets_AreOneOfSqnrOrTop1WithInputs_ElseExitTwo(string[] options, string message)
    {
        var (code, _, stderr) = CliHarness.Run(["formats", "-w", CliHarness.Shipped("Workloads/tiny.yaml"), .. options]);

        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain(message));
        CliHarness.AssertNoStackTrace(stderr);
    }

    [Test]
    public void FormatsTop1Target_PrintsTheAgreementAndTheThreshold()
    {
        var (code, stdout, stderr) = CliHarness.Run("formats", "-w", CliHarness.Shipped("Workloads/tiny.yaml"), "-c", CliHarness.Shipped("Configs/default.yaml"),
            "--target-top1", "0", "--inputs", "synthetic:2", "--candidates", "mxfp4_e2m1,mxint8");

        Assert.That(code, Is.Zero, stderr);
        // A 0 % target is met by the cheapest formats everywhere (threshold −∞).
        Assert.That(stdout, Does.Contain("over 2 inputs (target 0.0 %, met) with a per-layer SQNR threshold of -").And.Contain("mxfp4_e2m1"));
    }
}
