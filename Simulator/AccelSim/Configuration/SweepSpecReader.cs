using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using AccelSim.Configuration.Yaml;
using AccelSim.Files;

namespace AccelSim.Configuration;

/// <summary>
/// Reads a sweep specification as strictly as the other formats: unknown and repeated keys are errors, nothing is
/// defaulted silently, and every problem is reported at once as <c>file:line:column: message</c>. Only the spec itself
/// is read here; the config and workloads it names are loaded by the sweep session (<see cref="ConfigDocument"/>).
/// </summary>
public static class SweepSpecReader
{
    /// <summary>More values than this in one axis is almost certainly a mistake in a range.</summary>
    public const int MaxValuesPerAxis = 10_000;

    /// <summary>Sweeps beyond this many points are refused; split them with several specs.</summary>
    public const long MaxPoints = 1_000_000;

    private static readonly MapSchema RandomSchema = new("samples", "seed", "keys");
    private static readonly MapSchema AxisItemSchema = new("grid", "zip", new KeySpec("random", RandomSchema));
    private static readonly MapSchema RangeSchema = new("from", "to", "step", "times");

    private static readonly MapSchema Schema = new(
        "version", "name", "config", "workloads", "numerics", "inputs", "axes", "constraints", "metrics", "objectives");

    private static readonly Choices<ObjectiveGoal> Goals = Choices.FromEnum<ObjectiveGoal>();
    private static readonly IntRule SamplesRule = new(1, 100_000);
    private static readonly IntRule RangeBoundRule = new(long.MinValue + 1, long.MaxValue - 1);
    private static readonly IntRule StepRule = new(1, long.MaxValue);
    private static readonly IntRule TimesRule = new(2, 1 << 20);

    /// <summary>Reads the spec file.</summary>
    /// <param name="path">The spec file.</param>
    /// <param name="metrics">The metrics a spec may keep, in the order errors list them.</param>
    /// <exception cref="ConfigException">The file is missing, malformed or invalid.</exception>
    public static SweepSpec Load(string path, IReadOnlyList<SweepMetricName> metrics) => Parse(ReadText(path), path, metrics);

    /// <summary>The text of a spec file, which its fingerprint and its copy in the output folder are made from.</summary>
    /// <exception cref="ConfigException">The file is missing or cannot be read.</exception>
    public static string ReadText(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ConfigException(new ConfigError(path, 1, 1, Directory.Exists(path) ? "is a folder, not a file" : "file not found"));
        }

        try
        {
            return InputFile.ReadAllText(path, InputLimit.Yaml);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(new ConfigError(path, 1, 1, $"cannot read the file: {e.Message}"));
        }
    }

    /// <summary>Reads a spec from its text; <paramref name="path"/> names it in errors and anchors its relative paths.</summary>
    /// <param name="text">The spec as YAML.</param>
    /// <param name="path">The spec file as the user named it.</param>
    /// <param name="metrics">The metrics a spec may keep, in the order errors list them.</param>
    /// <exception cref="ConfigException">The text is malformed or invalid.</exception>
    public static SweepSpec Parse(string text, string path, IReadOnlyList<SweepMetricName> metrics)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(metrics);
        var errors = new ConfigErrors(path);
        SweepSpec? spec = null;
        try
        {
            if (DocParser.Parse(text, errors) is { } document)
            {
                spec = Read(document, path, errors, metrics);
            }
        }
        catch (Exception e) when (e is not ConfigException)
        {
            // A reader defect must still reach the user as a problem of the file, not a stack trace.
            throw new ConfigException(new ConfigError(path, 1, 1, $"could not be read: {e.GetType().Name}: {e.Message}"));
        }

        if (errors.Count > 0 || spec is null)
        {
            throw new ConfigException(errors.Count > 0 ? errors.Sorted() : [new ConfigError(path, 1, 1, "could not be read")]);
        }

        return spec;
    }

    private static SweepSpec? Read(DocNode document, string path, ConfigErrors errors, IReadOnlyList<SweepMetricName> catalogue)
    {
        if (MapReader.Root(document, Schema, errors) is not { } root)
        {
            return null;
        }

        root.CheckVersion();
        string? name = root.Text("name");
        string? config = root.Text("config");
        ImmutableArray<SweepWorkload>? workloads = ReadWorkloads(root);
        bool? numerics = root.Boolean("numerics", required: true);
        string? inputs = root.Text("inputs", required: false);
        if (inputs is not null && numerics == false)
        {
            errors.Add(root.Entry("inputs")!.Key, "inputs are run through the BFP datapath; set numerics: true or remove them");
        }

        var axes = new List<SweepAxis>();
        ImmutableArray<SweepFactor>? factors = ReadAxes(root, axes);
        ImmutableArray<ConstraintExpression> constraints = ReadConstraints(root);
        ImmutableArray<string>? metrics = ReadMetrics(root, numerics, catalogue);
        ImmutableArray<SweepObjective> objectives = metrics is { } kept ? ReadObjectives(root, kept) : [];

        if (errors.Count == 0 && factors is { } f && workloads is { } w)
        {
            long points = f.Aggregate((long)w.Length, (n, factor) => SaturatingMultiply(n, factor.Rows.Length));
            if (points > MaxPoints)
            {
                errors.Add(root.Entry("axes")!.Key, $"the sweep has {points:N0} points, more than the {MaxPoints:N0} allowed; split it into several specs");
            }
        }

        if (errors.Count > 0 || name is null || config is null || workloads is null || numerics is null || factors is null || metrics is null)
        {
            return null;
        }

        return new SweepSpec
        {
            Name = name,
            SpecPath = path,
            ConfigPath = config,
            Workloads = workloads.Value,
            Numerics = numerics.Value,
            Inputs = inputs,
            Axes = [.. axes],
            Factors = factors.Value,
            Constraints = constraints,
            Metrics = metrics.Value,
            Objectives = objectives,
        };
    }

    private static ImmutableArray<SweepWorkload>? ReadWorkloads(MapReader root)
    {
        const string Description = "a non-empty list of workload files (paths relative to this file)";
        if (root.Sequence("workloads", Description) is not { } list)
        {
            return null;
        }

        if (list.Items.Count == 0)
        {
            root.Errors.Add(list, $"workloads must be {Description}, was an empty list");
            return null;
        }

        var workloads = ImmutableArray.CreateBuilder<SweepWorkload>();
        var labels = new Dictionary<string, DocNode>(StringComparer.Ordinal);
        foreach (DocNode item in list.Items)
        {
            if (Values.Text(item, "a workload", root.Errors) is not { } file)
            {
                continue;
            }

            string label = Path.GetFileNameWithoutExtension(file);
            if (labels.TryGetValue(label, out DocNode? first))
            {
                root.Errors.Add(item, $"workload '{file}' has the same file name as the one at line {first.Line}; workloads are told apart by file name");
                continue;
            }

            labels.Add(label, item);
            workloads.Add(new SweepWorkload(label, file));
        }

        return workloads.ToImmutable();
    }

    private static ImmutableArray<SweepFactor>? ReadAxes(MapReader root, List<SweepAxis> axes)
    {
        const string Description = "a non-empty list of grid, zip and random blocks";
        if (root.Sequence("axes", Description) is not { } list)
        {
            return null;
        }

        if (list.Items.Count == 0)
        {
            root.Errors.Add(list, $"axes must be {Description}, was an empty list");
            return null;
        }

        int errorsBefore = root.Errors.Count;
        var factors = ImmutableArray.CreateBuilder<SweepFactor>();
        for (int i = 0; i < list.Items.Count; i++)
        {
            if (MapReader.Open(list.Items[i], $"axes.{i}", "a mapping with one key: grid, zip or random", root.Errors) is not { } item)
            {
                continue;
            }

            item.CheckKeys(AxisItemSchema);
            if (item.Map.Entries.Count != 1)
            {
                root.Errors.Add(item.Map, $"axes.{i} must have exactly one key, grid, zip or random; it has {item.Map.Entries.Count}");
                continue;
            }

            DocEntry entry = item.Map.Entries[0];
            switch (entry.Key.Value)
            {
                case "grid":
                    foreach ((SweepAxis axis, ImmutableArray<AxisValue> values) in ReadKeyValues(item, "grid", axes))
                    {
                        factors.Add(new SweepFactor(FactorKind.Grid, [axes.IndexOf(axis)], [.. values.Select(v => ImmutableArray.Create(v))]));
                    }

                    break;
                case "zip":
                    if (ReadZip(item, axes) is { } zip)
                    {
                        factors.Add(zip);
                    }

                    break;
                case "random":
                    if (ReadRandom(item, axes) is { } random)
                    {
                        factors.Add(random);
                    }

                    break;
            }
        }

        return root.Errors.Count > errorsBefore ? null : factors.ToImmutable();
    }

    private static SweepFactor? ReadZip(MapReader item, List<SweepAxis> axes)
    {
        var columns = ReadKeyValues(item, "zip", axes);
        if (columns.Count == 0)
        {
            return null;
        }

        int length = columns[0].Values.Length;
        foreach ((SweepAxis axis, ImmutableArray<AxisValue> values) in columns.Skip(1))
        {
            if (values.Length != length)
            {
                item.Errors.Add(axis.Line, axis.Column,
                    $"zip lists must have equal lengths: {axis.Key} has {values.Length} values, {columns[0].Axis.Key} has {length}");
                return null;
            }
        }

        var rows = Enumerable.Range(0, length).Select(r => columns.Select(c => c.Values[r]).ToImmutableArray()).ToList();
        if (FirstRepeat(rows) is { } repeat)
        {
            item.Errors.Add(columns[0].Axis.Line, columns[0].Axis.Column,
                $"zip rows {repeat.First + 1} and {repeat.Second + 1} are the same ({SweepFactor.RowLabel(rows[repeat.Second])}); every point must differ");
            return null;
        }

        return new SweepFactor(FactorKind.Zip, [.. columns.Select(c => axes.IndexOf(c.Axis))], [.. rows]);
    }

    private static SweepFactor? ReadRandom(MapReader item, List<SweepAxis> axes)
    {
        if (item.Mapping("random", RandomSchema) is not { } random)
        {
            return null;
        }

        int? samples = random.Int32("samples", SamplesRule);
        ulong? seed = random.Unsigned("seed");
        var columns = ReadKeyValues(random, "keys", axes);
        if (samples is null || seed is null || columns.Count == 0)
        {
            return null;
        }

        long space = columns.Aggregate(1L, (n, c) => SaturatingMultiply(n, c.Values.Length));
        if (samples.Value > space)
        {
            DocNode at = random.Entry("samples")!.Value;
            item.Errors.Add(at, $"random.samples is {samples} but the keys have only {space} distinct combinations; draw at most {space}");
            return null;
        }

        // Distinct combinations in draw order; a repeated draw is redrawn. Terminates because samples <= space.
        var rng = new SplitMixRandom(seed.Value);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rows = new List<ImmutableArray<AxisValue>>();
        while (rows.Count < samples.Value)
        {
            int[] picks = [.. columns.Select(c => rng.NextBelow(c.Values.Length))];
            if (seen.Add(string.Join(',', picks)))
            {
                rows.Add([.. columns.Select((c, k) => c.Values[picks[k]])]);
            }
        }

        return new SweepFactor(FactorKind.Random, [.. columns.Select(c => axes.IndexOf(c.Axis))], [.. rows]);
    }

    /// <summary>Reads <c>key: values</c> entries of the mapping under <paramref name="key"/>, registering each as an axis.</summary>
    private static List<(SweepAxis Axis, ImmutableArray<AxisValue> Values)> ReadKeyValues(MapReader parent, string key, List<SweepAxis> axes)
    {
        var result = new List<(SweepAxis, ImmutableArray<AxisValue>)>();
        DocNode? node = parent.Value(key, required: true, "a mapping of keys to lists of values");
        if (node is null)
        {
            return result;
        }

        if (node is not DocMapping map || map.Entries.Count == 0)
        {
            parent.Errors.Add(node, $"{parent.Full(key)} must be a non-empty mapping of keys to lists of values (or ranges), was {Scalars.Describe(node)}");
            return result;
        }

        foreach (DocEntry entry in map.Entries)
        {
            string axisKey = entry.Key.Value;
            if (SweepKeys.Classify(axisKey, out string problem) is not { } resolved)
            {
                parent.Errors.Add(entry.Key, problem);
                continue;
            }

            var axis = new SweepAxis(axisKey, resolved.Target, resolved.Path, entry.Key.Line, entry.Key.Column);
            if (axes.Find(a => a.Target == axis.Target && a.Path == axis.Path) is { } earlier)
            {
                parent.Errors.Add(entry.Key, $"'{axisKey}' is already varied at line {earlier.Line}; a key may be varied by one axis only");
                continue;
            }

            if (ReadValues(entry, parent.Errors) is { } values)
            {
                axes.Add(axis);
                result.Add((axis, values));
            }
        }

        return result;
    }

    /// <summary>Reads an axis's values: a list of YAML values, or an integer range <c>{from, to, step}</c> / <c>{from, to, times}</c>.</summary>
    private static ImmutableArray<AxisValue>? ReadValues(DocEntry entry, ConfigErrors errors)
    {
        string key = entry.Key.Value;
        List<AxisValue> values;
        switch (entry.Value)
        {
            case DocSequence { Items.Count: > 0 } list:
                values = [.. list.Items.Select(ToValue)];
                for (int i = 0; i < values.Count; i++)
                {
                    int first = values.FindIndex(v => v.Yaml == values[i].Yaml);
                    if (first < i)
                    {
                        errors.Add(list.Items[i], $"{key}: the value {values[i].Display} is listed twice (items {first + 1} and {i + 1}); every point must differ");
                        return null;
                    }
                }

                break;
            case DocMapping map:
                if (ReadRange(key, map, entry.Key, errors) is not { } range)
                {
                    return null;
                }

                values = range;
                break;
            default:
                errors.Add(entry.Value, $"{key} must be a non-empty list of values or a range {{from, to, step}} or {{from, to, times}}, was {Scalars.Describe(entry.Value)}");
                return null;
        }

        if (values.Count > MaxValuesPerAxis)
        {
            errors.Add(entry.Value, $"{key} has {values.Count:N0} values, more than the {MaxValuesPerAxis:N0} allowed per axis");
            return null;
        }

        return [.. values];
    }

    private static List<AxisValue>? ReadRange(string key, DocMapping map, DocScalar anchor, ConfigErrors errors)
    {
        var range = MapReader.Open(map, key, "a range", errors, anchor)!;
        range.CheckKeys(RangeSchema, $"in the range of {key}");
        int errorsBefore = errors.Count;
        long? from = range.Integer("from", RangeBoundRule);
        long? to = range.Integer("to", RangeBoundRule);
        bool hasStep = range.Has("step");
        bool hasTimes = range.Has("times");
        long? step = hasStep ? range.Integer("step", StepRule) : null;
        long? times = hasTimes ? range.Integer("times", TimesRule) : null;
        if (hasStep && hasTimes)
        {
            errors.Add(map, $"the range of {key} has both step and times; give one (step adds, times multiplies)");
        }

        if (errors.Count > errorsBefore || from is not { } start || to is not { } end)
        {
            return null;
        }

        if (start > end)
        {
            errors.Add(map, $"the range of {key} runs from {start} to {end}; from must not exceed to");
            return null;
        }

        if (times is { } multiplier && start < 1)
        {
            errors.Add(map, $"the range of {key} multiplies by {multiplier} from {start}; a multiplying range starts at 1 or more");
            return null;
        }

        // Int128 keeps the last step from overflowing past a bound near the ends of the long range.
        var values = new List<AxisValue>();
        for (Int128 v = start; v <= end && values.Count <= MaxValuesPerAxis; v = times is { } factor ? v * factor : v + (step ?? 1))
        {
            string text = ((long)v).ToString(CultureInfo.InvariantCulture);
            values.Add(new AxisValue(text, text));
        }

        return values;
    }

    /// <summary>The YAML text and display text of a value node; collections are written in flow style.</summary>
    internal static AxisValue ToValue(DocNode node)
    {
        switch (node)
        {
            case DocScalar { IsPlain: true } plain:
                string text = plain.Value.Length == 0 ? "~" : plain.Value;
                return new AxisValue(text, text);
            case DocScalar quoted:
                return new AxisValue(Quote(quoted.Value), quoted.Value);
            case DocSequence sequence:
                var items = sequence.Items.Select(ToValue).ToList();
                return new AxisValue($"[{string.Join(", ", items.Select(i => i.Yaml))}]", $"[{string.Join(", ", items.Select(i => i.Display))}]");
            case DocMapping mapping:
                var entries = mapping.Entries.Select(e => (Key: e.Key.Value, Value: ToValue(e.Value))).ToList();
                return new AxisValue(
                    $"{{{string.Join(", ", entries.Select(e => $"{e.Key}: {e.Value.Yaml}"))}}}",
                    $"{{{string.Join(", ", entries.Select(e => $"{e.Key}: {e.Value.Display}"))}}}");
            default:
                throw new InvalidOperationException($"Unknown node type {node.GetType().Name}.");
        }
    }

    private static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    private static ImmutableArray<ConstraintExpression> ReadConstraints(MapReader root)
    {
        const string Description = "a list of comparisons such as \"buffers.ifmap.capacity_bytes + buffers.weights.capacity_bytes <= 1048576\"";
        if (root.Sequence("constraints", Description, required: false) is not { } list)
        {
            return [];
        }

        var constraints = ImmutableArray.CreateBuilder<ConstraintExpression>();
        foreach (DocNode item in list.Items)
        {
            if (Values.Text(item, "a constraint", root.Errors) is not { } text)
            {
                continue;
            }

            if (ConstraintExpression.Parse(text, out int offset, out string problem) is { } constraint)
            {
                constraints.Add(constraint);
            }
            else
            {
                // Point at the character: the scalar's start, past an opening quote.
                int quote = item is DocScalar { IsPlain: false } ? 1 : 0;
                root.Errors.Add(item.Line, item.Column + quote + offset, $"constraint \"{text}\": {problem}");
            }
        }

        return constraints.ToImmutable();
    }

    private static ImmutableArray<string>? ReadMetrics(MapReader root, bool? numerics, IReadOnlyList<SweepMetricName> catalogue)
    {
        string allowed = string.Join(", ", catalogue.Select(m => m.Name));
        string description = $"a non-empty list of metric names: {allowed}";
        if (root.Sequence("metrics", description) is not { } list)
        {
            return null;
        }

        if (list.Items.Count == 0)
        {
            root.Errors.Add(list, $"metrics must be {description}, was an empty list");
            return null;
        }

        int errorsBefore = root.Errors.Count;
        var metrics = ImmutableArray.CreateBuilder<string>();
        foreach (DocNode item in list.Items)
        {
            if (Values.Text(item, "a metric", root.Errors) is not { } name)
            {
                continue;
            }

            if (catalogue.FirstOrDefault(m => m.Name == name) is not { } metric)
            {
                root.Errors.Add(item, $"unknown metric '{name}'; allowed: {allowed}");
            }
            else if (metrics.Contains(name))
            {
                root.Errors.Add(item, $"metric '{name}' is listed twice");
            }
            else if (metric.NeedsNumerics && numerics == false)
            {
                root.Errors.Add(item, $"metric '{name}' needs the BFP datapath; set numerics: true or remove it");
            }
            else
            {
                metrics.Add(name);
            }
        }

        return root.Errors.Count > errorsBefore ? null : metrics.ToImmutable();
    }

    private static ImmutableArray<SweepObjective> ReadObjectives(MapReader root, ImmutableArray<string> metrics)
    {
        const string Description = "a mapping of metric names to minimize or maximize";
        DocNode? node = root.Value("objectives", required: false, Description);
        if (node is null)
        {
            return [];
        }

        if (node is not DocMapping map || map.Entries.Count == 0)
        {
            root.Errors.Add(node, $"objectives must be {Description}, was {Scalars.Describe(node)}");
            return [];
        }

        var objectives = ImmutableArray.CreateBuilder<SweepObjective>();
        var reader = MapReader.Open(map, "objectives", Description, root.Errors, root.Entry("objectives")!.Key)!;
        foreach (DocEntry entry in reader.Map.Entries)
        {
            string metric = entry.Key.Value;
            if (!metrics.Contains(metric))
            {
                root.Errors.Add(entry.Key, $"objective '{metric}' is not among the metrics kept ({string.Join(", ", metrics)}); add it to metrics");
                continue;
            }

            if (Values.Choice(entry.Value, $"objectives.{metric}", Goals, root.Errors) is { } goal
                && objectives.All(o => o.Metric != metric))
            {
                objectives.Add(new SweepObjective(metric, goal));
            }
        }

        return objectives.ToImmutable();
    }

    private static (int First, int Second)? FirstRepeat(List<ImmutableArray<AxisValue>> rows)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < rows.Count; i++)
        {
            string key = string.Join('\u0001', rows[i].Select(v => v.Yaml));
            if (!seen.TryAdd(key, i))
            {
                return (seen[key], i);
            }
        }

        return null;
    }

    private static long SaturatingMultiply(long a, long b) => a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;
}
