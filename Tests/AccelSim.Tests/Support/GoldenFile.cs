using System.Runtime.CompilerServices;

namespace AccelSim.Tests.Support;

/// <summary>Compares text with a reviewed file under <c>Tests/AccelSim.Tests/Golden/</c>.</summary>
/// <remarks>On a mismatch the actual text is written beside the golden file as <c>*.actual.*</c> (git-ignored). Setting
/// <c>ACCELSIM_UPDATE_GOLDEN=1</c> rewrites the golden file instead; the change is then reviewed like code.</remarks>
public static class GoldenFile
{
    public static void AssertMatches(string name, string actual, [CallerFilePath] string caller = "")
    {
        string folder = Path.Combine(FindTestsRoot(caller), "Golden");
        string expectedPath = Path.Combine(folder, name);
        string actualPath = Path.Combine(folder, Path.GetFileNameWithoutExtension(name) + ".actual" + Path.GetExtension(name));
        if (Environment.GetEnvironmentVariable("ACCELSIM_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(expectedPath, actual);
            return;
        }

        string expected = File.Exists(expectedPath) ? File.ReadAllText(expectedPath) : "";
        if (expected != actual)
        {
            File.WriteAllText(actualPath, actual);
            Assert.Fail($"{name} differs from its golden file; see {actualPath} (diff it, and if the change is right rerun with ACCELSIM_UPDATE_GOLDEN=1)");
        }
        else if (File.Exists(actualPath))
        {
            File.Delete(actualPath);
        }
    }

    private static string FindTestsRoot(string caller)
    {
        string? dir = Path.GetDirectoryName(caller);
        while (dir is not null && !File.Exists(Path.Combine(dir, "AccelSim.Tests.csproj")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? Path.Combine(RepoPaths.Root, "Tests", "AccelSim.Tests");
    }
}
