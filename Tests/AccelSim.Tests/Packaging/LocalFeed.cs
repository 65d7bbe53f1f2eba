namespace AccelSim.Tests.Packaging;

/// <summary>A NuGet configuration whose only package source is a local folder, so installs and restores run offline
/// (dependencies already restored by the build come from the global packages folder).</summary>
public static class LocalFeed
{
    /// <summary>Writes <c>nuget.config</c> in <paramref name="folder"/> and returns its path.</summary>
    public static string WriteNuGetConfig(string folder, string feed)
    {
        string path = Path.Combine(folder, "nuget.config");
        File.WriteAllText(path, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        return path;
    }
}
