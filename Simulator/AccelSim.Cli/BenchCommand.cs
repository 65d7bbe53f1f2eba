using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Reports;
using AccelSim.Sweeps;
using Spectre.Console;

namespace AccelSim.Cli;

/// <summary><c>accelsim bench</c>: times the main scenarios end to end and reports medians over repeated runs.</summary>
/// <remarks>Machines are shared and noisy, so each scenario runs several times and the median is reported, with the
/// spread; figures are only comparable within one bench run.</remarks>
internal static class BenchCommand
{
    /// <summary>A named scenario: config, workload, whether numerics run; or a sweep spec, run whole into a temporary folder.</summary>
    internal sealed record Scenario(string Name, string Config, string Workload, bool Numerics, string What, string? Sweep = null);

    /// <summary>The sweep benchmark: 1,000 timing-only points of ResNet-50.</summary>
    public const string SweepSpec = "Configs/sweeps/resnet50_1000.yaml";

    internal static readonly Scenario[] Scenarios =
    [
        new("default", Commands.DefaultConfig, Commands.DefaultWorkload, true, "the README's main command: VGG-16 with numerics on the default accelerator"),
        new("vgg16-timing", Commands.DefaultConfig, Commands.DefaultWorkload, false, "VGG-16, timing and energy only"),
        new("sweep", "", "", false, $"{SweepSpec}: 1,000 timing-only points of ResNet-50, one job per thread", SweepSpec),
    ];

    public static Command Build(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var repeat = new Option<int>("--repeat", "-n") { Description = "Runs per scenario (the median is reported).", DefaultValueFactory = _ => 5 };
        var only = new Option<string[]>("--scenario", "-s")
        {
            Description = $"Run only these scenarios (repeatable): {string.Join(", ", Scenarios.Select(s => s.Name))}.",
        };
        var threads = new Option<int>("--threads", "-j") { Description = "Worker threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("bench", "Time the main scenarios (medians over repeated runs) and print events per second.") { repeat, only, threads };
        command.SetAction(parse =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            return Commands.Guard(stderr, log, () =>
            {
                int runs = parse.GetValue(repeat);
                if (runs < 1)
                {
                    throw new UsageException($"--repeat must be at least 1, was {runs}");
                }

                string[] selected = parse.GetValue(only) ?? [];
                var unknown = selected.Where(s => Scenarios.All(x => x.Name != s)).ToList();
                if (unknown.Count > 0)
                {
                    throw new UsageException($"unknown scenario '{unknown[0]}'; known: {string.Join(", ", Scenarios.Select(s => s.Name))}");
                }

                var table = new Table().Border(TableBorder.Rounded).Title($"accelsim bench: {runs} run(s) per scenario, {parse.GetValue(threads)} thread(s)");
                foreach (string heading in new[] { "scenario", "median s", "min s", "max s", "work", "per second (median)", "what" })
                {
                    table.AddColumn(heading);
                }

                foreach (Scenario scenario in Scenarios.Where(s => selected.Length == 0 || selected.Contains(s.Name)))
                {
                    if (scenario.Sweep is { } spec)
                    {
                        var sweepSeconds = new List<double>();
                        int points = 0;
                        for (int i = 0; i < runs; i++)
                        {
                            (double elapsed, points) = RunSweep(Commands.ResolveDefault(spec, spec), parse.GetValue(threads));
                            sweepSeconds.Add(elapsed);
                            log.Information("{Scenario} run {Run}: {Seconds:F3} s for {Points} points", scenario.Name, i + 1, elapsed, points);
                        }

                        sweepSeconds.Sort();
                        double sweepMedian = Median(sweepSeconds);
                        table.AddRow(scenario.Name, F(sweepMedian), F(sweepSeconds[0]), F(sweepSeconds[^1]), $"{points:N0} points",
                            $"{points / sweepMedian:N1} points", Markup.Escape(scenario.What));
                        continue;
                    }

                    var config = ConfigLoader.LoadAccelerator(Commands.ResolveDefault(scenario.Config, scenario.Config));
                    var network = ConfigLoader.LoadWorkload(Commands.ResolveDefault(scenario.Workload, scenario.Workload));
                    var seconds = new List<double>();
                    long events = 0;
                    for (int i = 0; i < runs; i++)
                    {
                        var clock = Stopwatch.StartNew();
                        RunResult result = NetworkRunner.Run(config, network, new RunOptions(scenario.Numerics, parse.GetValue(threads)));
                        seconds.Add(clock.Elapsed.TotalSeconds);
                        events = result.Layers.Sum(l => l.Events);
                        log.Information("{Scenario} run {Run}: {Seconds:F3} s", scenario.Name, i + 1, seconds[^1]);
                    }

                    seconds.Sort();
                    double median = Median(seconds);
                    table.AddRow(scenario.Name, F(median), F(seconds[0]), F(seconds[^1]), $"{events.ToString("N0", CultureInfo.InvariantCulture)} events",
                        $"{(events / median).ToString("N0", CultureInfo.InvariantCulture)} events", Markup.Escape(scenario.What));
                }

                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
                console.Profile.Width = 200;
                console.Write(table);
                return ExitCodes.Success;
            });
        });
        return command;
    }

    /// <summary>Runs a whole sweep into a fresh temporary folder (no plots) and returns the wall time and the number of points.</summary>
    private static (double Seconds, int Points) RunSweep(string spec, int jobs)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"accelsim-bench-{Guid.NewGuid():N}");
        try
        {
            var clock = Stopwatch.StartNew();
            var options = new SweepRunOptions { Jobs = jobs, Shard = Shard.All, PerLayer = false, Plots = false };
            SweepOutcome outcome = SweepRunner.Run(spec, folder, options, null, Serilog.Core.Logger.None, CancellationToken.None);
            return (clock.Elapsed.TotalSeconds, outcome.Records.Count);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    internal static double Median(IReadOnlyList<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    private static string F(double seconds) => seconds.ToString("F3", CultureInfo.InvariantCulture);
}
