using System.CommandLine;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Execution.ScaleSim;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Numerics;
using AccelSim.Reports;
using AccelSim.Tracing;
using AccelSim.Workloads;
using Serilog;
using Spectre.Console;

namespace AccelSim.Cli;

/// <summary>The command tree: run, validate, bench.</summary>
internal static class Commands
{
    public const string DefaultConfig = "Configs/default.yaml";
    public const string DefaultWorkload = "Workloads/resnet18.yaml";

    public static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log debug detail to stderr.", Recursive = true };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Log only warnings and errors to stderr.", Recursive = true };
        var root = new RootCommand(
            "AccelSim: a cycle-accurate, event-driven simulator of CNN accelerators with a block-floating-point datapath. " +
            "One run answers how fast (cycles, stalls by cause), how much energy (cited tables) and how wrong (BFP error against a float reference).")
        {
            RunCommand(stdout, stderr, verbose, quiet),
            ValidateCommand(stdout, stderr, verbose, quiet),
            BenchCommand.Build(stdout, stderr, verbose, quiet),
            DescribeCommand.Build(stdout, stderr, verbose, quiet),
            BfpCostCommand.Build(stdout, stderr, verbose, quiet),
            SweepCommand.Build(stdout, stderr, verbose, quiet),
            CompressCommand.Build(stdout, stderr, verbose, quiet),
            TraceCommand.Build(stdout, stderr, verbose, quiet),
            ImportCommand.Build(stdout, stderr, verbose, quiet),
        };
        root.Options.Add(verbose);
        root.Options.Add(quiet);
        return root;
    }

    private static Command RunCommand(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var config = new Option<string>("--config", "-c")
        {
            Description = "Accelerator config (YAML, or SCALE-Sim v2 .cfg).",
            DefaultValueFactory = _ => DefaultConfig,
        };
        var workload = new Option<string>("--workload", "-w")
        {
            Description = "Workload: the network to run (YAML, an ONNX model read directly, or a SCALE-Sim v2 topology .csv).",
            DefaultValueFactory = _ => DefaultWorkload,
        };
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON (schema v1) to this file." };
        var csv = new Option<string?>("--csv") { Description = "Also write the results as CSV (one row per layer, then totals) to this file." };
        var noNumerics = new Option<bool>("--no-numerics") { Description = "Timing and energy only: skip the BFP datapath and the float reference." };
        var threads = new Option<int>("--threads", "-j")
        {
            Description = "Worker threads (results do not depend on it).",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var set = new Option<string[]>("--set")
        {
            Description = "Override a config value before validation, e.g. --set bfp.mantissa_bits=6 (repeatable).",
            AllowMultipleArgumentsPerToken = false,
        };
        var quietTable = new Option<bool>("--no-table") { Description = "Do not print the table to stdout." };
        var dump = new Option<string?>("--dump-tensors")
        {
            Description = "Write every layer's tensors to this folder as .npy: BFP and reference outputs, weight and input mantissas and shared exponents.",
        };
        var detail = new Option<string>("--detail")
        {
            Description = "Fold timing: 'fold' (closed form) or 'pe' (a literal per-PE, per-cycle model of every fold; small arrays and layers only).",
            DefaultValueFactory = _ => "fold",
        };
        var input = new Option<string?>("--input", "-i")
        {
            Description = "The network input instead of the workload's: a .npy tensor [batch, C, H, W] (or [C, H, W]) used as it is, or a PNG image of the input's height and width, prepared as the workload says (channel order, mean).",
        };
        var scaleSimCompat = new Option<bool>("--scalesim-compat")
        {
            Description = "Count as SCALE-Sim v2 does: no padding (zeros are fetched and read as data), partial sums written per fold.",
        };
        var scaleSimReports = new Option<string?>("--scalesim-reports")
        {
            Description = "Write SCALE-Sim's COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv to this folder (implies --scalesim-compat).",
        };
        var command = new Command("run", "Simulate a workload on an accelerator and report cycles, stalls, traffic, energy and BFP error per layer. " +
            "A .cfg config and a .csv workload are read as SCALE-Sim v2's config and topology.")
        {
            config, workload, json, csv, noNumerics, threads, set, quietTable, dump, input, detail, scaleSimCompat, scaleSimReports,
        };
        var trace = new TraceRunOptions();
        foreach (Option option in trace.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            return Guard(stderr, log, () =>
            {
                int threadCount = parse.GetValue(threads);
                if (threadCount < 1)
                {
                    throw new UsageException($"--threads must be at least 1, was {threadCount}");
                }

                string configPath = ResolveDefault(parse.GetValue(config)!, DefaultConfig);
                string workloadPath = ResolveDefault(parse.GetValue(workload)!, DefaultWorkload);
                var overrides = (parse.GetValue(set) ?? []).Select(ConfigOverride.Parse).ToList();
                TimingDetail timingDetail = parse.GetValue(detail) switch
                {
                    "fold" => TimingDetail.ClosedForm,
                    "pe" => TimingDetail.PeLevel,
                    var other => throw new UsageException($"--detail must be fold or pe, was '{other}'"),
                };
                string? reportsDirectory = parse.GetValue(scaleSimReports);
                (AcceleratorConfig accelerator, ScaleSimSettings? scaleSim) = LoadAccelerator(configPath, overrides);
                accelerator = accelerator with
                {
                    ScaleSimCompatible = parse.GetValue(scaleSimCompat) || reportsDirectory is not null,
                    Detail = timingDetail,
                };
                if (accelerator.ScaleSimCompatible && accelerator.PeArray.Dataflow == Dataflow.RowStationary)
                {
                    throw new UsageException("SCALE-Sim has no row-stationary dataflow (it models os, ws and is): drop --scalesim-compat or choose another pe_array.dataflow");
                }

                bool topology = workloadPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
                Network network = topology ? ScaleSimTopologyReader.Read(workloadPath) : WithInput(ConfigLoader.LoadWorkload(workloadPath), parse.GetValue(input));
                bool numerics = !parse.GetValue(noNumerics) && !topology;
                if (topology && !parse.GetValue(noNumerics))
                {
                    log.Information("{Workload} is a SCALE-Sim topology: it has no data and its layers are independent, so the run is timing only", workloadPath);
                }

                string? dumpDirectory = parse.GetValue(dump);
                if (dumpDirectory is not null && !numerics)
                {
                    throw new UsageException("--dump-tensors needs the numerics; drop --no-numerics");
                }

                using TraceSession? traceSession = trace.Open(parse, accelerator, network);

                log.Information("Running {Workload} ({Layers} layers, {Macs:N0} MACs) on {Config}{Mode}",
                    network.Name, network.Layers.Length, network.MacsPerItem * network.Batch, accelerator.Name, numerics ? "" : " (timing only)");

                var started = System.Diagnostics.Stopwatch.StartNew();
                RunResult result = NetworkRunner.Run(accelerator, network, new RunOptions(numerics, threadCount, dumpDirectory, traceSession), log);
                if (traceSession is not null)
                {
                    TraceRunOptions.Complete(traceSession, log);
                }

                // Compatibility mode with SCALE-Sim's memory settings: its memory system gives the stalls everywhere.
                IReadOnlyList<ScaleSimMemoryResult?>? scaleSimMemory = null;
                if (accelerator.ScaleSimCompatible && ScaleSimMemory(scaleSim, accelerator) is { } memorySettings)
                {
                    var memoryTime = System.Diagnostics.Stopwatch.StartNew();
                    scaleSimMemory = ScaleSimNetworkMemory.Run(network, accelerator, memorySettings, threadCount);
                    result = ScaleSimNetworkMemory.WithScaleSimStalls(result, scaleSimMemory);
                    log.Information("SCALE-Sim's memory system: {Seconds:F2} s", memoryTime.Elapsed.TotalSeconds);
                }

                long events = result.Layers.Sum(l => l.Events);
                log.Information("Simulated {Cycles:N0} cycles ({Events:N0} events) in {Seconds:F2} s",
                    result.TotalCycles, events, started.Elapsed.TotalSeconds);

                if (parse.GetValue(json) is { } jsonPath)
                {
                    AtomicFile.Write(jsonPath, w => new JsonReportWriter().Write(result, w));
                    log.Information("Wrote {Path}", jsonPath);
                }

                if (reportsDirectory is not null)
                {
                    var rows = ScaleSimReports.Rows(result, network, accelerator, scaleSimMemory);
                    ScaleSimReports.Write(reportsDirectory, rows);
                    log.Information("Wrote SCALE-Sim reports to {Path}", reportsDirectory);
                }

                if (parse.GetValue(csv) is { } csvPath)
                {
                    AtomicFile.Write(csvPath, w => new CsvReportWriter().Write(result, w));
                    log.Information("Wrote {Path}", csvPath);
                }

                if (!parse.GetValue(quietTable))
                {
                    RenderTable(result, stdout);
                }

                return ExitCodes.Success;
            });
        });
        return command;
    }

    /// <summary>SCALE-Sim's memory settings from its .cfg (SRAM words, USER-mode bandwidth); null for a YAML config.</summary>
    private static ScaleSimMemoryConfig? ScaleSimMemory(ScaleSimSettings? settings, AcceleratorConfig config)
    {
        if (settings is null)
        {
            return null;
        }

        long Words(long bytes) => bytes / ScaleSimConfigReader.OperandBytes;
        return new ScaleSimMemoryConfig(
            Words(config.Buffers.Ifmap.CapacityBytes), Words(config.Buffers.Weights.CapacityBytes), Words(config.Buffers.Ofmap.CapacityBytes),
            settings.UserBandwidth ? settings.BandwidthWords : null);
    }

    /// <summary>A YAML accelerator config, or SCALE-Sim's .cfg on top of the shipped default config (for what SCALE-Sim
    /// does not describe: clock, vector unit, BFP formats, energy).</summary>
    private static (AcceleratorConfig Config, ScaleSimSettings? ScaleSim) LoadAccelerator(string path, List<ConfigOverride> overrides)
    {
        if (!path.EndsWith(".cfg", StringComparison.OrdinalIgnoreCase))
        {
            return (ConfigLoader.LoadAccelerator(path, overrides), null);
        }

        if (overrides.Count > 0)
        {
            throw new UsageException("--set applies to YAML configs; edit the SCALE-Sim .cfg instead");
        }

        AcceleratorConfig baseline = ConfigLoader.LoadAccelerator(ResolveDefault(DefaultConfig, DefaultConfig));
        (AcceleratorConfig config, ScaleSimSettings settings) = ScaleSimConfigReader.Read(path, baseline);
        return (config, settings);
    }

    private static Command ValidateCommand(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var files = new Argument<string[]>("files") { Description = "Config, workload or energy-table files (YAML), or SCALE-Sim .cfg configs and .csv topologies.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("validate", "Check configs, workloads and energy tables; print every error as file:line:column: message.") { files };
        command.SetAction(parse =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            int failed = 0;
            foreach (string file in parse.GetValue(files)!)
            {
                try
                {
                    if (file.EndsWith(".cfg", StringComparison.OrdinalIgnoreCase))
                    {
                        ScaleSimConfigReader.Read(file, ConfigLoader.LoadAccelerator(ResolveDefault(DefaultConfig, DefaultConfig)));
                        stdout.WriteLine($"{file}: valid SCALE-Sim config");
                        continue;
                    }

                    if (file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
                    {
                        ScaleSimTopologyReader.Read(file);
                        stdout.WriteLine($"{file}: valid SCALE-Sim topology");
                        continue;
                    }

                    ConfigKind kind = ConfigLoader.DetectKind(file);
                    ConfigLoader.Validate(file);
                    stdout.WriteLine($"{file}: valid {KindName(kind)}");
                }
                catch (ConfigException e)
                {
                    failed++;
                    foreach (ConfigError error in e.Errors)
                    {
                        stderr.WriteLine(error.ToString());
                    }
                }
            }

            return failed == 0 ? ExitCodes.Success : ExitCodes.BadInput;
        });
        return command;
    }

    internal static void RenderTable(RunResult result, TextWriter stdout)
    {
        if (ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected)
        {
            ConsoleTableWriter.Render(result, AnsiConsole.Console);
        }
        else
        {
            new ConsoleTableWriter().Write(result, stdout);
        }
    }

    /// <summary>Runs a command body, turning every failure into a clear message and an exit code, never a stack trace.</summary>
    internal static int Guard(TextWriter stderr, ILogger log, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (ConfigException e)
        {
            foreach (ConfigError error in e.Errors)
            {
                stderr.WriteLine(error.ToString());
            }

            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is MappingException or NonFiniteValueException or UsageException or AccelSim.Tensors.NpyFormatException or TraceFormatException or AccelSim.Onnx.OnnxFormatException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"internal error: {e.Message} (run with --verbose for details, and please report it)");
            log.Debug(e, "Internal error");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>The network with its input taken from <c>--input</c>: a .npy tensor as it is, or a PNG image prepared the
    /// way the workload prepares its images (channel order, mean); unchanged without the option.</summary>
    internal static Network WithInput(Network network, string? input)
    {
        if (input is null)
        {
            return network;
        }

        if (!File.Exists(input))
        {
            throw new UsageException($"--input {input}: file not found");
        }

        return Path.GetExtension(input).ToUpperInvariant() switch
        {
            ".NPY" => network with { Inputs = new NpyInputs(input) },
            ".PNG" => network with
            {
                Inputs = network.Inputs is ImageInputs image ? image with { Image = new PngImage(input) } : new ImageInputs(new PngImage(input), Bgr: false, Mean: []),
            },
            _ => throw new UsageException($"--input {input}: give a .npy tensor or a .png image"),
        };
    }

    /// <summary>A default path is looked up from the working folder upwards, then from the executable's folder upwards,
    /// so the shipped defaults are found from any folder of a checkout and by a built executable run from elsewhere.</summary>
    internal static string ResolveDefault(string path, string defaultPath)
    {
        if (path != defaultPath || File.Exists(path))
        {
            return path;
        }

        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, defaultPath);
                if (File.Exists(candidate))
                {
                    return Path.GetRelativePath(Directory.GetCurrentDirectory(), candidate);
                }
            }
        }

        return path;
    }

    private static string KindName(ConfigKind kind) => kind switch
    {
        ConfigKind.Accelerator => "accelerator config",
        ConfigKind.Workload => "workload",
        ConfigKind.EnergyTable => "energy table",
        _ => kind.ToString(),
    };
}

/// <summary>A command-line value that is out of range.</summary>
internal sealed class UsageException(string message) : Exception(message);
