using System.Text.RegularExpressions;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Packaging;

/// <summary>
/// The command line as a .NET tool, the way a user gets it (<see cref="InstalledTool"/>: packed from the build and
/// installed from a local folder only), run from an empty folder outside the repository, where it must find its shipped
/// configs, workloads and the trained ResNet-18 beside itself.
/// </summary>
[Category("Packaging")]
[NonParallelizable]
public sealed partial class ToolPackageTests() : WorkFolderFixture("accelsim-tool-run-")
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Test]
    public void InstalledTool_PrintsTheVersionOfTheBuild()
    {
        string output = RunTool("--version");

        Assert.That(output.Trim(), Is.EqualTo(InstalledTool.Version));
    }

    [Test]
    public void InstalledTool_RunsShippedTinyFiles_FromAnEmptyFolder_AsTheGoldenReport()
    {
        // Configs/tiny.yaml and Workloads/tiny.yaml do not exist in the empty folder: the tool takes the copies it carries.
        RunTool("run", "-c", "Configs/tiny.yaml", "-w", "Workloads/tiny.yaml", "--csv", "tiny.csv", "--no-table");

        Assert.That(File.ReadAllText(Path.Combine(Work, "tiny.csv")),
            Is.EqualTo(File.ReadAllText(Path.Combine(RepoPaths.Root, "Tests", "AccelSim.Tests", "Golden", "tiny__tiny.expected.csv"))));
    }

    [Test]
    public void InstalledTool_RunWithoutArguments_RunsTheTrainedResNet18WithNumerics()
    {
        // The default config and workload, and the trained model's weights read from the package's model files. (The same
        // run in process would double the cost; the tiny run above already shows the tool computes what the build does.)
        string output = RunTool("run");
        string[] layers = [.. LayerName().Matches(File.ReadAllText(Path.Combine(RepoPaths.Workloads, "resnet18.yaml"))).Select(m => m.Groups[1].Value)];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(layers, Has.Length.EqualTo(33), "22 conv, 1 max pool, 9 adds, 1 average pool (README)");
            Assert.That(layers.Where(layer => !output.Contains(layer, StringComparison.Ordinal)), Is.Empty, "every layer has its row");
            Assert.That(output, Does.Contain("Network output: SQNR").And.Contain("top-1 agreement"), "numerics ran");
        }
    }

    private string RunTool(params string[] arguments) =>
        ExternalProcess.RunOk(InstalledTool.Executable, arguments, Work, RunTimeout, InstalledTool.Environment());

    [GeneratedRegex(@"^  - \{ name: ([^,\s]+),", RegexOptions.Multiline)]
    private static partial Regex LayerName();
}
