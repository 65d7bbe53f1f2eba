using System.Reflection;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Packaging;

/// <summary>
/// The command line as a user installs it: packed from the build as a .NET tool (<c>dotnet pack --no-build</c>, so the
/// package holds exactly what the tests were built against) and installed into a temporary tool path from that local
/// folder only. Made once per test run, by the first test that needs it; <see cref="PackagingCleanup"/> deletes it.
/// </summary>
public static class InstalledTool
{
    private static readonly TimeSpan SdkTimeout = TimeSpan.FromMinutes(5);

    private static readonly Lazy<string> Installed = new(PackAndInstall, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder of this run's packages and tool path (under the temporary folder).</summary>
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), "accelsim-tool-" + Guid.NewGuid().ToString("N"));

    /// <summary>The version the build stamped on the command line's assembly (Directory.Build.props).</summary>
    public static string Version { get; } =
        typeof(AccelSim.Cli.Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

    /// <summary>The installed <c>accelsim</c> launcher, installing it on first use.</summary>
    public static string Executable => Installed.Value;

    /// <summary>The tool path: the folder a user puts on PATH.</summary>
    public static string ToolPath => Path.GetDirectoryName(Executable)!;

    /// <summary>Whether a test has installed the tool in this run.</summary>
    public static bool IsInstalled => Installed.IsValueCreated;

    /// <summary>What the launcher needs to find the runtime: DOTNET_ROOT set to the runtime running these tests.</summary>
    public static Dictionary<string, string> Environment() =>
        Path.GetDirectoryName(ExternalProcess.Dotnet) is { Length: > 0 } root ? new() { ["DOTNET_ROOT"] = root } : [];

    private static string PackAndInstall()
    {
        string feed = Path.Combine(Root, "feed");
        string tools = Path.Combine(Root, "tools");
        Directory.CreateDirectory(feed);
        ExternalProcess.RunOk(ExternalProcess.Dotnet,
            ["pack", Path.Combine(RepoPaths.Root, "Simulator", "AccelSim.Cli", "AccelSim.Cli.csproj"), "-c", ExternalProcess.BuildConfiguration,
             "--no-build", "-nologo", "-v", "q", "-o", feed],
            RepoPaths.Root, SdkTimeout);
        string config = LocalFeed.WriteNuGetConfig(Root, feed);
        ExternalProcess.RunOk(ExternalProcess.Dotnet,
            ["tool", "install", "--tool-path", tools, "--configfile", config, "AccelSim.Cli", "--version", Version],
            Root, SdkTimeout);
        return Path.Combine(tools, OperatingSystem.IsWindows() ? "accelsim.exe" : "accelsim");
    }
}

/// <summary>Deletes the installed tool after the last test of this folder.</summary>
[SetUpFixture]
public sealed class PackagingCleanup
{
    [OneTimeTearDown]
    public void DeleteInstalledTool()
    {
        if (Directory.Exists(InstalledTool.Root))
        {
            Directory.Delete(InstalledTool.Root, recursive: true);
        }
    }
}
