using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Files;
using AccelSim.Workloads;
using Serilog;
using Spectre.Console;

namespace AccelSim.Cli;

/// <summary><c>accelsim eval</c>: a number format over a set of inputs, with agreement, error and saturation per input
/// and in aggregate; resumable through a journal in its output folder.</summary>
internal static class EvalCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var config = new Option<string>("--config", "-c") { Description = "Accelerator config (YAML).", DefaultValueFactory = _ => Commands.DefaultConfig };
        var workload = new Option<string>("--workload", "-w") { Description = "Workload (YAML or ONNX): the network and how its images are prepared.", DefaultValueFactory = _ => Commands.DefaultWorkload };
        var inputs = new Option<string>("--inputs", "-i")
        {
            Description = "The inputs: a folder (its .png, .jpg, .jpeg and .npy files, subfolders included), a glob such as images/*.png, one file " +
                "(a .npy may hold a batch, first axis), or synthetic:N (N seeded images prepared as the workload says).",
            Required = true,
        };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N inputs." };
        var output = new Option<string?>("--output", "-o") { Description = "Folder for the journal (journal.jsonl): rerun into it to resume an interrupted evaluation." };
        var json = new Option<string?>("--json") { Description = "Write the aggregate, each layer's SQNR over the inputs and every input as JSON to this file." };
        var csv = new Option<string?>("--csv") { Description = "Write one row per input as CSV to this file." };
        var threads = new Option<int>("--threads", "-j") { Description = "Worker threads, also the inputs run at once (results do not depend on it).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var set = new Option<string[]>("--set") { Description = "Override a config value before validation, e.g. --set bfp.mantissa_bits=6 (repeatable).", AllowMultipleArgumentsPerToken = false };
        var noTable = new Option<bool>("--no-table") { Description = "Do not print the summary to stdout." };
        var command = new Command("eval", "Evaluate a number format over many inputs: top-1 agreement and top-5 overlap with the float reference, output and per-layer SQNR, saturations, and the timing and energy of one inference.")
        {
            config, workload, inputs, limit, output, json, csv, threads, set, noTable,
        };

        // On a worker thread, so that Ctrl+C reaches the run as a cancellation: the finished inputs stay in the journal.
        command.SetAction((parse, cancel) => Task.Run(() =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            return Commands.Guard(stderr, log, () =>
            {
                try
                {
                    int threadCount = parse.GetValue(threads);
                    if (threadCount < 1)
                    {
                        throw new UsageException($"--threads must be at least 1, was {threadCount}");
                    }

                    int? count = parse.GetValue(limit);
                    if (count is < 1)
                    {
                        throw new UsageException($"--limit must be at least 1, was {count}");
                    }

                    string configPath = Commands.ResolveDefault(parse.GetValue(config)!, Commands.DefaultConfig);
                    string workloadPath = Commands.ResolveDefault(parse.GetValue(workload)!, Commands.DefaultWorkload);
                    string? folder = parse.GetValue(output);
                    string? journalPath = folder is null ? null : Path.Combine(folder, EvalJournal.FileName);
                    new OutputPaths().Input("--config", configPath).Input("--workload", workloadPath)
                        .Folder("--output", folder).File("--json", parse.GetValue(json)).File("--csv", parse.GetValue(csv)).Check();
                    var overrides = (parse.GetValue(set) ?? []).Select(ConfigOverride.Parse).ToList();
                    LoadedAccelerator accelerator = ConfigLoader.LoadAcceleratorWithEnergy(configPath, overrides);
                    Network network = ConfigLoader.LoadWorkload(workloadPath);
                    EvalInputs found = EvalInputs.Find(parse.GetValue(inputs)!, network, count);
                    if (folder is not null)
                    {
                        Directory.CreateDirectory(folder);
                    }

                    var evaluation = new Evaluation(accelerator.Hardware, accelerator.Energy, network, log)
                    {
                        Threads = threadCount,
                        JournalPath = journalPath,
                        Fingerprint = Fingerprint(configPath, workloadPath, parse.GetValue(set) ?? [], found),
                    };
                    log.Information("Evaluating {Workload} on {Config} over {Inputs} inputs", network.Name, accelerator.Hardware.Name, found.Items.Length);
                    EvalSummary summary = WithProgress(stderr, log, progress => evaluation.Run(found, progress, cancel));
                    if (parse.GetValue(json) is { } jsonPath)
                    {
                        AtomicFile.Write(jsonPath, w => EvalReport.WriteJson(summary, w));
                        log.Information("Wrote {Path}", jsonPath);
                    }

                    if (parse.GetValue(csv) is { } csvPath)
                    {
                        AtomicFile.Write(csvPath, w => EvalReport.WriteCsv(summary, w));
                        log.Information("Wrote {Path}", csvPath);
                    }

                    if (!parse.GetValue(noTable))
                    {
                        EvalReport.WriteText(summary, stdout);
                    }

                    return ExitCodes.Success;
                }
                catch (EvalJournalMismatchException e)
                {
                    throw new UsageException(e.Message);
                }
                catch (InvalidDataException e)
                {
                    throw new UsageException($"--output: {e.Message}; give a new or empty output folder");
                }
                catch (OperationCanceledException)
                {
                    log.Warning("Interrupted: finished inputs are in the journal; rerun the same command to finish the evaluation");
                    return SweepCommand.Interrupted;
                }
            });
        }, cancel));
        return command;
    }

    /// <summary>What a journal must match to be resumed: the config and workload files byte for byte, the overrides and
    /// the inputs' names, hashed (16 hex digits).</summary>
    private static string Fingerprint(string configPath, string workloadPath, string[] overrides, EvalInputs inputs)
    {
        var text = new StringBuilder();
        foreach (string path in new[] { configPath, workloadPath })
        {
            byte[] bytes = InputFile.ReadAllBytes(path, path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? InputLimit.Onnx : InputLimit.Yaml);
            text.Append(CultureInfo.InvariantCulture, $"{bytes.Length}:{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes))}\n");
        }

        foreach (string value in overrides.Concat(inputs.Items.Select(i => i.Name)))
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Length}:{value}\n");
        }

        return EvalJournal.Hash(text.ToString()).ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>A live progress bar on a terminal; otherwise a log line every ten seconds. Both give inputs per second
    /// and the time left, counting only the inputs this run evaluates (resumed ones are not part of the rate).</summary>
    private static EvalSummary WithProgress(TextWriter stderr, ILogger log, Func<Action<EvalProgress>, EvalSummary> run)
    {
        bool terminal = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
        var console = terminal ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }) : null;
        var clock = Stopwatch.StartNew();
        if (console is null || !console.Profile.Capabilities.Interactive)
        {
            TimeSpan lastLine = TimeSpan.Zero;
            return run(p =>
            {
                bool finished = p.Done == p.Total;
                if ((clock.Elapsed - lastLine >= TimeSpan.FromSeconds(10) || finished) && p.Done > p.Resumed)
                {
                    lastLine = clock.Elapsed;
                    log.Information("Eval progress: {Done}/{Total} inputs{Resumed}, {Rate}",
                        p.Done, p.Total, p.Resumed > 0 ? $" ({p.Resumed} resumed)" : "", Rate(p, clock.Elapsed));
                }
            });
        }

        EvalSummary? summary = null;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                ProgressTask? task = null;
                summary = run(p =>
                {
                    task ??= context.AddTask("eval", maxValue: Math.Max(1, p.Total - p.Resumed));
                    task.Value = p.Done - p.Resumed;
                    task.Description = Markup.Escape($"eval {p.Done}/{p.Total}, {Rate(p, clock.Elapsed)}");
                });
            });
        return summary!;
    }

    private static string Rate(EvalProgress p, TimeSpan elapsed)
    {
        int ran = p.Done - p.Resumed;
        if (ran == 0 || elapsed.TotalSeconds <= 0)
        {
            return "rate unknown";
        }

        double perSecond = ran / elapsed.TotalSeconds;
        string eta = TimeSpan.FromSeconds((p.Total - p.Done) / perSecond).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"{perSecond:F2} inputs/s, ETA {eta}");
    }
}
