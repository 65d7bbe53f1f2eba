namespace AccelSim.Tests.Packaging;

/// <summary>A NuGet configuration whose only package source is a local folder, so installs and restores run offline.</summary>
public static class LocalFeed
{
    /// <summary>The global packages folder the build restored into (NUGET_PACKAGES, else the user's default).</summary>
    public static string RestoredPackages { get; } = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
        ? folder
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Writes <c>nuget.config</c> in <paramref name="folder"/> and returns its path.</summary>
    /// <param name="fallback">A packages folder read (never written) before the source: dependencies the build already
    /// restored are taken from there instead of being fetched.</param>
    public static string WriteNuGetConfig(string folder, string feed, string? fallback = null)
    {
        string path = Path.Combine(folder, "nuget.config");
        string fallbackSection = fallback is null ? "" : $"""

              <fallbackPackageFolders>
                <add key="restored" value="{fallback}" />
              </fallbackPackageFolders>
            """;
        File.WriteAllText(path, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>{fallbackSection}
            </configuration>
            """);
        return path;
    }
}
