using AccelSim.Tests.Support;

namespace AccelSim.Tests.Packaging;

/// <summary>
/// The command line as a .NET tool, the way a user gets it (<see cref="InstalledTool"/>: packed from the build and
/// installed from a local folder only), run from an empty folder outside the repository, where it must find its shipped
/// configs, workloads and the trained ResNet-18 beside itself.
/// </summary>
[Category("Packaging")]
[NonParallelizable]
public sealed class ToolPackageTests() : WorkFolderFixture("accelsim-tool-run-")
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
    public void InstalledTool_RunWithoutArguments_IsTheDefaultRunOfTheRepository()
    {
        // The default config and the trained ResNet-18 (read from the package's model files), numerics included.
        string installed = RunTool("run");
        (int code, string repository, string error) = CliHarness.Run("run");

        Assert.That(code, Is.Zero, error);
        Assert.That(installed, Is.EqualTo(repository));
    }

    private string RunTool(params string[] arguments) =>
        ExternalProcess.RunOk(InstalledTool.Executable, arguments, Work, RunTimeout, InstalledTool.Environment());
}
