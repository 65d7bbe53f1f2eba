using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Reports;
using Spectre.Console;

namespace AccelSim.Cli;

/// <summary><c>accelsim bench</c>: times the main scenarios end to end and reports medians over repeated runs.</summary>
/// <remarks>Machines are shared and noisy, so each scenario runs several times and the median is reported, with the
/// spread; figures are only comparable within one bench run.</remarks>
internal static class BenchCommand
{
    /// <summary>A named scenario: config, workload, whether numerics run.</summary>
    internal sealed record Scenario(string Name, string Config, string Workload, bool Numerics, string What);

    internal static readonly Scenario[] Scenarios =
    [
        new("default", Commands.DefaultConfig, Commands.DefaultWorkload, true, "the README's main command: VGG-16 with numerics on the default accelerator"),
        new("vgg16-timing", Commands.DefaultConfig, Commands.DefaultWorkload, false, "VGG-16, timing and energy only"),
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
                foreach (string heading in new[] { "scenario", "median s", "min s", "max s", "events", "events/s (median)", "what" })
                {
                    table.AddColumn(heading);
                }

                foreach (Scenario scenario in Scenarios.Where(s => selected.Length == 0 || selected.Contains(s.Name)))
                {
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
                    table.AddRow(scenario.Name, F(median), F(seconds[0]), F(seconds[^1]), events.ToString("N0", CultureInfo.InvariantCulture),
                        (events / median).ToString("N0", CultureInfo.InvariantCulture), Markup.Escape(scenario.What));
                }

                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
                console.Profile.Width = 200;
                console.Write(table);
                return ExitCodes.Success;
            });
        });
        return command;
    }

    internal static double Median(IReadOnlyList<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    private static string F(double seconds) => seconds.ToString("F3", CultureInfo.InvariantCulture);
}
