using System.Runtime.CompilerServices;

namespace AccelSim.Tests.Support;

/// <summary>Locates the repository's folders (Configs/, Workloads/) from the test source tree.</summary>
public static class RepoPaths
{
    /// <summary>The repository root: the folder holding <c>AccelSim.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    public static string Configs => Path.Combine(Root, "Configs");

    public static string Workloads => Path.Combine(Root, "Workloads");

    private static string FindRoot([CallerFilePath] string here = "")
    {
        string? dir = Path.GetDirectoryName(here);
        while (dir is not null && !File.Exists(Path.Combine(dir, "AccelSim.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        // Fall back to the working directory when sources are not where they were compiled.
        dir ??= AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "AccelSim.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Cannot find the repository root (AccelSim.sln).");
    }
}
