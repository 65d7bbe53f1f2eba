using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Files;
using AccelSim.Mapping;
using AccelSim.Reports;
using AccelSim.Workloads;

namespace AccelSim.Sweeps;

/// <summary>
/// The files of one sweep, parsed once, and the evaluation of its points. Each point copies the parsed trees, applies
/// its overrides and goes through the same validation as a file given to <c>accelsim run</c>; nothing is shared between
/// points but immutable inputs, so points may be evaluated on any number of threads.
/// </summary>
/// <remarks>
/// Messages recorded for a point name files as the spec writes them (relative to the spec), so results do not depend
/// on the working folder. Errors found when opening name files as they are found from the working folder.
/// </remarks>
public sealed class SweepSession
{
    private readonly ConfigDocument _config;
    private readonly ImmutableArray<ConfigDocument> _workloads;
    private readonly ImmutableArray<SweepMetric> _metrics;

    /// <summary>The energy tables the config names, read once for the whole sweep (most sweeps never change it).</summary>
    private readonly EnergyTableCache _energyTables;

    /// <summary>The mapping search's memo, shared by every point: points that share a layer's hardware (the mapper
    /// section aside) reuse its mapped space and simulated candidates. Its values depend only on their keys, so the
    /// points' results do not depend on which point ran first.</summary>
    private readonly SearchMemo _searchMemo = new();

    private SweepSession(SweepSpec spec, ConfigDocument config, ImmutableArray<ConfigDocument> workloads, string fingerprint)
    {
        Spec = spec;
        _config = config;
        _workloads = workloads;
        _metrics = [.. spec.Metrics.Select(name => SweepMetric.Find(name) ?? throw new ArgumentException($"The spec keeps an unknown metric '{name}'.", nameof(spec)))];
        _energyTables = new EnergyTableCache(Path.GetDirectoryName(spec.Resolve(spec.ConfigPath)) ?? "");
        Fingerprint = fingerprint;
    }

    public SweepSpec Spec { get; }

    /// <summary>
    /// 16 hex digits hashing the spec, the base config, its energy table and the workloads, byte for byte: a folder of
    /// results belongs to one fingerprint, so a changed input is never mixed with results of the old one.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>Reads the base config and workloads, checks that they validate and that every axis key exists in them.</summary>
    /// <exception cref="ConfigException">A file is missing or invalid, or an axis names a key the files do not have.</exception>
    public static SweepSession Open(SweepSpec spec, string specText)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(specText);
        var problems = new List<ConfigError>();
        var fingerprint = new StringBuilder();
        Append(fingerprint, specText);

        string configPath = spec.Resolve(spec.ConfigPath);
        ConfigDocument? config = ParseFile(ConfigKind.Accelerator, configPath, problems, fingerprint);
        if (config is not null && ReadEnergyTableText(config, configPath) is { } tableText)
        {
            Append(fingerprint, tableText);
        }

        var workloads = new List<ConfigDocument?>();
        foreach (SweepWorkload workload in spec.Workloads)
        {
            workloads.Add(ParseFile(ConfigKind.Workload, spec.Resolve(workload.Path), problems, fingerprint));
        }

        if (problems.Count > 0 || config is null || workloads.Any(w => w is null))
        {
            throw new ConfigException(problems);
        }

        var session = new SweepSession(spec, config, [.. workloads.Select(w => w!)],
            LayerSeeds.Fnv1a64(fingerprint.ToString()).ToString("x16", CultureInfo.InvariantCulture));
        session.CheckBaseFiles(problems);
        session.CheckAxisKeys(problems);
        if (problems.Count > 0)
        {
            throw new ConfigException(problems);
        }

        return session;
    }

    /// <summary>Evaluates one point: validate its files, check the constraints, run it, keep the metrics.</summary>
    /// <param name="point">A point of this session's spec.</param>
    /// <param name="perLayer">Also keep one row per layer.</param>
    /// <remarks>Never throws for a problem of the point: whatever goes wrong is recorded, so the other points go on.</remarks>
    public PointRecord Evaluate(SweepPoint point, bool perLayer, string? reportFolder = null, string command = "accelsim sweep")
    {
        ArgumentNullException.ThrowIfNull(point);
        try
        {
            return EvaluateOrThrow(point, perLayer, reportFolder, command);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Failed(point, Describe(e));
        }
    }

    /// <summary>
    /// Validates a point and checks the constraints without running it: null when it would run, else the record it
    /// would get (invalid or skipped). Never throws for a problem of the point.
    /// </summary>
    public PointRecord? Check(SweepPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        try
        {
            return Prepare(point) is { Record: { } record } ? record : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Failed(point, Describe(e));
        }
    }

    /// <summary>The run estimate of a point that would run; null when it would not (invalid, skipped, or failing).</summary>
    public RunEstimate? Estimate(SweepPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        try
        {
            return Prepare(point) is { Record: null, Config: { } config, Network: { } network } ? RunEstimate.Of(config.Hardware, network) : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    private PointRecord Failed(SweepPoint point, string message) => NotRun(point, PointStatus.Failed, message);

    private PointRecord NotRun(SweepPoint point, PointStatus status, string message) =>
        new(point.Index, point.Id, status, message, [.. Spec.Metrics.Select(_ => "")], null);

    private PointRecord EvaluateOrThrow(SweepPoint point, bool perLayer, string? reportFolder, string command)
    {
        (PointRecord? notRun, LoadedAccelerator? config, Network? network) = Prepare(point);
        if (notRun is not null)
        {
            return notRun;
        }

        if (Spec.Inputs is { } inputs)
        {
            return EvaluateOverInputs(point, config!, network!, inputs, perLayer);
        }

        // Points already run in parallel, so each runs on one thread; timing alone skips repeated layers.
        RunResult result = Spec.Numerics
            ? NetworkRunner.Run(config!.Hardware, config.Energy, network!, new RunOptions(Numerics: true, Threads: 1) { SearchMemo = _searchMemo })
            : TimingRunner.Run(config!.Hardware, config.Energy, network!, _searchMemo);

        if (reportFolder is not null)
        {
            WriteReport(reportFolder, point, result, config.Hardware, command);
        }

        ImmutableArray<string> metrics = [.. _metrics.Select(m => m.Read(result, config.Hardware))];
        return new PointRecord(point.Index, point.Id, PointStatus.Ok, "", metrics, perLayer ? SweepTables.LayerRows(result, Spec.Numerics) : null);
    }

    /// <summary>
    /// A point evaluated over the spec's input set: timing and energy of one inference (batch 1), and the numeric
    /// metrics over the set: <c>top1_agreement</c> the fraction of inputs whose top-1 agrees, <c>top5_overlap</c> the
    /// mean overlap, <c>energy_pj</c> the mean energy of an inference, <c>sqnr_db</c> the mean of the inputs' output SQNR and <c>nsr</c> the NSR of that mean; per layer, the
    /// mean of the inputs' SQNR.
    /// </summary>
    private PointRecord EvaluateOverInputs(SweepPoint point, LoadedAccelerator config, Network network, string inputs, bool perLayer)
    {
        var evaluation = new Evaluation(config.Hardware, config.Energy, network) { Threads = 1 };
        string resolved = inputs.StartsWith("synthetic:", StringComparison.Ordinal) ? inputs : Spec.Resolve(inputs);
        EvalSummary summary = evaluation.Run(EvalInputs.Find(resolved, evaluation.Network, null));
        RunResult result = NetworkRunner.Run(config.Hardware, config.Energy, evaluation.Network, new RunOptions(Numerics: false, Threads: 1) { SearchMemo = _searchMemo }) with
        {
            Agreement = new OutputAgreement(summary.Top1Agreement, summary.Top5Overlap, summary.Inputs),
        };
        double sqnr = summary.OutputSqnr.MeanDb;
        ImmutableArray<string> metrics = [.. _metrics.Select(m => m.Name switch
        {
            "sqnr_db" => SweepMetric.Format(sqnr),
            "nsr" => SweepMetric.Format(Math.Pow(10, -sqnr / 10)),
            "energy_pj" => SweepMetric.Format(summary.MeanEnergyPicoJoules),
            _ => m.Read(result, config.Hardware),
        })];
        return new PointRecord(point.Index, point.Id, PointStatus.Ok, "", metrics, perLayer
            ? [.. SweepTables.LayerRows(result, numerics: false).Select((row, i) => row.Add(SweepMetric.Format(summary.Layers[i].Sqnr.MeanDb)))]
            : null);
    }

    /// <summary>The point's HTML report: the sweep's command and the point's values as its command, the page written last.</summary>
    private void WriteReport(string folder, SweepPoint point, RunResult result, Hardware.AcceleratorConfig config, string command)
    {
        string values = string.Join(", ", point.Values.Select((v, i) => $"{Spec.Axes[i].Key}={v.Display}"));
        string described = $"{command} (point {point.Index}, {point.Id}: {values})";
        ReportContext context = ReportContexts.For(config, Spec.Workloads[point.WorkloadIndex].Path, described);
        Directory.CreateDirectory(folder);
        foreach (ReportFile file in HtmlReport.Render(result, context))
        {
            AtomicFile.WriteBytes(Path.Combine(folder, file.Name), file.Bytes.AsSpan());
        }
    }

    /// <summary>The point's validated files, or the record of why it does not run (invalid, or skipped by a constraint).</summary>
    private (PointRecord? Record, LoadedAccelerator? Config, Network? Network) Prepare(SweepPoint point)
    {
        var problems = new List<ConfigError>();
        LoadedAccelerator? config = _config.ReadAccelerator(point.Overrides(Spec, KeyTarget.Config), Spec.ConfigPath, _energyTables, problems, out ConfigValues configValues);
        Network? network = _workloads[point.WorkloadIndex].ReadWorkload(point.Overrides(Spec, KeyTarget.Workload), Spec.Workloads[point.WorkloadIndex].Path,
            Path.GetDirectoryName(Spec.Resolve(Spec.Workloads[point.WorkloadIndex].Path)) ?? "", problems, out ConfigValues workloadValues);
        if (problems.Count > 0 || config is null || network is null)
        {
            return (NotRun(point, PointStatus.Invalid, string.Join("; ", problems)), null, null);
        }

        foreach (ConstraintExpression constraint in Spec.Constraints)
        {
            bool? holds = constraint.Evaluate(
                key => (key.Target == KeyTarget.Config ? configValues : workloadValues).Number(key.Path), out string problem, out string detail);
            if (holds is null)
            {
                return (NotRun(point, PointStatus.Invalid, $"constraint \"{constraint.Text}\": {problem}"), null, null);
            }

            if (holds == false)
            {
                return (NotRun(point, PointStatus.Skipped, $"constraint \"{constraint.Text}\" does not hold ({detail})"), null, null);
            }
        }

        return (null, config, network);
    }

    /// <summary>A failure as recorded: the message of the exception (the inner one of a parallel run), with its type unless it is a known kind of bad input.</summary>
    internal static string Describe(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            e = aggregate.InnerExceptions[0];
        }

        return e is MappingException or CycleLimitException ? e.Message : $"{e.GetType().Name}: {e.Message}";
    }

    private void CheckBaseFiles(List<ConfigError> problems)
    {
        // The base files must be valid on their own; errors name them as found from the working folder.
        var found = new List<ConfigError>();
        _config.ReadAccelerator([], Spec.Resolve(Spec.ConfigPath), _energyTables, found, out _);
        for (int i = 0; i < _workloads.Length; i++)
        {
            _workloads[i].ReadWorkload([], Spec.Resolve(Spec.Workloads[i].Path), Path.GetDirectoryName(Spec.Resolve(Spec.Workloads[i].Path)) ?? "", found, out _);
        }

        problems.AddRange(found);
    }

    /// <summary>Applies each axis's first value to copies of the base files: a key that does not exist is an error of the spec.</summary>
    private void CheckAxisKeys(List<ConfigError> problems)
    {
        foreach (SweepFactor factor in Spec.Factors)
        {
            for (int k = 0; k < factor.AxisIndices.Length; k++)
            {
                SweepAxis axis = Spec.Axes[factor.AxisIndices[k]];
                var item = new ConfigOverride(axis.Path, factor.Rows[0][k].Yaml);
                List<(string File, ConfigDocument Document)> targets = axis.Target == KeyTarget.Config
                    ? [(Spec.ConfigPath, _config)]
                    : [.. Spec.Workloads.Select((w, i) => (w.Path, _workloads[i]))];
                foreach ((string file, ConfigDocument document) in targets)
                {
                    foreach (ConfigError error in document.CheckOverride(item, file))
                    {
                        problems.Add(new ConfigError(Spec.SpecPath, axis.Line, axis.Column, $"axis '{axis.Key}' does not fit {file}: {error.Message}"));
                    }
                }
            }
        }
    }

    private static ConfigDocument? ParseFile(ConfigKind kind, string path, List<ConfigError> problems, StringBuilder fingerprint)
    {
        string text;
        if (!File.Exists(path))
        {
            problems.Add(new ConfigError(path, 1, 1, Directory.Exists(path) ? "is a folder, not a file" : "file not found (paths in a sweep spec are relative to the spec's folder)"));
            return null;
        }

        try
        {
            text = InputFile.ReadAllText(path, InputLimit.Yaml);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new ConfigError(path, 1, 1, $"cannot read the file: {e.Message}"));
            return null;
        }

        Append(fingerprint, text);
        return ConfigDocument.Parse(kind, text, path, problems);
    }

    /// <summary>The text of the energy table the base config names, for the fingerprint; null when it cannot be read (validation reports why).</summary>
    private static string? ReadEnergyTableText(ConfigDocument config, string configPath)
    {
        if (config.EnergyTableName is { } table)
        {
            string path = Path.Combine(Path.GetDirectoryName(configPath) ?? "", table);
            try
            {
                return File.Exists(path) ? InputFile.ReadAllText(path, InputLimit.Yaml) : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Length-prefixed, so that moving text from one file to the next changes the hash.</summary>
    private static void Append(StringBuilder fingerprint, string text) =>
        fingerprint.Append(text.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(text);
}
