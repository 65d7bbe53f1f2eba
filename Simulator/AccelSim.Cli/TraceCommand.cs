using System.CommandLine;
using System.Globalization;
using AccelSim.Hardware;
using AccelSim.Tracing;
using AccelSim.Workloads;
using Serilog;

namespace AccelSim.Cli;

/// <summary>The <c>--trace</c> options of <c>run</c>, and <c>accelsim trace summarize|slice|plot</c>.</summary>
internal static class TraceCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var command = new Command("trace", "Ask a trace (the .json written by run --trace) questions: summarize it, list a window, plot a window.")
        {
            Summarize(stdout, stderr, verbose, quiet),
            Slice(stdout, stderr, verbose, quiet),
            Plot(stdout, stderr, verbose, quiet),
        };
        return command;
    }

    private static Command Summarize(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var file = new Argument<string>("file") { Description = "A trace-event JSON trace written by run --trace." };
        var command = new Command("summarize", "Per component busy and stall %, stall cycles by cause, per layer cycles, the longest idle gaps and a DRAM bandwidth histogram.") { file };
        command.SetAction(parse =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            return Commands.Guard(stderr, log, () =>
            {
                stdout.Write(TraceSummary.Of(TraceFile.Read(parse.GetValue(file)!)).ToText());
                return ExitCodes.Success;
            });
        });
        return command;
    }

    private static Command Slice(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var (file, from, to, component) = WindowOptions();
        var command = new Command("slice", "What happened between two cycles, as a table: slices overlapping the window and counter changes in it.") { file, from, to, component };
        command.SetAction(parse =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            return Commands.Guard(stderr, log, () =>
            {
                stdout.Write(Window(parse, file, from, to, component).ToText());
                return ExitCodes.Success;
            });
        });
        return command;
    }

    private static Command Plot(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var (file, from, to, component) = WindowOptions();
        var output = new Option<string>("--output", "-o") { Description = "The PNG to write.", Required = true };
        var width = new Option<int>("--width") { Description = "Width in pixels.", DefaultValueFactory = _ => 1200 };
        var command = new Command("plot", "Draw a window of the trace as a PNG timeline: a row per component, slices coloured by category.") { file, from, to, component, output, width };
        command.SetAction(parse =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            return Commands.Guard(stderr, log, () =>
            {
                int pixels = parse.GetValue(width);
                if (pixels is < 200 or > 20_000)
                {
                    throw new UsageException($"--width must be between 200 and 20000 pixels, was {pixels}");
                }

                string path = parse.GetValue(output)!;
                new OutputPaths().Input("<file>", parse.GetValue(file)).File("--output", path).Check();
                TraceWindow window = Window(parse, file, from, to, component);
                try
                {
                    TracePlot.Render(window, path, pixels);
                }
                catch (ArgumentException e)
                {
                    throw new UsageException(e.Message);
                }

                log.Information("Wrote {Path} ({Slices} slices)", path, window.Slices.Length);
                return ExitCodes.Success;
            });
        });
        return command;
    }

    private static (Argument<string> File, Option<long> From, Option<long> To, Option<string?> Component) WindowOptions() => (
        new Argument<string>("file") { Description = "A trace-event JSON trace written by run --trace." },
        new Option<long>("--from") { HelpName = "CYCLE", Description = "First cycle of the window (network cycles, as in the trace).", Required = true },
        new Option<long>("--to") { HelpName = "CYCLE", Description = "The cycle the window ends before.", Required = true },
        new Option<string?>("--component") { HelpName = "COMPONENT", Description = "Show one component only (pe_array, vector_unit, dram, bfp_converter, ifmap, weights, ofmap, layers)." });

    private static TraceWindow Window(ParseResult parse, Argument<string> file, Option<long> from, Option<long> to, Option<string?> component)
    {
        TraceDocument trace = TraceFile.Read(parse.GetValue(file)!);
        try
        {
            return TraceWindow.Of(trace, parse.GetValue(from), parse.GetValue(to), parse.GetValue(component));
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}

/// <summary>The options of <c>run</c> that turn tracing on and bound it.</summary>
internal sealed class TraceRunOptions
{
    public Option<string[]> Files { get; } = new("--trace")
    {
        HelpName = "FILE",
        Description = "Write a trace of the run to FILE (repeatable); the extension picks the format: " + TraceFormats.Allowed + ".",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> Layers { get; } = new("--trace-layers") { HelpName = "LAYERS", Description = "Trace only these layers (comma-separated names; repeatable)." };

    public Option<string[]> Components { get; } = new("--trace-components")
    {
        HelpName = "COMPONENTS",
        Description = "Trace only these components (comma-separated): " + string.Join(", ", TraceNames.Components) + ".",
    };

    public Option<long?> From { get; } = new("--trace-from") { HelpName = "CYCLE", Description = "Trace from this network cycle on." };

    public Option<long?> To { get; } = new("--trace-to") { HelpName = "CYCLE", Description = "Trace up to (not including) this network cycle." };

    public Option<string> MaxBytes { get; } = new("--trace-max-bytes")
    {
        HelpName = "SIZE",
        Description = "Stop writing a trace file at this size, with a notice (bytes, or with a K, M or G suffix: 1024-based).",
        DefaultValueFactory = _ => "1G",
    };

    public IEnumerable<Option> All => [Files, Layers, Components, From, To, MaxBytes];

    /// <summary>Adds every <c>--trace</c> file to a command's outputs.</summary>
    public OutputPaths AddOutputs(ParseResult parse, OutputPaths outputs)
    {
        foreach (string file in parse.GetValue(Files) ?? [])
        {
            outputs.File("--trace", file);
        }

        return outputs;
    }

    /// <summary>The trace session the options ask for, or null when no <c>--trace</c> is given.</summary>
    /// <exception cref="UsageException">A bad file extension, an unknown layer or component, an empty window, a bad size.</exception>
    public TraceSession? Open(ParseResult parse, AcceleratorConfig config, Network network)
    {
        string[] files = parse.GetValue(Files) ?? [];
        string[] layers = Split(parse.GetValue(Layers));
        string[] components = Split(parse.GetValue(Components));
        long? from = parse.GetValue(From);
        long? to = parse.GetValue(To);
        if (files.Length == 0)
        {
            if (layers.Length > 0 || components.Length > 0 || from is not null || to is not null)
            {
                throw new UsageException("--trace-layers, --trace-components, --trace-from and --trace-to need a --trace FILE");
            }

            return null;
        }

        var formats = files.Select(f => (File: f, Format: TraceFormats.FromPath(f)
            ?? throw new UsageException($"--trace {f}: unknown trace format '{Path.GetExtension(f)}'; use {TraceFormats.Allowed}"))).ToList();
        if (files.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).Count() != files.Length)
        {
            throw new UsageException("--trace: the same file is given twice");
        }

        var names = network.Layers.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        if (layers.FirstOrDefault(l => !names.Contains(l)) is { } unknownLayer)
        {
            throw new UsageException($"--trace-layers: the workload has no layer '{unknownLayer}'; it has: {string.Join(", ", network.Layers.Select(l => l.Name))}");
        }

        if (components.FirstOrDefault(c => !TraceNames.Components.Contains(c)) is { } unknownComponent)
        {
            throw new UsageException($"--trace-components: unknown component '{unknownComponent}'; use {string.Join(", ", TraceNames.Components)}");
        }

        long fromCycle = from ?? 0;
        long toCycle = to ?? long.MaxValue;
        if (fromCycle < 0 || toCycle <= fromCycle)
        {
            throw new UsageException($"--trace-from and --trace-to must give 0 <= from < to, were {fromCycle} and {(to is null ? "none" : toCycle.ToString(CultureInfo.InvariantCulture))}");
        }

        long maxBytes = ParseSize(parse.GetValue(MaxBytes)!);
        var filter = new TraceFilter
        {
            Layers = layers.Length > 0 ? [.. layers] : null,
            Components = components.Length > 0 ? [.. components] : null,
            FromCycle = fromCycle,
            ToCycle = toCycle,
        };
        var metadata = new TraceMetadata(config.Name, network.Name, config.ClockMegahertz, config.Dram.BandwidthBytesPerCycle);
        var writers = new List<ITraceWriter>();
        try
        {
            foreach (var (file, format) in formats)
            {
                try
                {
                    writers.Add(TraceFormats.Open(file, format, maxBytes, metadata));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new UsageException($"--trace {file}: cannot write there ({e.Message})");
                }
            }
        }
        catch
        {
            writers.ForEach(w => w.Dispose());
            throw;
        }

        return new TraceSession(writers, filter, recordAccesses: formats.Any(f => f.Format == TraceFormat.AddressCsv));
    }

    /// <summary>Completes the files and says where they are, warning about any the size cap stopped.</summary>
    public static void Complete(TraceSession session, ILogger log)
    {
        session.Complete();
        foreach (ITraceWriter writer in session.Writers)
        {
            if (writer.Truncated)
            {
                log.Warning("Trace {Path} stopped at the size cap (--trace-max-bytes); it ends with a notice", writer.Path);
            }

            log.Information("Wrote trace {Path}", writer.Path);
        }
    }

    internal static long ParseSize(string text)
    {
        string trimmed = text.Trim();
        long unit = trimmed.Length > 0 ? char.ToUpperInvariant(trimmed[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 } : 1;
        string digits = unit == 1 ? trimmed : trimmed[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value < 1 || value > long.MaxValue / unit)
        {
            throw new UsageException($"--trace-max-bytes must be a positive size in bytes, optionally with K, M or G (e.g. 64M), was '{text}'");
        }

        return value * unit;
    }

    private static string[] Split(string[]? values) =>
        [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
}
