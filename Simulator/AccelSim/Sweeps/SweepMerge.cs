using System.Collections.Immutable;
using AccelSim.Configuration;
using AccelSim.Files;
using AccelSim.Reports;
using Serilog;

namespace AccelSim.Sweeps;

/// <summary>
/// Joins the output folders of a sweep's shards into one folder, as if the sweep had run unsharded: the same
/// <c>results.csv</c>, <c>layers.csv</c> and plots, byte for byte (the Pareto front is recomputed over all points).
/// </summary>
public static class SweepMerge
{
    /// <summary>Merges <paramref name="folders"/> into <paramref name="outputFolder"/>, which must not hold a sweep yet.</summary>
    /// <exception cref="SweepOutputException">A folder is not a sweep's output, the folders hold different sweeps, or a point
    /// appears in two of them (a duplicate when the results agree, a conflict when they differ).</exception>
    public static SweepOutcome Merge(IReadOnlyList<string> folders, string outputFolder, bool plots, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(folders);
        ArgumentNullException.ThrowIfNull(log);
        if (folders.Count == 0)
        {
            throw new SweepOutputException("give at least one folder to merge");
        }

        if (folders.GroupBy(FullPath).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            throw new SweepOutputException($"{repeated.First()} is given twice; give each shard's folder once");
        }

        if (folders.Any(f => FullPath(f) == FullPath(outputFolder)))
        {
            throw new SweepOutputException($"{outputFolder} is also an input; merge into a new folder");
        }

        var inputs = folders.Select(Open).ToList();
        (string firstFolder, string specText, JournalContents firstContents) = inputs[0];
        foreach ((string folder, string text, JournalContents contents) in inputs.Skip(1))
        {
            if (text != specText || contents.Header!.Fingerprint != firstContents.Header!.Fingerprint)
            {
                throw new SweepOutputException($"{folder} holds a different sweep than {firstFolder} (their specs or inputs differ); only shards of one sweep can be merged");
            }
        }

        SweepSpec spec = SweepSpecReader.Parse(specText, Path.Combine(firstFolder, SweepRunner.SpecCopyName), SweepMetric.Names);
        ImmutableArray<SweepPoint> points = SweepPlan.Expand(spec);
        var records = new Dictionary<int, (PointRecord Record, string Folder)>();
        foreach ((string folder, _, JournalContents contents) in inputs)
        {
            if (contents.Header!.Points != points.Length)
            {
                throw new SweepOutputException($"{folder}: its journal counts {contents.Header.Points} points, the spec {points.Length}; the folder is damaged");
            }

            foreach (PointRecord record in contents.Records.Values.OrderBy(r => r.Index))
            {
                if (record.Index >= points.Length || points[record.Index].Id != record.Id)
                {
                    throw new SweepOutputException($"{folder}: point {record.Index} (id {record.Id}) is not a point of this sweep; the folder is damaged");
                }

                if (records.TryGetValue(record.Index, out var earlier))
                {
                    throw new SweepOutputException(earlier.Record.SameAs(record)
                        ? $"point {record.Index} (id {record.Id}) is in both {earlier.Folder} and {folder}; each point must come from one shard"
                        : $"point {record.Index} (id {record.Id}) has conflicting results in {earlier.Folder} and {folder}");
                }

                records.Add(record.Index, (record, folder));
            }
        }

        using FileStream folderLock = SweepRunner.LockFolder(outputFolder);
        string journalPath = Path.Combine(outputFolder, SweepJournal.FileName);
        if (File.Exists(journalPath) && new FileInfo(journalPath).Length > 0)
        {
            throw new SweepOutputException($"{outputFolder} already holds a sweep; merge into an empty folder");
        }

        var merged = records.ToImmutableDictionary(p => p.Key, p => p.Value.Record);
        AtomicFile.Write(Path.Combine(outputFolder, SweepRunner.SpecCopyName), w => w.Write(specText));
        SweepJournal.WriteAll(journalPath, new JournalHeader(firstContents.Header!.Fingerprint, points.Length, Shard.All), merged.Values);
        bool perLayer = merged.Values.Any(r => r.Layers is not null);
        if (perLayer && merged.Values.Any(r => r.Status == PointStatus.Ok && r.Layers is null))
        {
            log.Warning("Some shards kept per-layer rows and some did not: layers.csv lacks the points of the others");
        }

        SweepRunner.WriteTables(outputFolder, spec, points, merged, perLayer);
        var outcome = new SweepOutcome(spec, points, merged, 0, points.Length, ParetoFront.Of(spec, points, merged));
        log.Information("Merged {Folders} folders: {Present} of {Points} points", folders.Count, merged.Count, points.Length);
        if (!outcome.Complete)
        {
            log.Warning("{Missing} points are missing: merge every shard, or rerun the missing shards first", points.Length - merged.Count);
        }

        if (plots)
        {
            SweepRunner.RenderPlots(outputFolder, outcome, log);
        }

        return outcome;
    }

    private static string FullPath(string folder) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));

    private static (string Folder, string SpecText, JournalContents Contents) Open(string folder)
    {
        string specPath = Path.Combine(folder, SweepRunner.SpecCopyName);
        string journalPath = Path.Combine(folder, SweepJournal.FileName);
        if (!File.Exists(specPath) || !File.Exists(journalPath))
        {
            throw new SweepOutputException($"{folder} is not the output folder of a sweep (it lacks {SweepRunner.SpecCopyName} or {SweepJournal.FileName})");
        }

        JournalContents contents = SweepRunner.ReadJournal(journalPath);
        if (contents.Header is null)
        {
            throw new SweepOutputException($"{folder}: its journal is empty; the sweep never started there");
        }

        return (folder, File.ReadAllText(specPath), contents);
    }
}
