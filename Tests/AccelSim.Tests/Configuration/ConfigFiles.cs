using AccelSim.Configuration;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Configuration;

/// <summary>
/// A temporary folder for YAML written by a test, laid out like <c>Configs/</c>: the shipped energy table is copied to
/// <c>energy/horowitz_45nm.yaml</c> so hardware files can name it as the shipped ones do.
/// </summary>
public sealed class ConfigFiles : IDisposable
{
    public ConfigFiles()
    {
        Folder = Path.Combine(Path.GetTempPath(), "accelsim-config-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(Folder, "energy"));
        File.Copy(Path.Combine(RepoPaths.Configs, "energy", "horowitz_45nm.yaml"), EnergyTablePath);
    }

    public string Folder { get; }

    public string EnergyTablePath => Path.Combine(Folder, "energy", "horowitz_45nm.yaml");

    /// <summary>Writes <paramref name="yaml"/> to <paramref name="name"/> in the folder and returns its path.</summary>
    public string Write(string name, string yaml)
    {
        string path = Path.Combine(Folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>The errors <paramref name="load"/> throws, as <c>line:column: message</c> (the file is checked separately).</summary>
    public static string[] ErrorsOf(Action load) =>
        [.. Assert.Throws<ConfigException>(load)!.Errors.Select(e => $"{e.Line}:{e.Column}: {e.Message}")];

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>Edits YAML text by line number, so that an invalid case reads as "line 5 becomes ...".</summary>
public static class YamlText
{
    /// <summary>Replaces 1-based line <paramref name="line"/>.</summary>
    public static string WithLine(this string yaml, int line, string text)
    {
        string[] lines = yaml.Split('\n');
        lines[line - 1] = text;
        return string.Join('\n', lines);
    }

    /// <summary>Inserts <paramref name="text"/> as a new line after 1-based line <paramref name="line"/>.</summary>
    public static string WithLineAfter(this string yaml, int line, string text)
    {
        var lines = yaml.Split('\n').ToList();
        lines.Insert(line, text);
        return string.Join('\n', lines);
    }
}
