using System.Reflection;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Packaging;

/// <summary>
/// The command line as a .NET tool, the way a user gets it: packed from the build (<c>dotnet pack</c>), installed into a
/// temporary tool path from that local folder only (no other package source), and run from an empty folder outside the
/// repository, where it must find its shipped configs, workloads and the trained ResNet-18 beside itself.
/// </summary>
[Category("Packaging")]
[NonParallelizable]
public sealed class ToolPackageTests
{
    private static readonly TimeSpan SdkTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    private string _root = "";
    private string _accelsim = "";
    private string _empty = "";

    [OneTimeSetUp]
    public void PackAndInstall()
    {
        _root = Path.Combine(Path.GetTempPath(), "accelsim-tool-" + Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(_root, "feed");
        string tools = Path.Combine(_root, "tools");
        _empty = Path.Combine(_root, "empty");
        Directory.CreateDirectory(feed);
        Directory.CreateDirectory(_empty);

        // --no-build: the package is made of exactly what the tests were built against.
        ExternalProcess.RunOk(ExternalProcess.Dotnet,
            ["pack", Path.Combine(RepoPaths.Root, "Simulator", "AccelSim.Cli", "AccelSim.Cli.csproj"), "-c", ExternalProcess.BuildConfiguration,
             "--no-build", "-nologo", "-v", "q", "-o", feed],
            RepoPaths.Root, SdkTimeout);
        string config = LocalFeed.WriteNuGetConfig(_root, feed);
        ExternalProcess.RunOk(ExternalProcess.Dotnet,
            ["tool", "install", "--tool-path", tools, "--configfile", config, "AccelSim.Cli", "--version", CliVersion],
            _root, SdkTimeout);
        _accelsim = Path.Combine(tools, OperatingSystem.IsWindows() ? "accelsim.exe" : "accelsim");
    }

    [OneTimeTearDown]
    public void DeleteRoot()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>The version the build stamped on the command line's assembly (Directory.Build.props).</summary>
    private static string CliVersion { get; } =
        typeof(AccelSim.Cli.Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

    [Test]
    public void InstalledTool_PrintsTheVersionOfTheBuild()
    {
        string output = RunTool("--version");

        Assert.That(output.Trim(), Is.EqualTo(CliVersion));
    }

    [Test]
    public void InstalledTool_RunsShippedTinyFiles_FromAnEmptyFolder_AsTheGoldenReport()
    {
        // Configs/tiny.yaml and Workloads/tiny.yaml do not exist in the empty folder: the tool takes the copies it carries.
        RunTool("run", "-c", "Configs/tiny.yaml", "-w", "Workloads/tiny.yaml", "--csv", "tiny.csv", "--no-table");

        Assert.That(File.ReadAllText(Path.Combine(_empty, "tiny.csv")),
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

    private string RunTool(params string[] arguments) => ExternalProcess.RunOk(_accelsim, arguments, _empty, RunTimeout, ToolEnvironment());

    /// <summary>The installed launcher finds the runtime through DOTNET_ROOT, set to the runtime running these tests.</summary>
    private static Dictionary<string, string> ToolEnvironment() =>
        Path.GetDirectoryName(ExternalProcess.Dotnet) is { Length: > 0 } root ? new() { ["DOTNET_ROOT"] = root } : [];
}
