using System.CommandLine;
using AccelSim.Configuration;
using AccelSim.Mapping;
using AccelSim.Numerics;
using AccelSim.Reports;
using AccelSim.ScaleSim;
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
            RunCommand.Build(stdout, stderr, verbose, quiet),
            ValidateCommand(stdout, stderr, verbose, quiet),
            BenchCommand.Build(stdout, stderr, verbose, quiet),
            DescribeCommand.Build(stdout, stderr, verbose, quiet),
            MapCommand.Build(stdout, stderr, verbose, quiet),
            BfpCostCommand.Build(stdout, stderr, verbose, quiet),
            FormatsCommand.Build(stdout, stderr, verbose, quiet),
            SweepCommand.Build(stdout, stderr, verbose, quiet),
            CompressCommand.Build(stdout, stderr, verbose, quiet),
            TraceCommand.Build(stdout, stderr, verbose, quiet),
            ImportCommand.Build(stdout, stderr, verbose, quiet),
            EvalCommand.Build(stdout, stderr, verbose, quiet),
        };
        root.Options.Add(verbose);
        root.Options.Add(quiet);
        return root;
    }

    private static Command ValidateCommand(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var files = new Argument<string[]>("files") { Description = "Config, workload or energy-table files (YAML), or SCALE-Sim .cfg configs and .csv topologies.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("validate", "Check configs, workloads and energy tables; print every error as file:line:column: message.") { files };
        command.SetAction(parse =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            int failed = 0;
            foreach (string file in parse.GetValue(files)!.Select(path => ResolveDefault(path)))
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

    internal static void RenderTable(RunResult result, TextWriter stdout, bool fullEnergy = false)
    {
        if (ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected)
        {
            ConsoleTableWriter.Render(result, AnsiConsole.Console, fullEnergy);
        }
        else
        {
            new ConsoleTableWriter { FullEnergy = fullEnergy }.Write(result, stdout);
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
        catch (AccelSim.Execution.CycleLimitException e)
        {
            // A limit the user set (or its default): bad input. The kernel's report of the pending work is for --verbose.
            stderr.WriteLine($"error: {e.Message}");
            log.Debug(e.InnerException, "Cycle limit");
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
                Inputs = network.Inputs is ImageInputs image ? image with { Image = new PngImage(input) } : new ImageInputs(new PngImage(input), Bgr: false, Mean: ImageMean.None),
            },
            _ => throw new UsageException($"--input {input}: give a .npy tensor or a .png image"),
        };
    }

    /// <summary>A default path, or a missing relative path under one of the shipped folders (<c>Configs/</c>,
    /// <c>Workloads/</c>), is looked up from the working folder upwards, then from the executable's folder upwards, so the
    /// shipped files are found from any folder of a checkout, by a built executable run from elsewhere and by the
    /// installed tool (which carries them beside itself). A path that exists where it is written is taken as it is.</summary>
    internal static string ResolveDefault(string path, string? defaultPath = null)
    {
        if (File.Exists(path) || !(path == defaultPath || IsUnderShippedFolder(path)))
        {
            return path;
        }

        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, path);
                if (File.Exists(candidate))
                {
                    return Path.GetRelativePath(Directory.GetCurrentDirectory(), candidate);
                }
            }
        }

        return path;
    }

    private static bool IsUnderShippedFolder(string path)
    {
        string normalized = path.Replace('\\', '/');
        return !Path.IsPathRooted(path) && !normalized.Split('/').Contains("..")
            && (normalized.StartsWith("Configs/", StringComparison.Ordinal) || normalized.StartsWith("Workloads/", StringComparison.Ordinal));
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
