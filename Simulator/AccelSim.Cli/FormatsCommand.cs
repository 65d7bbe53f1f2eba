using System.CommandLine;
using System.Globalization;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Files;
using AccelSim.Numerics;
using AccelSim.Workloads;
using Spectre.Console;

namespace AccelSim.Cli;

/// <summary><c>accelsim formats</c>: per conv/FC layer, the cheapest number format meeting an SQNR target, and the network
/// run with those formats (docs/mx-formats.md, "Format search").</summary>
internal static class FormatsCommand
{
    /// <summary>The candidates when none are given: every MX/NVFP4 format and the config's BFP formats.</summary>
    public const string DefaultCandidates = "mxfp4_e2m1,nvfp4,mxfp6_e2m3,mxfp6_e3m2,mxfp8_e4m3,mxfp8_e5m2,mxint8,bfp";

    public static Command Build(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var config = new Option<string>("--config", "-c") { Description = "Accelerator config (YAML).", DefaultValueFactory = _ => Commands.DefaultConfig };
        var workload = new Option<string>("--workload", "-w") { Description = "Workload (YAML).", DefaultValueFactory = _ => Commands.DefaultWorkload };
        var target = new Option<double?>("--target-sqnr") { Description = "Each layer's local SQNR must reach this many dB (or give --target-top1)." };
        var targetTop1 = new Option<double?>("--target-top1")
        {
            Description = "Instead of --target-sqnr: the network's top-1 agreement with the float reference over --inputs must reach this percentage; " +
                "the lowest per-layer SQNR threshold that reaches it is searched for.",
        };
        var inputs = new Option<string?>("--inputs", "-i")
        {
            Description = "With --target-top1, the inputs, as eval takes them: a folder, a glob, one file, or synthetic:N.",
        };
        var limit = new Option<int?>("--limit") { Description = "With --target-top1, evaluate only the first N inputs." };
        var candidates = new Option<string>("--candidates")
        {
            Description = "Formats to choose from, comma-separated: bfp (the config's BFP formats) and MX/NVFP4 names.",
            DefaultValueFactory = _ => DefaultCandidates,
        };
        var by = new Option<string>("--by") { Description = "What 'cheapest' means: storage (bits per weight) or energy (the layer's, in a run all in that format).", DefaultValueFactory = _ => "storage" };
        var csv = new Option<string?>("--csv") { Description = "Also write the choices as CSV to this file." };
        var threads = new Option<int>("--threads", "-j") { Description = "Worker threads (results do not depend on it).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("formats",
            "Per conv/FC layer, the cheapest number format whose local SQNR meets --target-sqnr, chosen from --candidates (one whole run per candidate), "
            + "then the network run with the chosen formats: cycles, energy, SQNR per layer, top-1/top-5 agreement. "
            + "With --target-top1 and --inputs, the lowest per-layer SQNR threshold whose choices reach that top-1 agreement over the inputs.")
        {
            config, workload, target, targetTop1, inputs, limit, candidates, by, csv, threads,
        };
        command.SetAction(parse =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            return Commands.Guard(stderr, log, () =>
            {
                new OutputPaths().Input("--config", parse.GetValue(config)).Input("--workload", parse.GetValue(workload)).File("--csv", parse.GetValue(csv)).Check();
                (double? targetDb, double? top1) = (parse.GetValue(target), parse.GetValue(targetTop1));
                if (targetDb.HasValue == top1.HasValue)
                {
                    throw new UsageException("give one target: --target-sqnr DB (each layer's local SQNR) or --target-top1 PCT with --inputs (the network's agreement over them)");
                }

                if (targetDb is { } db && !double.IsFinite(db))
                {
                    throw new UsageException("--target-sqnr must be a finite number of dB, e.g. 25");
                }

                if (top1 is { } pct && !(pct >= 0 && pct <= 100))
                {
                    throw new UsageException($"--target-top1 must be a percentage from 0 to 100, was {pct.ToString(CultureInfo.InvariantCulture)}");
                }

                if (top1.HasValue != (parse.GetValue(inputs) is not null))
                {
                    throw new UsageException(top1.HasValue ? "--target-top1 needs --inputs (a folder, a glob, one file or synthetic:N)" : "--inputs goes with --target-top1");
                }

                if (parse.GetValue(limit) is < 1)
                {
                    throw new UsageException($"--limit must be at least 1, was {parse.GetValue(limit)}");
                }

                FormatCostMeasure measure = parse.GetValue(by) switch
                {
                    "storage" => FormatCostMeasure.Storage,
                    "energy" => FormatCostMeasure.Energy,
                    var other => throw new UsageException($"--by must be storage or energy, was '{other}'"),
                };
                IReadOnlyList<string> names = [.. FormatCostTable.Parse(parse.GetValue(candidates)!).Select(c => c.Name).Distinct(StringComparer.Ordinal)];
                var accelerator = ConfigLoader.LoadAcceleratorWithEnergy(Commands.ResolveDefault(parse.GetValue(config)!, Commands.DefaultConfig));
                Network network = ConfigLoader.LoadWorkload(Commands.ResolveDefault(parse.GetValue(workload)!, Commands.DefaultWorkload));
                if (accelerator.Hardware.PeArray.Arithmetic != AccelSim.Hardware.Arithmetic.Bfp)
                {
                    throw new UsageException("formats needs pe_array.arithmetic: bfp (the block-scaled datapaths); the config's array is float");
                }

                var options = new RunOptions(true, Math.Max(1, parse.GetValue(threads)));
                FormatSearchResult result = top1 is { } percent
                    ? FormatSearch.RunForAgreement(accelerator.Hardware, accelerator.Energy, network, names, percent / 100,
                        EvalInputs.Find(parse.GetValue(inputs)!, network, parse.GetValue(limit)), measure, options, log)
                    : FormatSearch.Run(accelerator.Hardware, accelerator.Energy, network, names, targetDb!.Value, measure, options, log);
                Render(result, result.Agreement?.ThresholdDb ?? targetDb!.Value, measure, stdout);
                if (result.Agreement is { } a)
                {
                    stdout.Write(string.Create(CultureInfo.InvariantCulture,
                        $"Top-1 agreement {a.Top1Agreement:P1} over {a.Inputs} inputs (target {a.TargetTop1:P1}{(a.Met ? ", met" : ", not met: the most accurate choices")}) " +
                        $"with a per-layer SQNR threshold of {a.ThresholdDb:F2} dB ({a.Evaluations} thresholds evaluated)\n"));
                }

                Commands.RenderTable(result.Run, stdout);
                if (parse.GetValue(csv) is { } path)
                {
                    AtomicFile.Write(path, w =>
                    {
                        w.Write("layer,format,local_sqnr_db,cost,meets_target\n");
                        foreach (LayerFormatChoice c in result.Choices)
                        {
                            w.Write(string.Create(CultureInfo.InvariantCulture, $"{c.Layer},{c.Format},{c.LocalSqnrDb:R},{c.Cost:R},{(c.MeetsTarget ? "true" : "false")}\n"));
                        }
                    });
                    log.Information("Wrote {Path}", path);
                }

                return ExitCodes.Success;
            });
        });
        return command;
    }

    private static void Render(FormatSearchResult result, double targetDb, FormatCostMeasure measure, TextWriter stdout)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 160;
        var table = new Table().Border(TableBorder.Rounded).Title(string.Create(CultureInfo.InvariantCulture,
            $"Formats: local SQNR ≥ {targetDb:0.##} dB, cheapest by {(measure == FormatCostMeasure.Storage ? "storage" : "energy")}"));
        table.AddColumn("layer");
        table.AddColumn("format");
        table.AddColumn(new TableColumn("local SQNR dB").RightAligned());
        table.AddColumn(new TableColumn(measure == FormatCostMeasure.Storage ? "bits/weight" : "energy pJ").RightAligned());
        table.AddColumn("target");
        foreach (LayerFormatChoice c in result.Choices)
        {
            table.AddRow([.. new[]
            {
                c.Layer, c.Format, c.LocalSqnrDb.ToString("F1", CultureInfo.InvariantCulture),
                c.Cost.ToString(measure == FormatCostMeasure.Storage ? "F3" : "N0", CultureInfo.InvariantCulture), c.MeetsTarget ? "met" : "not met (most accurate)",
            }.Select(Markup.Escape)]);
        }

        console.Write(table);
    }
}
