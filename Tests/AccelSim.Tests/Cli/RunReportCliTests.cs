using AccelSim.Tests.Support;
using static AccelSim.Tests.Support.CliHarness;

namespace AccelSim.Tests.Cli;

/// <summary><c>run --report DIR</c>: the page and its figures written, the folder checked before any work.</summary>
public sealed class RunReportCliTests() : WorkFolderFixture("accelsim-report-cli-")
{
    [Test]
    public void Report_WritesThePageAndItsFigures_WithTheCommand()
    {
        string folder = Path.Combine(Work, "report");

        var (code, _, stderr) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--no-numerics", "--no-table",
            "--threads", "1", "--report", folder);

        Assert.That(code, Is.Zero, stderr);
        string page = File.ReadAllText(Path.Combine(folder, "index.html"));
        Assert.Multiple(() =>
        {
            // Timing only: four figures (no SQNR), each as PNG and SVG, and the page.
            Assert.That(Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal), Is.EqualTo(new[]
            {
                "cycles.png", "cycles.svg", "energy_actions.png", "energy_actions.svg", "energy_layers.png", "energy_layers.svg", "index.html",
                "roofline.png", "roofline.svg",
            }));
            Assert.That(page, Does.Contain("accelsim run -c "));
            Assert.That(page, Does.Contain("--report " + folder));
            // tiny.yaml: a 4x4 array of 16 PEs, 4 B/cycle of DRAM (see Configs/tiny.yaml).
            Assert.That(page, Does.Contain("4 x 4 (16 PEs)"));
        });
    }

    [TestCase("--energy-breakdown")]
    [TestCase("--verbose")]
    public void EnergyBreakdown_OrVerbose_PrintsTheTableOfActions(string option)
    {
        var (plain, plainOut, _) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--no-numerics", "--threads", "1");
        var (code, stdout, stderr) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--no-numerics", "--threads", "1", option);

        Assert.Multiple(() =>
        {
            Assert.That(plain, Is.Zero);
            Assert.That(code, Is.Zero, stderr);
            Assert.That(plainOut, Does.Contain("Energy by component, µJ: dram ").And.Not.Contain("energy by component and action"));
            Assert.That(stdout, Does.Contain("energy by component and action").And.Match(@"│ dram +│ +│"));
        });
    }

    [Test]
    public void Report_ThatIsAFile_IsBadInput_BeforeAnyWork()
    {
        string file = Path.Combine(Work, "taken");
        File.WriteAllText(file, "");

        var (code, _, stderr) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--no-numerics", "--report", file);

        AssertBadInput(code, stderr, $"--report {file}");
        Assert.That(stderr, Does.Not.Contain("Running"), "refused before the run");
    }
}
