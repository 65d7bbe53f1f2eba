using AccelSim.Configuration.Yaml;
using AccelSim.Hardware;
using AccelSim.Workloads;

namespace AccelSim.Configuration;

/// <summary>
/// A hardware or workload file parsed once, from which variants are read: each read copies the parsed file, applies
/// its own overrides and validates the copy as <see cref="ConfigLoader"/> validates a file. Sweeps read every point
/// this way without parsing the file again.
/// </summary>
/// <remarks>The parsed file is never changed, so reads may run on any number of threads.</remarks>
public sealed class ConfigDocument
{
    private readonly DocNode _tree;

    private ConfigDocument(ConfigKind kind, DocNode tree)
    {
        Kind = kind;
        _tree = tree;
    }

    /// <summary><see cref="ConfigKind.Accelerator"/> or <see cref="ConfigKind.Workload"/>: the format the file is read as.</summary>
    public ConfigKind Kind { get; }

    /// <summary>The top-level <c>energy_table</c> value as written; null when there is none (validation says why).</summary>
    public string? EnergyTableName =>
        _tree is DocMapping map && map.Find("energy_table")?.Value is DocScalar { IsNull: false } table ? table.Value : null;

    /// <summary>Parses the text of a file; null when it is not well-formed, with its problems added to <paramref name="problems"/>.</summary>
    /// <param name="kind"><see cref="ConfigKind.Accelerator"/> or <see cref="ConfigKind.Workload"/>.</param>
    /// <param name="text">The file's text.</param>
    /// <param name="file">The file as problems name it.</param>
    /// <param name="problems">Receives the problems in position order.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is neither a hardware nor a workload file.</exception>
    public static ConfigDocument? Parse(ConfigKind kind, string text, string file, List<ConfigError> problems)
    {
        ArgumentOutOfRangeException.ThrowIfEqual(kind, ConfigKind.EnergyTable);
        ArgumentNullException.ThrowIfNull(problems);
        var errors = new ConfigErrors(file);
        DocNode? document = DocParser.Parse(text, errors);
        problems.AddRange(errors.Sorted());
        return errors.Count == 0 && document is not null ? new ConfigDocument(kind, document) : null;
    }

    /// <summary>Reads the hardware file with <paramref name="overrides"/> applied.</summary>
    /// <param name="overrides">Applied in order to a copy of the file; a later one wins.</param>
    /// <param name="file">The file as problems name it.</param>
    /// <param name="tables">Where the energy table the file names is read from.</param>
    /// <param name="problems">Receives this file's problems in position order, then those of its energy table.</param>
    /// <param name="values">The copy as overridden, for reading single values (<see cref="ConfigValues.Number"/>).</param>
    /// <returns>The validated config and its energy table; null when there are problems.</returns>
    /// <exception cref="InvalidOperationException">The document is not a hardware file.</exception>
    public LoadedAccelerator? ReadAccelerator(IReadOnlyList<ConfigOverride> overrides, string file, EnergyTableCache tables, List<ConfigError> problems, out ConfigValues values)
    {
        Require(ConfigKind.Accelerator);
        ArgumentNullException.ThrowIfNull(tables);
        DocNode tree = DocTree.Clone(_tree);
        var errors = new ConfigErrors(file);
        var tableErrors = new List<ConfigError>();
        OverrideApplier.Apply(tree, AcceleratorReader.Schema, overrides, errors);
        LoadedAccelerator? config = AcceleratorReader.Read(tree, errors, (table, at) => tables.Load(file, table, at, errors, tableErrors));
        problems.AddRange(errors.Sorted());
        problems.AddRange(tableErrors);
        values = new ConfigValues(tree);
        return config;
    }

    /// <summary>Reads the workload file with <paramref name="overrides"/> applied.</summary>
    /// <param name="overrides">Applied in order to a copy of the file; a later one wins.</param>
    /// <param name="file">The file as problems name it.</param>
    /// <param name="baseDirectory">The folder the workload's own file references are relative to.</param>
    /// <param name="problems">Receives the problems in position order.</param>
    /// <param name="values">The copy as overridden, for reading single values (<see cref="ConfigValues.Number"/>).</param>
    /// <returns>The validated network; null when there are problems.</returns>
    /// <exception cref="InvalidOperationException">The document is not a workload file.</exception>
    public Network? ReadWorkload(IReadOnlyList<ConfigOverride> overrides, string file, string baseDirectory, List<ConfigError> problems, out ConfigValues values)
    {
        Require(ConfigKind.Workload);
        DocNode tree = DocTree.Clone(_tree);
        var errors = new ConfigErrors(file);
        OverrideApplier.Apply(tree, WorkloadReader.Schema, overrides, errors);
        Network? network = WorkloadReader.Read(tree, errors, baseDirectory);
        problems.AddRange(errors.Sorted());
        values = new ConfigValues(tree);
        return network;
    }

    /// <summary>The problems of applying one override to a copy of the file, in position order (none when it fits).</summary>
    /// <remarks>Only applies it: whether the result validates is for the read methods to say.</remarks>
    public IReadOnlyList<ConfigError> CheckOverride(ConfigOverride item, string file)
    {
        var errors = new ConfigErrors(file);
        OverrideApplier.Apply(DocTree.Clone(_tree), Kind == ConfigKind.Accelerator ? AcceleratorReader.Schema : WorkloadReader.Schema, [item], errors);
        return errors.Sorted();
    }

    private void Require(ConfigKind kind)
    {
        if (Kind != kind)
        {
            throw new InvalidOperationException($"This document was parsed as {Kind}, not {kind}.");
        }
    }
}
