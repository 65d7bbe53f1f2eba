using System.CommandLine;
using System.Globalization;
using System.Text;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Workloads;

namespace AccelSim.Cli;

/// <summary><c>accelsim map</c>: per conv and FC layer, the mapping a run with this config uses, what the event-driven
/// model measures for it, and the runners-up of its mapping space with what makes them lose.</summary>
internal static class MapCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var config = new Option<string>("--config", "-c") { Description = "Accelerator config (YAML); its mapper section sets the search and objective.", DefaultValueFactory = _ => Commands.DefaultConfig };
        var workload = new Option<string>("--workload", "-w") { Description = "Workload (YAML).", DefaultValueFactory = _ => Commands.DefaultWorkload };
        var set = new Option<string[]>("--set") { Description = "Override a config value before validation (repeatable), e.g. mapper.objective=energy." };
        var layerName = new Option<string?>("--layer", "-l") { Description = "Only this layer (by name)." };
        var top = new Option<int>("--top") { Description = "Runners-up shown per layer (0 to 100).", DefaultValueFactory = _ => 3 };
        var command = new Command("map",
            "Per conv/FC layer: the chosen mapping as a loop nest, its cycles, stalls, DRAM and SRAM traffic and energy, and the runners-up of its mapping space with what makes them lose. " +
            "The space is ranked under mapper.objective; with mapper.search heuristic the heuristic is the choice and the space is still ranked exhaustively to show the alternatives.")
        {
            config, workload, set, layerName, top,
        };
        command.SetAction(parse =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            return Commands.Guard(stderr, log, () =>
            {
                int runnersUp = parse.GetValue(top);
                if (runnersUp is < 0 or > 100)
                {
                    stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error: --top must be from 0 to 100, was {runnersUp}"));
                    return ExitCodes.BadInput;
                }

                new OutputPaths().Input("--config", parse.GetValue(config)).Input("--workload", parse.GetValue(workload)).Check();
                var overrides = (parse.GetValue(set) ?? []).Select(ConfigOverride.Parse).ToList();
                LoadedAccelerator accelerator = ConfigLoader.LoadAcceleratorWithEnergy(Commands.ResolveDefault(parse.GetValue(config)!, Commands.DefaultConfig), overrides);
                Network network = ConfigLoader.LoadWorkload(Commands.ResolveDefault(parse.GetValue(workload)!, Commands.DefaultWorkload));
                string? only = parse.GetValue(layerName);
                if (only is not null && !network.Layers.Any(l => l.Name == only))
                {
                    stderr.WriteLine($"error: --layer '{only}': the workload has no such layer");
                    return ExitCodes.BadInput;
                }

                Render(accelerator, network, only, runnersUp, stdout);
                return ExitCodes.Success;
            });
        });
        return command;
    }

    private static void Render(LoadedAccelerator accelerator, Network network, string? only, int runnersUp, TextWriter stdout)
    {
        AcceleratorConfig config = accelerator.Hardware;
        MapperConfig mapper = config.Mapper;
        MapperConfig ranking = mapper.Search == MapperSearch.Heuristic ? mapper with { Search = MapperSearch.Exhaustive } : mapper;
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{network.Name} on {config.Name} ({config.PeArray.Rows}x{config.PeArray.Cols} {SnakeCase(config.PeArray.Dataflow.ToString())}), batch {network.Batch}; " +
            $"mapper: search {SnakeCase(mapper.Search.ToString())}, objective {SnakeCase(mapper.Objective.ToString())}"));
        for (int i = 0; i < network.Layers.Length; i++)
        {
            Layer layer = network.Layers[i];
            if (!Mapper.RunsOnTheArray(layer) || (only is not null && layer.Name != only))
            {
                continue;
            }

            LayerContext context = LayerSimulator.Partitioned(layer, network.Batch, config with { Mapper = MapperConfig.Heuristic }, LayerContexts.For(network, i, config, RunSettings.Native)).Context;
            MappingSearchResult found = MappingSearch.Search(layer, network.Batch, config, context, accelerator.Energy, ranking);
            MappingCandidate chosen = mapper.Search == MapperSearch.Heuristic ? found.Ranked.Single(c => c.Index == 0) : found.Best;
            stdout.WriteLine();
            int chosenRank = found.Ranked.IndexOf(chosen) + 1;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"layer {layer.Name}: {found.SpacePoints} mapping(s) in the space, {found.Ranked.Length} simulated; chosen: {chosen.Point} (#{chosenRank} under the objective)"));
            stdout.WriteLine("  loop nest: " + chosen.Schedule.Description);
            stdout.WriteLine("  " + Figures(chosen));
            foreach ((MappingCandidate other, int rank) in found.Ranked.Select((c, r) => (c, r + 1)).Where(p => p.c != chosen).Take(runnersUp))
            {
                bool tie = other.Objective == chosen.Objective && other.Timing.TotalCycles == chosen.Timing.TotalCycles
                    && other.DramBytes == chosen.DramBytes && other.EnergyPicoJoules == chosen.EnergyPicoJoules;
                string verdict = tie ? "ties with the choice, which comes first in the enumeration"
                    : (rank < chosenRank ? "beats the choice by " : "loses by ") + Difference(other, chosen, mapper.Objective);
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  #{rank} {other.Point}: {Figures(other)}; {verdict}"));
            }
        }
    }

    /// <summary>An enum value as configs write it: <c>DramBytes</c> → <c>dram_bytes</c>.</summary>
    internal static string SnakeCase(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    private static string Figures(MappingCandidate c) => string.Create(CultureInfo.InvariantCulture,
        $"cycles {c.Timing.TotalCycles:N0} (stalls {c.Timing.StallCycles:N0}), DRAM {c.DramBytes:N0} B, SRAM {SramBytes(c.Schedule):N0} B, energy {c.EnergyPicoJoules / 1e6:F2} µJ");

    /// <summary>Bytes the engine reads from and writes to the buffers, partial sums read and written back included, and
    /// the tiles written into them.</summary>
    private static long SramBytes(TileSchedule schedule) =>
        schedule.IfmapTileBytes.TotalBytes + schedule.WeightTileBytes.TotalBytes
        + schedule.Steps.Sum(s => s.IfmapReadBytes + s.WeightReadBytes + s.OutputBytes + (2 * s.PartialSumBytes));

    /// <summary>How <paramref name="other"/> differs from <paramref name="chosen"/>: the objective first, then cycles split
    /// into compute and stalls, DRAM bytes and energy.</summary>
    private static string Difference(MappingCandidate other, MappingCandidate chosen, MapperObjective objective)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{SnakeCase(objective.ToString())} {Percent(other.Objective, chosen.Objective)}");
        long cycles = other.Timing.TotalCycles - chosen.Timing.TotalCycles;
        text.Append(CultureInfo.InvariantCulture, $"; cycles {cycles:+#,0;-#,0;0} (compute {other.Timing.ComputeCycles - chosen.Timing.ComputeCycles:+#,0;-#,0;0}, stalls {other.Timing.StallCycles - chosen.Timing.StallCycles:+#,0;-#,0;0})");
        text.Append(CultureInfo.InvariantCulture, $"; DRAM {other.DramBytes - chosen.DramBytes:+#,0;-#,0;0} B; energy {Percent(other.EnergyPicoJoules, chosen.EnergyPicoJoules)}");
        return text.ToString();

        static string Percent(double value, double reference) =>
            reference == 0 ? (value == 0 ? "+0%" : "+inf") : ((value - reference) / reference * 100).ToString("+0.0'%';-0.0'%';+0%", CultureInfo.InvariantCulture);
    }
}
