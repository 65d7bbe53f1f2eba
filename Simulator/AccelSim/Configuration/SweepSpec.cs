using System.Collections.Immutable;

namespace AccelSim.Configuration;

/// <summary>Which file an axis or constraint key belongs to.</summary>
public enum KeyTarget
{
    /// <summary>The accelerator config (<c>pe_array.rows</c>, <c>bfp.mantissa_bits</c>, ...).</summary>
    Config,

    /// <summary>Every workload of the sweep (<c>batch</c>, <c>layers.conv1_1.filters</c>, ...).</summary>
    Workload,
}

/// <summary>How a factor combines its axes.</summary>
public enum FactorKind
{
    /// <summary>One axis with its own list of values; factors multiply.</summary>
    Grid,

    /// <summary>Several axes whose lists are read in step: row i takes the i-th value of each.</summary>
    Zip,

    /// <summary>Several axes sampled together: a seeded draw of distinct combinations of their values.</summary>
    Random,
}

/// <summary>Whether an objective is minimised or maximised.</summary>
public enum ObjectiveGoal
{
    Minimize,
    Maximize,
}

/// <summary>A value of an axis.</summary>
/// <param name="Yaml">The value as YAML text, given to the override (<c>8</c>, <c>"6-11"</c>, <c>{group: 16}</c>).</param>
/// <param name="Display">The value as shown in tables and plots (<c>8</c>, <c>6-11</c>, <c>{group: 16}</c>).</param>
public sealed record AxisValue(string Yaml, string Display);

/// <summary>A key the sweep varies.</summary>
/// <param name="Key">The key as written in the spec; names its column in the results.</param>
/// <param name="Target">The file the key belongs to.</param>
/// <param name="Path">The key path within that file (<see cref="Key"/> without a <c>config.</c> or <c>workload.</c> prefix).</param>
/// <param name="Line">1-based line of the key in the spec, for errors found once the base files are loaded.</param>
/// <param name="Column">1-based column of the key in the spec.</param>
public sealed record SweepAxis(string Key, KeyTarget Target, string Path, int Line, int Column);

/// <summary>
/// One factor of the sweep's cartesian product: the axes it sets and its rows, each row one value per axis (in the
/// order of <see cref="AxisIndices"/>). A grid factor has one axis; a zip or random factor one or more.
/// </summary>
public sealed record SweepFactor(FactorKind Kind, ImmutableArray<int> AxisIndices, ImmutableArray<ImmutableArray<AxisValue>> Rows)
{
    /// <summary>The factor named for plots: its keys joined by <c> / </c>.</summary>
    public string Label(ImmutableArray<SweepAxis> axes) => string.Join(" / ", AxisIndices.Select(i => axes[i].Key));

    /// <summary>A row named for plots: its values joined by <c>/</c>.</summary>
    public static string RowLabel(ImmutableArray<AxisValue> row) => string.Join("/", row.Select(v => v.Display));
}

/// <summary>A workload of the sweep.</summary>
/// <param name="Label">The file's name without its extension: the <c>workload</c> column of the results.</param>
/// <param name="Path">The path as written in the spec (relative to the spec's folder unless absolute).</param>
public sealed record SweepWorkload(string Label, string Path);

/// <summary>A metric a sweep spec may name; the sweep runner, which reads it from each result, declares the list.</summary>
/// <param name="Name">The name written in the spec (snake_case, unit in the name).</param>
/// <param name="NeedsNumerics">Only defined when the sweep runs the BFP datapath (<c>numerics: true</c>).</param>
public sealed record SweepMetricName(string Name, bool NeedsNumerics);

/// <summary>An objective of the Pareto analysis.</summary>
public sealed record SweepObjective(string Metric, ObjectiveGoal Goal);

/// <summary>A validated sweep specification. Nothing here has read the config or workload files yet.</summary>
/// <remarks>
/// Points are the cartesian product of the workloads (outermost) and the factors in the order written, the last factor
/// varying fastest. Random factors are drawn when the spec is read, so a spec always describes the same points.
/// </remarks>
public sealed record SweepSpec
{
    public required string Name { get; init; }

    /// <summary>The spec file as the user named it.</summary>
    public required string SpecPath { get; init; }

    /// <summary>The base accelerator config as written in the spec.</summary>
    public required string ConfigPath { get; init; }

    public required ImmutableArray<SweepWorkload> Workloads { get; init; }

    public required bool Numerics { get; init; }

    /// <summary>The input set every point is evaluated over, as <c>accelsim eval --inputs</c> takes it (a folder, glob
    /// or file relative to the spec, or <c>synthetic:N</c>); null: the workload's own input.</summary>
    public string? Inputs { get; init; }

    /// <summary>Every varied key, in the order the spec names them (factor by factor).</summary>
    public required ImmutableArray<SweepAxis> Axes { get; init; }

    public required ImmutableArray<SweepFactor> Factors { get; init; }

    public required ImmutableArray<ConstraintExpression> Constraints { get; init; }

    /// <summary>The names of the metrics kept, in column order.</summary>
    public required ImmutableArray<string> Metrics { get; init; }

    /// <summary>The objectives of the Pareto front; empty for none.</summary>
    public required ImmutableArray<SweepObjective> Objectives { get; init; }

    /// <summary>Number of points: workloads × the product of the factors' row counts.</summary>
    public long PointCount => Factors.Aggregate((long)Workloads.Length, (n, f) => n * f.Rows.Length);

    /// <summary>Resolves a path written in the spec against the spec's folder.</summary>
    public string Resolve(string written) =>
        System.IO.Path.IsPathRooted(written) ? written : System.IO.Path.Combine(System.IO.Path.GetDirectoryName(SpecPath) ?? "", written);
}
