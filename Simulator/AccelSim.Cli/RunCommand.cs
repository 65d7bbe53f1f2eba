using System.CommandLine;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Files;
using AccelSim.Hardware;
using AccelSim.Reports;
using AccelSim.ScaleSim;
using AccelSim.Tracing;
using AccelSim.Workloads;
using Serilog;

namespace AccelSim.Cli;

/// <summary>The <c>run</c> command: load the accelerator and the workload, choose a runner (native, or SCALE-Sim's
/// compatibility runner), run, and write the outputs.</summary>
internal static class RunCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var options = new Declarations();
        var command = new Command("run", "Simulate a workload on an accelerator and report cycles, stalls, traffic, energy and BFP error per layer. " +
            "A .cfg config and a .csv workload are read as SCALE-Sim v2's config and topology.");
        foreach (Option option in options.All)
        {
            command.Options.Add(option);
        }

        var trace = new TraceRunOptions();
        foreach (Option option in trace.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            return Commands.Guard(stderr, log, () => Execute(options.Read(parse, parse.GetValue(verbose)), parse, trace, stdout, log));
        });
        return command;
    }

    /// <summary>Loads, runs and writes one checked request.</summary>
    private static int Execute(RunRequest request, ParseResult parse, TraceRunOptions trace, TextWriter stdout, ILogger log)
    {
        trace.AddOutputs(parse, new OutputPaths()
            .Input("--config", request.ConfigPath).Input("--workload", request.WorkloadPath).Input("--input", request.InputPath)
            .File("--json", request.JsonPath).File("--csv", request.CsvPath).Folder("--report", request.ReportDirectory)
            .Folder("--dump-tensors", request.DumpDirectory).Folder("--scalesim-reports", request.ScaleSimReportsDirectory)).Check();
        (LoadedAccelerator accelerator, ScaleSimSettings? scaleSim) = LoadAccelerator(request.ConfigPath, request.Overrides);
        // Chosen before the workload is read: a compatibility run SCALE-Sim cannot model is refused first.
        ScaleSimRunner? compatibility = request.ScaleSimCompatible ? ScaleSimRunner.For(accelerator.Hardware, accelerator.Energy, scaleSim) : null;

        bool topology = request.WorkloadPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        Network network = topology ? ScaleSimTopologyReader.Read(request.WorkloadPath) : Commands.WithInput(ConfigLoader.LoadWorkload(request.WorkloadPath, weightsWhenUsed: request.NoNumerics), request.InputPath);
        bool numerics = !request.NoNumerics && !topology;
        if (topology && !request.NoNumerics)
        {
            log.Information("{Workload} is a SCALE-Sim topology: it has no data and its layers are independent, so the run is timing only", request.WorkloadPath);
        }

        if (request.DumpDirectory is not null && !numerics)
        {
            throw new UsageException("--dump-tensors needs the numerics; drop --no-numerics");
        }

        MemoryBudget.Check(RunEstimate.Of(accelerator.Hardware, network), numerics, request.MaxMemory, request.Force, log);
        using TraceSession? traceSession = trace.Open(parse, accelerator.Hardware, network);

        log.Information("Running {Workload} ({Layers} layers, {Macs:N0} MACs) on {Config}{Mode}",
            network.Name, network.Layers.Length, network.MacsPerItem * network.Batch, accelerator.Hardware.Name, numerics ? "" : " (timing only)");

        var started = System.Diagnostics.Stopwatch.StartNew();
        var options = new RunOptions(numerics, request.Threads, request.DumpDirectory, traceSession) { Settings = new RunSettings { Detail = request.Detail } };
        ScaleSimRun? compatibilityRun = compatibility?.Run(network, options, log);
        RunResult result = compatibilityRun?.Result ?? NetworkRunner.Run(accelerator.Hardware, accelerator.Energy, network, options, log);
        if (traceSession is not null)
        {
            TraceRunOptions.Complete(traceSession, log);
        }

        long events = result.Layers.Sum(l => l.Events);
        log.Information("Simulated {Cycles:N0} cycles ({Events:N0} events) in {Seconds:F2} s",
            result.TotalCycles, events, started.Elapsed.TotalSeconds);

        Write(request, result, compatibilityRun, stdout, log);
        if (request.ReportDirectory is { } reportDirectory)
        {
            RunReport.Write(reportDirectory, result, accelerator.Hardware, request.WorkloadPath, parse);
            log.Information("Wrote the report to {Path}", Path.Combine(reportDirectory, HtmlReport.PageName));
        }

        return ExitCodes.Success;
    }

    /// <summary>The outputs the request asks for: JSON, SCALE-Sim's reports, CSV, then the table on stdout.</summary>
    private static void Write(RunRequest request, RunResult result, ScaleSimRun? compatibilityRun, TextWriter stdout, ILogger log)
    {
        if (request.JsonPath is { } jsonPath)
        {
            AtomicFile.Write(jsonPath, w => new JsonReportWriter().Write(result, w));
            log.Information("Wrote {Path}", jsonPath);
        }

        if (request.ScaleSimReportsDirectory is { } reportsDirectory && compatibilityRun is not null)
        {
            ScaleSimRunner.WriteReports(reportsDirectory, compatibilityRun);
            log.Information("Wrote SCALE-Sim reports to {Path}", reportsDirectory);
        }

        if (request.CsvPath is { } csvPath)
        {
            AtomicFile.Write(csvPath, w => new CsvReportWriter().Write(result, w));
            log.Information("Wrote {Path}", csvPath);
        }

        if (request.PrintTable)
        {
            Commands.RenderTable(result, stdout, request.FullEnergy);
        }
    }

    /// <summary>A YAML accelerator config with its energy table, or SCALE-Sim's .cfg on top of the shipped default config
    /// (for what SCALE-Sim does not describe: clock, vector unit, BFP formats, energy).</summary>
    private static (LoadedAccelerator Accelerator, ScaleSimSettings? ScaleSim) LoadAccelerator(string path, IReadOnlyList<ConfigOverride> overrides)
    {
        if (!path.EndsWith(".cfg", StringComparison.OrdinalIgnoreCase))
        {
            return (ConfigLoader.LoadAcceleratorWithEnergy(path, overrides), null);
        }

        if (overrides.Count > 0)
        {
            throw new UsageException("--set applies to YAML configs; edit the SCALE-Sim .cfg instead");
        }

        LoadedAccelerator baseline = ConfigLoader.LoadAcceleratorWithEnergy(Commands.ResolveDefault(Commands.DefaultConfig, Commands.DefaultConfig));
        (AcceleratorConfig config, ScaleSimSettings settings) = ScaleSimConfigReader.Read(path, baseline.Hardware);
        return (baseline with { Hardware = config }, settings);
    }

    /// <summary>The values of one <c>run</c> command line, checked.</summary>
    /// <param name="ScaleSimCompatible">Count as SCALE-Sim does (<c>--scalesim-compat</c>, implied by <c>--scalesim-reports</c>).</param>
    /// <param name="PrintTable">Print the table to stdout (no <c>--no-table</c>).</param>
    private sealed record RunRequest(
        string ConfigPath, string WorkloadPath, IReadOnlyList<ConfigOverride> Overrides, int Threads, TimingDetail Detail,
        bool ScaleSimCompatible, string? ScaleSimReportsDirectory, bool NoNumerics, string? InputPath, string? DumpDirectory,
        string? JsonPath, string? CsvPath, bool PrintTable)
    {
        /// <summary><c>--max-memory</c> in bytes; null: the default limit.</summary>
        public long? MaxMemory { get; init; }

        /// <summary><c>--force</c>: run even when predicted to exceed the memory limit.</summary>
        public bool Force { get; init; }

        /// <summary><c>--energy-breakdown</c> or <c>--verbose</c>: the table of energy by action after the compact line.</summary>
        public bool FullEnergy { get; init; }

        /// <summary><c>--report</c>: the folder of the HTML report; null for none.</summary>
        public string? ReportDirectory { get; init; }
    }

    /// <summary>The command's options (the trace options are <see cref="TraceRunOptions"/>'s), in help order.</summary>
    private sealed class Declarations
    {
        private readonly Option<string> _config = new("--config", "-c")
        {
            Description = "Accelerator config (YAML, or SCALE-Sim v2 .cfg).",
            DefaultValueFactory = _ => Commands.DefaultConfig,
        };

        private readonly Option<string> _workload = new("--workload", "-w")
        {
            Description = "Workload: the network to run (YAML, an ONNX model read directly, or a SCALE-Sim v2 topology .csv).",
            DefaultValueFactory = _ => Commands.DefaultWorkload,
        };

        private readonly Option<string?> _json = new("--json") { Description = "Also write the results as JSON (schema v1) to this file." };
        private readonly Option<string?> _csv = new("--csv") { Description = "Also write the results as CSV (one row per layer, then totals) to this file." };
        private readonly Option<bool> _noNumerics = new("--no-numerics") { Description = "Timing and energy only: skip the BFP datapath and the float reference." };

        private readonly Option<int> _threads = new("--threads", "-j")
        {
            Description = "Worker threads (results do not depend on it).",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };

        private readonly Option<string[]> _set = new("--set")
        {
            Description = "Override a config value before validation, e.g. --set bfp.mantissa_bits=6 (repeatable).",
            AllowMultipleArgumentsPerToken = false,
        };

        private readonly Option<bool> _noTable = new("--no-table") { Description = "Do not print the table to stdout." };

        private readonly Option<string?> _dump = new("--dump-tensors")
        {
            Description = "Write every layer's tensors to this folder as .npy: BFP and reference outputs, weight and input mantissas and shared exponents.",
        };

        private readonly Option<string> _detail = new("--detail")
        {
            Description = "Fold timing: 'fold' (closed form) or 'pe' (a literal per-PE, per-cycle model of every fold; small arrays and layers only).",
            DefaultValueFactory = _ => "fold",
        };

        private readonly Option<string?> _input = new("--input", "-i")
        {
            Description = "The network input instead of the workload's: a .npy tensor [batch, C, H, W] (or [C, H, W]) used as it is, or a PNG image of the input's height and width, prepared as the workload says (channel order, mean).",
        };

        private readonly Option<bool> _scaleSimCompat = new("--scalesim-compat")
        {
            Description = "Count as SCALE-Sim v2 does: no padding (zeros are fetched and read as data), partial sums written per fold.",
        };

        private readonly Option<string?> _scaleSimReports = new("--scalesim-reports")
        {
            Description = "Write SCALE-Sim's COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv to this folder (implies --scalesim-compat).",
        };

        private readonly Option<string?> _maxMemory = MemoryBudget.MaxMemoryOption();
        private readonly Option<bool> _force = MemoryBudget.ForceOption();

        private readonly Option<string?> _report = new("--report")
        {
            Description = "Also write an HTML report to this folder: index.html and its figures (PNG and SVG), opening with no network.",
        };

        private readonly Option<bool> _energyBreakdown = new("--energy-breakdown")
        {
            Description = "Print the energy of every component and action after the table (also with --verbose); otherwise one line by component.",
        };

        public IEnumerable<Option> All =>
            [_config, _workload, _json, _csv, _noNumerics, _threads, _set, _noTable, _dump, _input, _detail, _scaleSimCompat, _scaleSimReports, _maxMemory, _force, _energyBreakdown, _report];

        /// <summary>The request on the command line, checked in the order its problems are reported.</summary>
        /// <exception cref="UsageException">--threads below 1, or --detail neither fold nor pe.</exception>
        public RunRequest Read(ParseResult parse, bool verbose)
        {
            int threads = parse.GetValue(_threads);
            if (threads < 1)
            {
                throw new UsageException($"--threads must be at least 1, was {threads}");
            }

            string configPath = Commands.ResolveDefault(parse.GetValue(_config)!, Commands.DefaultConfig);
            string workloadPath = Commands.ResolveDefault(parse.GetValue(_workload)!, Commands.DefaultWorkload);
            var overrides = (parse.GetValue(_set) ?? []).Select(ConfigOverride.Parse).ToList();
            TimingDetail detail = parse.GetValue(_detail) switch
            {
                "fold" => TimingDetail.ClosedForm,
                "pe" => TimingDetail.PeLevel,
                var other => throw new UsageException($"--detail must be fold or pe, was '{other}'"),
            };
            string? reportsDirectory = parse.GetValue(_scaleSimReports);
            return new RunRequest(
                configPath, workloadPath, overrides, threads, detail, parse.GetValue(_scaleSimCompat) || reportsDirectory is not null, reportsDirectory,
                parse.GetValue(_noNumerics), parse.GetValue(_input), parse.GetValue(_dump), parse.GetValue(_json), parse.GetValue(_csv),
                PrintTable: !parse.GetValue(_noTable))
            {
                MaxMemory = MemoryBudget.Read(parse, _maxMemory),
                Force = parse.GetValue(_force),
                FullEnergy = verbose || parse.GetValue(_energyBreakdown),
                ReportDirectory = parse.GetValue(_report),
            };
        }
    }
}
