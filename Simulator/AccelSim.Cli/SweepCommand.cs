using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AccelSim.Configuration;
using AccelSim.Sweeps;
using Serilog;
using Spectre.Console;

namespace AccelSim.Cli;

/// <summary><c>accelsim sweep SPEC -o DIR</c> and <c>accelsim sweep merge DIR... -o OUT</c>.</summary>
internal static class SweepCommand
{
    /// <summary>Exit code of a sweep stopped by Ctrl+C (128 + SIGINT, as shells report it); rerunning resumes it.</summary>
    public const int Interrupted = 130;

    /// <summary>Rows of the Pareto table printed per workload; results.csv has them all.</summary>
    private const int MaxTableRows = 40;

    public static Command Build(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var spec = new Argument<string>("spec") { Description = "The sweep specification (YAML)." };
        var output = new Option<string?>("--output", "-o") { Description = "Output folder: results.csv, journal, plots. Rerun into it to resume (required unless --dry-run)." };
        var jobs = new Option<int>("--jobs", "-j")
        {
            Description = "Points run at once (results do not depend on it).",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var shard = new Option<string?>("--shard") { Description = "Run only shard i of N (points whose index modulo N is i), e.g. 0/4; merge the shards' folders afterwards." };
        var perLayer = new Option<bool>("--per-layer") { Description = "Also write layers.csv: one row per layer of every point." };
        var noPlots = new Option<bool>("--no-plots") { Description = "Do not render the PNG and SVG plots." };
        var noTable = new Option<bool>("--no-table") { Description = "Do not print the Pareto front to stdout." };
        var reports = new Option<string?>("--reports")
        {
            Description = "Also write an HTML report (as run --report) for every point ('all') or for the listed points, e.g. 0,5,12 (the 'point' column of results.csv), into reports/point-N/.",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate every point and check the constraints without running; exit 2 if a point is invalid." };
        var maxMemory = MemoryBudget.MaxMemoryOption();
        var force = MemoryBudget.ForceOption();

        var command = new Command("sweep", "Run a design-space sweep: every point of the spec in parallel, resumable, shardable; results.csv, Pareto front and plots.")
        {
            spec, output, jobs, shard, perLayer, noPlots, noTable, reports, dryRun, maxMemory, force,
            MergeCommand(stdout, stderr, verbose, quiet, noPlots, noTable),
        };
        // On a worker thread, so that Ctrl+C (or SIGTERM) reaches the handler as a cancellation while the sweep runs:
        // running points finish and are recorded, and the tables are written before the process ends.
        command.SetAction((parse, cancel) => Task.Run(() =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            return Guard(stderr, log, () =>
            {
                int jobCount = parse.GetValue(jobs);
                if (jobCount < 1)
                {
                    throw new UsageException($"--jobs must be at least 1, was {jobCount}");
                }

                Shard part = Shard.All;
                if (parse.GetValue(shard) is { } shardText)
                {
                    part = Shard.Parse(shardText)
                        ?? throw new UsageException($"--shard must be i/N with 0 <= i < N (e.g. 0/4 for the first of four), was '{shardText}'");
                }

                if (parse.GetValue(dryRun))
                {
                    return DryRun(Commands.ResolveDefault(parse.GetValue(spec)!), part, jobCount, stdout, log);
                }

                string folder = parse.GetValue(output) ?? throw new UsageException("sweep needs an output folder: --output DIR (-o DIR)");
                new OutputPaths().Folder("--output", folder).Check();
                long? limit = MemoryBudget.Read(parse, maxMemory);
                var options = new SweepRunOptions
                {
                    Jobs = jobCount, Shard = part, PerLayer = parse.GetValue(perLayer), Plots = !parse.GetValue(noPlots),
                    ReportPoints = ReportPoints(parse.GetValue(reports)), Command = RunReport.CommandLine(parse),
                };
                string specPath = Commands.ResolveDefault(parse.GetValue(spec)!);
                if (SweepRunner.Estimate(specPath, part, jobCount) is { } estimate)
                {
                    int atOnce = Math.Min(jobCount, estimate.Runnable);
                    MemoryBudget.Check(estimate.Largest, estimate.Numerics, limit, parse.GetValue(force), log, atOnce,
                        $"the sweep ({atOnce} point(s) at once, the largest {estimate.PointId})", ", or run fewer points at once with --jobs");
                }

                SweepOutcome outcome = WithProgress(stderr, log, progress => SweepRunner.Run(specPath, folder, options, progress, log, cancel));
                Report(outcome, folder, log);
                if (!parse.GetValue(noTable))
                {
                    PrintFront(outcome, stdout);
                }

                return ExitCodes.Success;
            });
        }, cancel));
        return command;
    }

    /// <summary>The points <c>--reports</c> names: null for <c>all</c>, empty when not given.</summary>
    /// <exception cref="UsageException">Neither <c>all</c> nor a comma-separated list of point numbers.</exception>
    private static System.Collections.Immutable.ImmutableSortedSet<int>? ReportPoints(string? text)
    {
        if (text is null)
        {
            return [];
        }

        if (text.Trim() == "all")
        {
            return null;
        }

        var points = new SortedSet<int>();
        foreach (string part in text.Split(','))
        {
            if (!int.TryParse(part.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int point))
            {
                throw new UsageException($"--reports must be 'all' or point numbers separated by commas, e.g. 0,5,12, was '{text}'");
            }

            points.Add(point);
        }

        return [.. points];
    }

    private static Command MergeCommand(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet, Option<bool> noPlots, Option<bool> noTable)
    {
        var folders = new Argument<string[]>("folders") { Description = "Output folders of the shards of one sweep.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "The merged output folder (new or empty).", Required = true };
        var command = new Command("merge", "Join the output folders of a sweep's shards; the result equals the unsharded run, byte for byte.")
        {
            folders, output, noPlots, noTable,
        };
        command.SetAction(parse =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            return Guard(stderr, log, () =>
            {
                string folder = parse.GetValue(output)!;
                new OutputPaths().Folder("--output", folder).Check();
                SweepOutcome outcome = SweepMerge.Merge(parse.GetValue(folders)!, folder, !parse.GetValue(noPlots), log);
                log.Information("Wrote {Path}", Path.Combine(folder, SweepRunner.ResultsName));
                if (!parse.GetValue(noTable))
                {
                    PrintFront(outcome, stdout);
                }

                return ExitCodes.Success;
            });
        });
        return command;
    }

    /// <summary>Checks every point without running it; lists the points that would not run.</summary>
    private static int DryRun(string specPath, Shard shard, int jobs, TextWriter stdout, ILogger log)
    {
        (SweepSpec spec, int points, var notRunnable) = SweepRunner.Check(specPath, shard, jobs);
        int invalid = notRunnable.Count(r => r.Status == PointStatus.Invalid);
        int skipped = notRunnable.Count(r => r.Status == PointStatus.Skipped);
        log.Information("Sweep {Name}: {Points} points checked; {Runnable} would run, {Skipped} skipped by constraints, {Invalid} invalid",
            spec.Name, points, points - notRunnable.Length, skipped, invalid);
        foreach (PointRecord record in notRunnable)
        {
            stdout.WriteLine($"point {record.Index} ({record.Id}): {PointRecord.StatusName(record.Status)}: {record.Message}");
        }

        return invalid > 0 ? ExitCodes.BadInput : ExitCodes.Success;
    }

    /// <summary>Adds the sweep's own failure kinds to the shared guard: output-folder problems are bad input, Ctrl+C an interruption.</summary>
    private static int Guard(TextWriter stderr, ILogger log, Func<int> body) => Commands.Guard(stderr, log, () =>
    {
        try
        {
            return body();
        }
        catch (SweepOutputException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            log.Warning("Interrupted: finished points are recorded; rerun the same command to finish the sweep");
            return Interrupted;
        }
    });

    /// <summary>A live progress bar with ETA on a terminal; otherwise a log line every ten seconds (a redirected or CI log).</summary>
    private static SweepOutcome WithProgress(TextWriter stderr, ILogger log, Func<Action<SweepProgress>, SweepOutcome> run)
    {
        bool terminal = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
        var console = terminal ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }) : null;
        if (console is null || !console.Profile.Capabilities.Interactive)
        {
            var clock = Stopwatch.StartNew();
            TimeSpan lastLine = TimeSpan.Zero;
            int startedAt = -1;
            return run(p =>
            {
                startedAt = startedAt < 0 ? p.Done : startedAt;
                if (clock.Elapsed - lastLine >= TimeSpan.FromSeconds(10) && p.Done < p.Total)
                {
                    lastLine = clock.Elapsed;
                    int ranNow = p.Done - startedAt;
                    string eta = ranNow > 0
                        ? TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / ranNow * (p.Total - p.Done)).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture)
                        : "unknown";
                    log.Information("Sweep progress: {Done}/{Total} points ({Percent:P0}), {NotOk} not ok, {Elapsed:F0} s elapsed, ETA {Eta}",
                        p.Done, p.Total, (double)p.Done / p.Total, p.NotOk, clock.Elapsed.TotalSeconds, eta);
                }
            });
        }

        SweepOutcome? outcome = null;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                ProgressTask? task = null;
                outcome = run(p =>
                {
                    // The bar counts the points this run does, so that resumed ones do not distort the remaining time.
                    task ??= context.AddTask("sweep", maxValue: Math.Max(1, p.Total - p.Resumed));
                    task.Value = p.Done - p.Resumed;
                    string resumed = p.Resumed > 0 ? $", {p.Resumed} resumed" : "";
                    task.Description = $"sweep {p.Done}/{p.Total}{resumed}{(p.NotOk > 0 ? $", {p.NotOk} not ok" : "")}";
                });
            });
        return outcome!;
    }

    private static void Report(SweepOutcome outcome, string folder, ILogger log)
    {
        log.Information("Wrote {Path}", Path.Combine(folder, SweepRunner.ResultsName));
        int notOk = outcome.Records.Count - outcome.Count(PointStatus.Ok);
        if (notOk > 0)
        {
            log.Warning("{NotOk} points did not run ({Invalid} invalid, {Skipped} skipped by constraints, {Failed} failed): see the status and message columns",
                notOk, outcome.Count(PointStatus.Invalid), outcome.Count(PointStatus.Skipped), outcome.Count(PointStatus.Failed));
        }
    }

    /// <summary>The Pareto front of each workload, best first by the first objective.</summary>
    internal static void PrintFront(SweepOutcome outcome, TextWriter stdout)
    {
        SweepSpec spec = outcome.Spec;
        if (spec.Objectives.IsEmpty)
        {
            return;
        }

        IAnsiConsole console = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected
            ? AnsiConsole.Console
            : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        if (!ReferenceEquals(console, AnsiConsole.Console))
        {
            console.Profile.Width = 200;
        }

        int[] columns = [.. spec.Objectives.Select(o => spec.Metrics.IndexOf(o.Metric))];
        for (int w = 0; w < spec.Workloads.Length; w++)
        {
            var front = outcome.Points
                .Where(p => p.WorkloadIndex == w && outcome.Front.Contains(p.Index))
                .OrderBy(p => Sortable(outcome.Records[p.Index].Metrics[columns[0]], spec.Objectives[0].Goal))
                .ThenBy(p => p.Index)
                .ToList();
            string goals = string.Join(", ", spec.Objectives.Select(o => $"{(o.Goal == ObjectiveGoal.Minimize ? "min" : "max")} {o.Metric}"));
            if (front.Count == 0)
            {
                stdout.WriteLine($"Pareto front of {spec.Name} on {spec.Workloads[w].Label}: empty, no point ran ok");
                continue;
            }

            var table = new Table().Border(TableBorder.Rounded)
                .Title(Markup.Escape($"Pareto front of {spec.Name} on {spec.Workloads[w].Label}: {front.Count} points ({goals})"));
            table.AddColumn("point");
            foreach (SweepAxis axis in spec.Axes)
            {
                table.AddColumn(Markup.Escape(axis.Key));
            }

            foreach (SweepObjective objective in spec.Objectives)
            {
                table.AddColumn(new TableColumn(Markup.Escape(objective.Metric)).RightAligned());
            }

            foreach (SweepPoint point in front.Take(MaxTableRows))
            {
                var record = outcome.Records[point.Index];
                table.AddRow([SweepMetric.Format(point.Index), .. point.Values.Select(v => Markup.Escape(v.Display)),
                    .. columns.Select(c => Markup.Escape(record.Metrics[c]))]);
            }

            if (front.Count > MaxTableRows)
            {
                table.Caption($"{front.Count - MaxTableRows} more in results.csv (pareto = true)");
            }

            console.Write(table);
        }
    }

    private static double Sortable(string cell, ObjectiveGoal goal) =>
        SweepMetric.Parse(cell) is { } value ? (goal == ObjectiveGoal.Minimize ? value : -value) : double.PositiveInfinity;
}
