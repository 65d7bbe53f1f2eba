using AccelSim.Configuration.Yaml;

namespace AccelSim.Configuration;

/// <summary>
/// Tells which file a sweep key belongs to, by its first segment: keys of the accelerator config format go to the
/// config, keys of the workload format to every workload. A key both formats know (<c>name</c>, <c>version</c>) needs a
/// <c>config.</c> or <c>workload.</c> prefix, which any key may carry.
/// </summary>
internal static class SweepKeys
{
    public const string ConfigPrefix = "config.";
    public const string WorkloadPrefix = "workload.";

    /// <summary>Classifies <paramref name="key"/>; returns null and sets <paramref name="problem"/> when it cannot.</summary>
    public static (KeyTarget Target, string Path)? Classify(string key, out string problem)
    {
        problem = "";
        if (key.Split('.').Any(s => s.Length == 0))
        {
            problem = $"key '{key}' has an empty segment; write a dotted path such as pe_array.rows or layers.conv1.filters";
            return null;
        }

        if (key.StartsWith(ConfigPrefix, StringComparison.Ordinal))
        {
            return Known(key, KeyTarget.Config, key[ConfigPrefix.Length..], out problem);
        }

        if (key.StartsWith(WorkloadPrefix, StringComparison.Ordinal))
        {
            return Known(key, KeyTarget.Workload, key[WorkloadPrefix.Length..], out problem);
        }

        string first = key.Split('.')[0];
        bool inConfig = AcceleratorReader.Schema.Find(first) is not null;
        bool inWorkload = WorkloadReader.Schema.Find(first) is not null;
        if (inConfig && inWorkload)
        {
            problem = $"key '{key}' exists in both the config and the workload format; write {ConfigPrefix}{key} or {WorkloadPrefix}{key}";
            return null;
        }

        if (inConfig || inWorkload)
        {
            return Checked(key, inConfig ? KeyTarget.Config : KeyTarget.Workload, key, out problem);
        }

        problem = $"unknown key '{key}'; a key starts with a config key ({AcceleratorReader.Schema.AllowedList}) " +
            $"or a workload key ({WorkloadReader.Schema.AllowedList})";
        return null;
    }

    /// <summary>
    /// Checks a key path against the file format, descending into mappings and, past a list of mappings, trying each
    /// way of splitting off the item's name (names may hold dots); whether a named item exists is only known from the
    /// file. Returns null when the path is allowed, else what is allowed where it goes wrong.
    /// </summary>
    public static string? CheckPath(KeyTarget target, string path) => Check(SchemaOf(target), path.Split('.'), 0, "");

    private static string? Check(MapSchema schema, string[] segments, int at, string here)
    {
        if (at >= segments.Length)
        {
            return $"{here} holds keys; name one of {schema.AllowedList}";
        }

        if (schema.Find(segments[at]) is not { } spec)
        {
            return $"no key '{segments[at]}' {(here.Length == 0 ? "at the top level" : $"under {here}")}; allowed: {schema.AllowedList}";
        }

        string next = here.Length == 0 ? segments[at] : $"{here}.{segments[at]}";
        if (at == segments.Length - 1)
        {
            return null;
        }

        if (spec.Map is { } map)
        {
            return Check(map, segments, at + 1, next);
        }

        if (spec.Items is { } items)
        {
            string? problem = $"{next} is a list: write {next}.<name or index>.<key> with a key of {items.AllowedList}";
            for (int nameEnd = at + 2; nameEnd < segments.Length; nameEnd++)
            {
                problem = Check(items, segments, nameEnd, $"{next}.{string.Join('.', segments[(at + 1)..nameEnd])}");
                if (problem is null)
                {
                    return null;
                }
            }

            return problem;
        }

        return $"{next} takes a value, not keys";
    }

    private static (KeyTarget, string)? Checked(string key, KeyTarget target, string path, out string problem)
    {
        string? wrong = CheckPath(target, path);
        problem = wrong is null ? "" : $"unknown key '{key}': {wrong}";
        return wrong is null ? (target, path) : null;
    }

    public static MapSchema SchemaOf(KeyTarget target) => target == KeyTarget.Config ? AcceleratorReader.Schema : WorkloadReader.Schema;

    private static (KeyTarget, string)? Known(string key, KeyTarget target, string path, out string problem)
    {
        problem = "";
        MapSchema schema = SchemaOf(target);
        if (path.Length > 0 && schema.Find(path.Split('.')[0]) is not null)
        {
            return Checked(key, target, path, out problem);
        }

        problem = $"unknown key '{key}'; after '{(target == KeyTarget.Config ? ConfigPrefix : WorkloadPrefix)}' comes one of {schema.AllowedList}";
        return null;
    }
}
