using AccelSim.Configuration.Yaml;
using AccelSim.Energy;
using AccelSim.Files;
using AccelSim.Hardware;
using AccelSim.Onnx;
using AccelSim.Workloads;

namespace AccelSim.Configuration;

/// <summary>
/// Reads hardware, workload and energy-table YAML files into validated, immutable records. Reading is strict:
/// unknown and repeated keys are errors, defaults exist only where the format documents them, and every problem of
/// a file is reported (as <c>file:line:column: message</c>) in one <see cref="ConfigException"/>.
/// </summary>
/// <remarks>
/// File paths in messages are the paths as given (a referenced energy table: the hardware file's folder joined with
/// its <c>energy_table</c> value). No exception other than <see cref="ConfigException"/> escapes for bad input.
/// </remarks>
public static class ConfigLoader
{
    /// <summary>Loads a hardware configuration; the energy table it names is read and validated too (see
    /// <see cref="LoadAcceleratorWithEnergy"/> for both).</summary>
    /// <param name="path">The hardware YAML file.</param>
    /// <param name="overrides">Changes applied to the parsed file before validation, in order; a later one wins.</param>
    /// <exception cref="ConfigException">The file, an override or the energy table is missing, malformed or invalid.</exception>
    public static AcceleratorConfig LoadAccelerator(string path, IReadOnlyList<ConfigOverride>? overrides = null) =>
        LoadAcceleratorWithEnergy(path, overrides).Hardware;

    /// <summary>Loads a hardware configuration together with the energy table it names (relative to the configuration's
    /// folder), the two side by side.</summary>
    /// <param name="path">The hardware YAML file.</param>
    /// <param name="overrides">Changes applied to the parsed file before validation, in order; a later one wins.</param>
    /// <exception cref="ConfigException">The file, an override or the energy table is missing, malformed or invalid.</exception>
    public static LoadedAccelerator LoadAcceleratorWithEnergy(string path, IReadOnlyList<ConfigOverride>? overrides = null) =>
        Guard(path, errors =>
        {
            var tableErrors = new List<ConfigError>();
            LoadedAccelerator? config = null;
            if (Parse(path, errors) is { } document)
            {
                OverrideApplier.Apply(document, AcceleratorReader.Schema, overrides ?? [], errors);
                config = AcceleratorReader.Read(document, errors, (table, at) => LoadReferencedTable(path, table, at, errors, tableErrors));
            }

            return (config, tableErrors);
        });

    /// <summary>Loads a workload: its layers with resolved inputs and inferred shapes.</summary>
    /// <param name="path">The workload YAML file.</param>
    /// <param name="overrides">Changes applied to the parsed file before validation, in order; a later one wins.</param>
    /// <param name="weightsWhenUsed">Read the weights of an ONNX model that the workload names when they are first used
    /// (a timing-only run never uses them, and skips reading them); its shapes and parameter sizes are checked now all the
    /// same.</param>
    /// <exception cref="ConfigException">The file or an override is missing, malformed or invalid.</exception>
    public static Network LoadWorkload(string path, IReadOnlyList<ConfigOverride>? overrides = null, bool weightsWhenUsed = false) =>
        Guard(path, errors =>
        {
            Network? network = null;
            if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            {
                return (LoadOnnx(path, overrides, errors), new List<ConfigError>());
            }

            if (Parse(path, errors) is { } document)
            {
                OverrideApplier.Apply(document, WorkloadReader.Schema, overrides ?? [], errors);
                network = WorkloadReader.Read(document, errors, Path.GetDirectoryName(path) ?? "", weightsWhenUsed: weightsWhenUsed);
            }

            return (network, new List<ConfigError>());
        });

    /// <summary>An ONNX model read directly as a workload: shapes and weights from the model, a seeded standard-normal
    /// input; the same as importing it and loading the workload file written.</summary>
    private static Network? LoadOnnx(string path, IReadOnlyList<ConfigOverride>? overrides, ConfigErrors errors)
    {
        if (!File.Exists(path))
        {
            errors.Add(1, 1, Directory.Exists(path) ? "is a folder, not a file" : "file not found");
            return null;
        }

        ImportedModel model;
        try
        {
            model = OnnxImporter.Import(path);
        }
        catch (OnnxFormatException e)
        {
            errors.Add(1, 1, e.Message);
            return null;
        }

        string yaml = model.ToYaml($"{{ onnx: {{ file: '{Path.GetFileName(path).Replace("'", "''", StringComparison.Ordinal)}' }} }}");
        if (DocParser.Parse(yaml, errors) is not { } document)
        {
            return null;
        }

        OverrideApplier.Apply(document, WorkloadReader.Schema, overrides ?? [], errors);
        return WorkloadReader.Read(document, errors, Path.GetDirectoryName(path) ?? "", model);
    }

    /// <summary>Loads an energy table; it must price every entry of <see cref="EnergyEntryNames.Required"/>.</summary>
    /// <exception cref="ConfigException">The file is missing, malformed or invalid.</exception>
    public static EnergyTable LoadEnergyTable(string path) =>
        Guard(path, errors => (Parse(path, errors) is { } document ? EnergyTableReader.Read(document, errors) : null, new List<ConfigError>()));

    /// <summary>
    /// Tells the kind of a file by its top-level keys: <c>pe_array</c> for hardware, <c>layers</c> for a workload,
    /// <c>entries</c> for an energy table. Only the kind is checked, not the contents.
    /// </summary>
    /// <exception cref="ConfigException">The file is missing or malformed, or has none or more than one of those keys.</exception>
    public static ConfigKind DetectKind(string path) => path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? ConfigKind.Workload :
        Guard(path, errors =>
        {
            ConfigKind? kind = Parse(path, errors) is { } document ? Detect(document, errors) : null;
            return (kind is { } k ? new KindResult(k) : null, new List<ConfigError>());
        }).Kind;

    /// <summary>Loads the file as whatever kind it is (a hardware file together with its energy table).</summary>
    /// <exception cref="ConfigException">The file is missing, malformed, invalid, or of no known kind.</exception>
    public static void Validate(string path)
    {
        switch (DetectKind(path))
        {
            case ConfigKind.Accelerator:
                LoadAccelerator(path);
                break;
            case ConfigKind.Workload:
                LoadWorkload(path);
                break;
            case ConfigKind.EnergyTable:
                LoadEnergyTable(path);
                break;
        }
    }

    /// <summary>Runs a read, then throws every problem found; turns unexpected failures into a <see cref="ConfigException"/> too.</summary>
    private static T Guard<T>(string path, Func<ConfigErrors, (T? Result, List<ConfigError> OtherFiles)> read)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(path);
        var errors = new ConfigErrors(path);
        T? result;
        List<ConfigError> otherFiles;
        try
        {
            (result, otherFiles) = read(errors);
        }
        catch (ConfigException)
        {
            throw;
        }
        catch (Exception e)
        {
            // A reader defect must still reach the user as a configuration problem naming the file, not a stack trace.
            throw new ConfigException(new ConfigError(path, 1, 1, $"could not be read: {e.GetType().Name}: {e.Message}"));
        }

        if (errors.Count > 0 || otherFiles.Count > 0 || result is null)
        {
            List<ConfigError> all = [.. errors.Sorted(), .. otherFiles];
            throw new ConfigException(all.Count > 0 ? all : [new ConfigError(path, 1, 1, "could not be read")]);
        }

        return result;
    }

    private static DocNode? Parse(string path, ConfigErrors errors)
    {
        if (!File.Exists(path))
        {
            errors.Add(1, 1, Directory.Exists(path) ? "is a folder, not a file" : "file not found");
            return null;
        }

        string text;
        try
        {
            text = InputFile.ReadAllText(path, InputLimit.Yaml);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(1, 1, $"cannot read the file: {e.Message}");
            return null;
        }

        return DocParser.Parse(text, errors);
    }

    private static EnergyTable? LoadReferencedTable(string configPath, string table, DocNode at, ConfigErrors errors, List<ConfigError> tableErrors)
    {
        string resolved = Path.Combine(Path.GetDirectoryName(configPath) ?? "", table);
        if (!File.Exists(resolved))
        {
            errors.Add(at, $"energy_table '{table}' does not exist (looked for {resolved}); the path is relative to this file's folder");
            return null;
        }

        var ownErrors = new ConfigErrors(resolved);
        EnergyTable? energy = Parse(resolved, ownErrors) is { } document ? EnergyTableReader.Read(document, ownErrors) : null;
        tableErrors.AddRange(ownErrors.Sorted());
        return energy;
    }

    private static ConfigKind? Detect(DocNode document, ConfigErrors errors)
    {
        (string Key, ConfigKind Kind, string Name)[] markers =
        [
            ("pe_array", ConfigKind.Accelerator, "hardware configuration"),
            ("layers", ConfigKind.Workload, "workload"),
            ("entries", ConfigKind.EnergyTable, "energy table"),
        ];
        string expected = string.Join(", ", markers.Select(m => $"{m.Key} ({m.Name})"));
        if (document is not DocMapping map)
        {
            errors.Add(document, $"the file must be a mapping with one of the top-level keys {expected}, was {Scalars.Describe(document)}");
            return null;
        }

        var found = markers.Where(m => map.Find(m.Key) is not null).ToList();
        if (found.Count == 1)
        {
            return found[0].Kind;
        }

        errors.Add(map, found.Count == 0
            ? $"cannot tell what kind of file this is: it needs one of the top-level keys {expected}"
            : $"cannot tell what kind of file this is: it has the top-level keys {string.Join(" and ", found.Select(m => $"{m.Key} ({m.Name})"))}; a file is of one kind");
        return null;
    }

    /// <summary>Boxes the detected kind so that <see cref="Guard{T}"/> can treat "no result" uniformly.</summary>
    private sealed record KindResult(ConfigKind Kind);
}
