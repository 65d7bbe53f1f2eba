using System.Collections.Concurrent;
using AccelSim.Configuration.Yaml;
using AccelSim.Energy;
using AccelSim.Files;

namespace AccelSim.Configuration;

/// <summary>
/// Energy tables named by hardware files of one folder, each read once however many variants name it (most sweeps never
/// change the table). Thread-safe.
/// </summary>
/// <param name="folder">The folder of the hardware files: table paths are relative to it.</param>
public sealed class EnergyTableCache(string folder)
{
    private readonly ConcurrentDictionary<string, Lazy<(EnergyTable? Table, IReadOnlyList<ConfigError> Errors)>> _tables =
        new(StringComparer.Ordinal);

    /// <summary>Loads a table named by a config, adding a missing file to the config's errors and the table's own problems to <paramref name="tableErrors"/>.</summary>
    internal EnergyTable? Load(string configLabel, string table, DocNode at, ConfigErrors errors, List<ConfigError> tableErrors)
    {
        string path = Path.Combine(folder, table);
        string label = Path.Combine(Path.GetDirectoryName(configLabel) ?? "", table);
        if (!File.Exists(path))
        {
            errors.Add(at, $"energy_table '{table}' does not exist (looked for {label}); the path is relative to the config's folder");
            return null;
        }

        var loaded = _tables.GetOrAdd($"{label}\n{path}", _ => new Lazy<(EnergyTable?, IReadOnlyList<ConfigError>)>(() =>
        {
            var ownErrors = new ConfigErrors(label);
            DocNode? document = ReadText(path, ownErrors) is { } text ? DocParser.Parse(text, ownErrors) : null;
            EnergyTable? energy = document is not null ? EnergyTableReader.Read(document, ownErrors) : null;
            return (energy, ownErrors.Sorted());
        })).Value;
        tableErrors.AddRange(loaded.Errors);
        return loaded.Table;
    }

    private static string? ReadText(string path, ConfigErrors errors)
    {
        try
        {
            return InputFile.ReadAllText(path, InputLimit.Yaml);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(1, 1, $"cannot read the file: {e.Message}");
            return null;
        }
    }
}
