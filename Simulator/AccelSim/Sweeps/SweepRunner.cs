using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using AccelSim.Configuration;
using AccelSim.Files;
using AccelSim.Reports;
using Serilog;

namespace AccelSim.Sweeps;

/// <summary>How to run a sweep; none of it changes the results.</summary>
public sealed record SweepRunOptions
{
    /// <summary>Points evaluated at once (each on one thread).</summary>
    public required int Jobs { get; init; }

    /// <summary>The part of the sweep to run.</summary>
    public required Shard Shard { get; init; }

    /// <summary>Keep one row per layer (<c>layers.csv</c>).</summary>
    public required bool PerLayer { get; init; }

    /// <summary>Render the plots when the sweep (or shard) is complete.</summary>
    public required bool Plots { get; init; }

    /// <summary>The points, by index, that get an HTML report in <c>reports/point-N/</c>; null: every point; empty: none.</summary>
    public ImmutableSortedSet<int>? ReportPoints { get; init; } = [];

    /// <summary>The command that ran the sweep, shown in each report.</summary>
    public string Command { get; init; } = "accelsim sweep";

    /// <summary>How often the CSV files are rewritten while points finish.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>Where a sweep stands: points of this run's shard finished so far (resumed ones included).</summary>
public sealed record SweepProgress(int Done, int Total, int NotOk, int Resumed);

/// <summary>The outcome of running (or merging) a sweep.</summary>
/// <param name="Records">Every finished point of the shard, by index.</param>
/// <param name="Ran">Points evaluated by this run (the rest were already in the journal).</param>
/// <param name="Expected">Points of the shard.</param>
/// <param name="Front">Indexes of the points on the Pareto front (empty without objectives).</param>
public sealed record SweepOutcome(
    SweepSpec Spec,
    ImmutableArray<SweepPoint> Points,
    ImmutableDictionary<int, PointRecord> Records,
    int Ran,
    int Expected,
    ImmutableHashSet<int> Front)
{
    public bool Complete => Records.Count == Expected;

    public int Count(PointStatus status) => Records.Values.Count(r => r.Status == status);
}

/// <summary>A problem with the output folder (another sweep's results, a folder in use); the message says what to do.</summary>
public sealed class SweepOutputException(string message) : Exception(message);

/// <summary>
/// Runs a sweep into an output folder: <c>spec.yaml</c> (a copy of the spec), <c>journal.jsonl</c> (the finished points),
/// <c>results.csv</c>, <c>layers.csv</c> with per-layer rows, and <c>plots/</c>. Rerunning into the same folder skips
/// the points the journal holds, so an interrupted sweep resumes where it stopped.
/// </summary>
/// <remarks>
/// Points run in parallel and are recorded as they finish; the CSV files are rewritten atomically (a temporary file
/// renamed over the old one) at checkpoints and at the end, always from the records in point order. So results are
/// byte-identical whatever the number of jobs, the order points finished in, or how often the sweep was interrupted.
/// </remarks>
public static class SweepRunner
{
    public const string SpecCopyName = "spec.yaml";
    public const string ResultsName = "results.csv";
    public const string LayersName = "layers.csv";
    public const string PlotsFolder = "plots";
    public const string ReportsFolder = "reports";
    private const string LockName = ".lock";

    /// <summary>Runs the points of the spec's shard that the folder does not hold yet.</summary>
    /// <exception cref="Configuration.ConfigException">The spec or a file it names is missing or invalid.</exception>
    /// <exception cref="SweepOutputException">The folder holds another sweep or shard, or is in use.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; what finished is recorded and written.</exception>
    public static SweepOutcome Run(
        string specPath, string outputFolder, SweepRunOptions options, Action<SweepProgress>? progress, ILogger log, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(specPath);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Jobs, 1);
        string specText = SweepSpecReader.ReadText(specPath);
        SweepSpec spec = SweepSpecReader.Parse(specText, specPath, SweepMetric.Names);
        SweepSession session = SweepSession.Open(spec, specText);
        ImmutableArray<SweepPoint> points = SweepPlan.Expand(spec);
        var shardPoints = points.Where(options.Shard.Contains).ToList();
        if (options.ReportPoints?.FirstOrDefault(i => i < 0 || i >= points.Length, -1) is { } missing and not -1)
        {
            throw new SweepOutputException($"--reports: the sweep has no point {missing}; its points are 0 to {points.Length - 1} (the 'point' column of {ResultsName})");
        }

        string? ReportFolder(SweepPoint point) => options.ReportPoints is null || options.ReportPoints.Contains(point.Index)
            ? Path.Combine(outputFolder, ReportsFolder, $"point-{point.Index}")
            : null;

        using FileStream folderLock = LockFolder(outputFolder);
        string journalPath = Path.Combine(outputFolder, SweepJournal.FileName);
        JournalContents contents = ReadJournal(journalPath);
        var header = new JournalHeader(session.Fingerprint, points.Length, options.Shard);
        CheckBelongs(outputFolder, contents, header, points);
        AtomicFile.Write(Path.Combine(outputFolder, SpecCopyName), w => w.Write(specText));

        var records = new ConcurrentDictionary<int, PointRecord>(contents.Records);
        var pending = shardPoints.Where(p => !records.TryGetValue(p.Index, out PointRecord? r)
            || (options.PerLayer && r.Status == PointStatus.Ok && r.Layers is null)
            || (r.Status == PointStatus.Ok && ReportFolder(p) is { } report && !File.Exists(Path.Combine(report, HtmlReport.PageName)))).ToList();
        int resumed = shardPoints.Count - pending.Count;
        log.Information("Sweep {Name}: {Points} points{Shard}, {Pending} to run, {Resumed} already done; {Jobs} jobs",
            spec.Name, shardPoints.Count, options.Shard.Count > 1 ? $" in shard {options.Shard}" : "", pending.Count, resumed, options.Jobs);
        if (contents.DamagedLines > 0)
        {
            log.Warning("The journal had {Lines} damaged lines; their points run again", contents.DamagedLines);
        }

        var clock = Stopwatch.StartNew();
        var gate = new Lock();
        int done = resumed;
        int notOk = shardPoints.Count(p => records.TryGetValue(p.Index, out PointRecord? r) && r.Status != PointStatus.Ok);
        TimeSpan lastCheckpoint = TimeSpan.Zero;
        progress?.Invoke(new SweepProgress(done, shardPoints.Count, notOk, resumed));

        using (SweepJournal journal = SweepJournal.Open(journalPath, header, contents.ValidLength))
        {
            try
            {
                var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Jobs, CancellationToken = cancel };
                var source = Partitioner.Create(pending, EnumerablePartitionerOptions.NoBuffering);
                Parallel.ForEach(source, parallel, point =>
                {
                    PointRecord record = session.Evaluate(point, options.PerLayer, ReportFolder(point), options.Command);
                    lock (gate)
                    {
                        journal.Append(record);
                        records[record.Index] = record;
                        done++;
                        notOk += record.Status == PointStatus.Ok ? 0 : 1;
                        progress?.Invoke(new SweepProgress(done, shardPoints.Count, notOk, resumed));
                        if (clock.Elapsed - lastCheckpoint >= options.CheckpointInterval)
                        {
                            lastCheckpoint = clock.Elapsed;
                            journal.Flush(toDisk: true);
                            WriteTables(outputFolder, spec, points, records, options.PerLayer);
                        }
                    }
                });
            }
            finally
            {
                // Interrupted or not, the tables show every point recorded so far.
                journal.Flush(toDisk: true);
                WriteTables(outputFolder, spec, points, records, options.PerLayer);
            }
        }

        var outcome = new SweepOutcome(spec, [.. shardPoints], records.ToImmutableDictionary(), pending.Count, shardPoints.Count,
            ParetoFront.Of(spec, points, records));
        log.Information("Sweep {Name}: ran {Ran} points in {Seconds:F1} s; {Ok} ok, {Invalid} invalid, {Skipped} skipped, {Failed} failed",
            spec.Name, pending.Count, clock.Elapsed.TotalSeconds, outcome.Count(PointStatus.Ok), outcome.Count(PointStatus.Invalid),
            outcome.Count(PointStatus.Skipped), outcome.Count(PointStatus.Failed));
        if (options.Plots)
        {
            RenderPlots(outputFolder, outcome, log);
        }

        return outcome;
    }

    /// <summary>
    /// Validates every point of the shard and checks the constraints, running nothing and writing nothing: the records
    /// of the points that would not run (invalid or skipped), by index.
    /// </summary>
    /// <exception cref="Configuration.ConfigException">The spec or a file it names is missing or invalid.</exception>
    public static (SweepSpec Spec, int Points, ImmutableArray<PointRecord> NotRunnable) Check(string specPath, Shard shard, int jobs)
    {
        ArgumentNullException.ThrowIfNull(specPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(jobs, 1);
        string specText = SweepSpecReader.ReadText(specPath);
        SweepSpec spec = SweepSpecReader.Parse(specText, specPath, SweepMetric.Names);
        SweepSession session = SweepSession.Open(spec, specText);
        var points = SweepPlan.Expand(spec).Where(shard.Contains).ToList();
        var found = new ConcurrentBag<PointRecord>();
        Parallel.ForEach(points, new ParallelOptions { MaxDegreeOfParallelism = jobs }, point =>
        {
            if (session.Check(point) is { } record)
            {
                found.Add(record);
            }
        });
        return (spec, points.Count, [.. found.OrderBy(r => r.Index)]);
    }

    /// <summary>The run estimate of the shard's point that would need the most memory, so that a sweep predicted to
    /// exceed the machine can be refused before it starts; null when no point would run.</summary>
    /// <returns>The estimate, its point's id, whether the sweep runs numerics, and how many points would run.</returns>
    /// <exception cref="Configuration.ConfigException">The spec or a file it names is missing or invalid.</exception>
    public static SweepEstimate? Estimate(string specPath, Shard shard, int jobs)
    {
        ArgumentNullException.ThrowIfNull(specPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(jobs, 1);
        string specText = SweepSpecReader.ReadText(specPath);
        SweepSpec spec = SweepSpecReader.Parse(specText, specPath, SweepMetric.Names);
        SweepSession session = SweepSession.Open(spec, specText);
        var points = SweepPlan.Expand(spec).Where(shard.Contains).ToList();
        var found = new ConcurrentBag<(SweepPoint Point, Execution.RunEstimate Estimate)>();
        Parallel.ForEach(points, new ParallelOptions { MaxDegreeOfParallelism = jobs }, point =>
        {
            if (session.Estimate(point) is { } estimate)
            {
                found.Add((point, estimate));
            }
        });

        // The first point of the largest peak, whatever order the workers finished in.
        var largest = found.OrderByDescending(f => f.Estimate.PeakBytes(spec.Numerics)).ThenBy(f => f.Point.Index).FirstOrDefault();
        return found.IsEmpty ? null : new SweepEstimate(largest.Estimate, largest.Point.Id, spec.Numerics, found.Count);
    }

    /// <summary>Rewrites <c>results.csv</c> (and <c>layers.csv</c> when per-layer rows are kept) atomically.</summary>
    internal static void WriteTables(string folder, SweepSpec spec, ImmutableArray<SweepPoint> points, IReadOnlyDictionary<int, PointRecord> records, bool perLayer)
    {
        AtomicFile.Write(Path.Combine(folder, ResultsName), w => SweepTables.WriteResults(spec, points, records, w));
        if (perLayer)
        {
            AtomicFile.Write(Path.Combine(folder, LayersName), w => SweepTables.WriteLayers(spec, points, records, w));
        }
    }

    /// <summary>Plots only describe the data: a plotting failure is reported and the results stand.</summary>
    internal static void RenderPlots(string folder, SweepOutcome outcome, ILogger log)
    {
        try
        {
            int written = SweepPlots.Render(outcome, Path.Combine(folder, PlotsFolder));
            if (written > 0)
            {
                log.Information("Wrote {Count} plots (PNG and SVG) to {Folder}", written, Path.Combine(folder, PlotsFolder));
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.Warning("Plots were not written: {Message}", SweepSession.Describe(e));
        }
    }

    internal static FileStream LockFolder(string folder)
    {
        if (File.Exists(folder))
        {
            throw new SweepOutputException($"{folder} is a file; the output must be a folder (new, or one this sweep wrote before)");
        }

        try
        {
            Directory.CreateDirectory(folder);
            return new FileStream(Path.Combine(folder, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new SweepOutputException($"cannot use {folder}: {e.Message} (is another sweep writing to it?)");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SweepOutputException($"cannot use {folder}: {e.Message}");
        }
    }

    internal static JournalContents ReadJournal(string path)
    {
        try
        {
            return SweepJournal.Read(path);
        }
        catch (InvalidDataException e)
        {
            throw new SweepOutputException($"{path}: {e.Message}; use another output folder");
        }
    }

    private static void CheckBelongs(string folder, JournalContents contents, JournalHeader header, ImmutableArray<SweepPoint> points)
    {
        if (contents.Header is not { } found)
        {
            return;
        }

        if (found.Fingerprint != header.Fingerprint || found.Points != header.Points)
        {
            throw new SweepOutputException(
                $"{folder} holds results of a different sweep (the spec, its config, energy table or workloads changed since): " +
                "write to another folder, or delete this one to start over");
        }

        if (found.Shard != header.Shard)
        {
            throw new SweepOutputException($"{folder} holds shard {found.Shard} of this sweep, not {header.Shard}; give each shard its own folder");
        }

        foreach (PointRecord record in contents.Records.Values)
        {
            if (record.Index >= points.Length || points[record.Index].Id != record.Id)
            {
                throw new SweepOutputException($"{folder}: the journal's point {record.Index} (id {record.Id}) is not a point of this sweep; delete the folder to start over");
            }
        }
    }
}

/// <summary>What <see cref="SweepRunner.Estimate"/> found: the largest point's estimate and how many points would run.</summary>
/// <param name="Numerics">The sweep runs the numerics.</param>
/// <param name="Runnable">Points that would run (not invalid or skipped).</param>
public sealed record SweepEstimate(Execution.RunEstimate Largest, string PointId, bool Numerics, int Runnable);
