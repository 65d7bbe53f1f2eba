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
}
