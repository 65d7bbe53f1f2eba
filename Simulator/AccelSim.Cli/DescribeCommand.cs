using System.CommandLine;
using System.Globalization;
using AccelSim.Configuration;
using AccelSim.Energy;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Workloads;
using Spectre.Console;

namespace AccelSim.Cli;

/// <summary><c>accelsim describe</c>: every component's statistics and priced actions, with the table entry and its source.</summary>
internal static class DescribeCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var config = new Option<string>("--config", "-c") { Description = "Accelerator config (YAML).", DefaultValueFactory = _ => Commands.DefaultConfig };
        var set = new Option<string[]>("--set") { Description = "Override a config value before validation (repeatable)." };
        var command = new Command("describe", "List every component's statistics (path, unit, meaning) and every priced action with its energy-table entry and source.")
        {
            config, set,
        };
        command.SetAction(parse =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            return Commands.Guard(stderr, log, () =>
            {
                var overrides = (parse.GetValue(set) ?? []).Select(ConfigOverride.Parse).ToList();
                LoadedAccelerator accelerator = ConfigLoader.LoadAcceleratorWithEnergy(Commands.ResolveDefault(parse.GetValue(config)!, Commands.DefaultConfig), overrides);
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
                console.Profile.Width = 220;
                Render(accelerator.Hardware, accelerator.Energy, console);
                return ExitCodes.Success;
            });
        });
        return command;
    }

    /// <summary>How the config maps conv and FC layers, with the order that breaks the objective's ties.</summary>
    internal static string MapperLine(MapperConfig mapper)
    {
        string search = mapper.Search switch
        {
            MapperSearch.Heuristic => "heuristic (each dataflow's own mapping, no search)",
            MapperSearch.Exhaustive => "exhaustive (every point of each conv/FC layer's mapping space simulated)",
            _ => "pruned (each conv/FC layer's mapping space searched by lower bounds: exhaustive's optimum, the heuristic simulated first)",
        };
        string objective = MapCommand.SnakeCase(mapper.Objective.ToString());
        string budget = mapper.Budget is { } b ? string.Create(CultureInfo.InvariantCulture, $", at most {b} mappings simulated per layer") : "";
        return mapper.Search == MapperSearch.Heuristic
            ? $"mapper: search {search}."
            : $"mapper: search {search}; objective {objective}, ties to fewer cycles, then fewer DRAM bytes, then less energy, then the point enumerated first (the heuristic){budget}.";
    }

    private static void Render(AcceleratorConfig config, EnergyTable energy, IAnsiConsole console)
    {
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{config.Name}: {config.PeArray.Rows}x{config.PeArray.Cols} {config.PeArray.Dataflow} array at {config.ClockMegahertz} MHz; " +
            $"DRAM {config.Dram.BandwidthBytesPerCycle} B/cycle, {config.Dram.LatencyCycles} cycles latency; energy table '{energy.Name}' ({energy.TechnologyNanometers} nm).")));
        console.MarkupLine(Markup.Escape(MapperLine(config.Mapper)));

        var stats = new Table().Border(TableBorder.Rounded).Title("Statistics (counted per layer)");
        stats.AddColumn("path");
        stats.AddColumn("unit");
        stats.AddColumn("meaning");
        foreach (var counter in LayerSimulator.Statistics(config))
        {
            stats.AddRow(counter.Path, counter.Unit.ToString().ToLowerInvariant(), Markup.Escape(counter.Description));
        }

        console.Write(stats);

        // A representative layer fixes the widths that depend on the layer (an exact accumulator grows with K).
        var probe = ConvLayer.Square("probe", Network.InputName, new TensorShape(512, 14, 14), 512, 3, 1, 1, relu: true, new SyntheticWeights(0));
        var actions = new Table().Border(TableBorder.Rounded)
            .Title($"Priced actions (an exact accumulator is priced per layer: {EnergyAccounting.AccumulatorBits(probe, config.Bfp)} bits shown, for K = 4,608)");
        foreach (string heading in new[] { "component", "action", "entry", "width bits", "pJ per action", "source" })
        {
            actions.AddColumn(heading);
        }

        // Every action the config has is listed, counted or not (a gating array has no zero-operand arithmetic lines).
        foreach (PricedAction action in EnergyAccounting.Actions(probe, ActivityCounts.None, config, totalCycles: 1, zeroOperandMacs: null))
        {
            var entry = energy.Entries[action.Entry];
            double perAction = EnergyModel.PicoJoulesPerAction(energy, action with { Count = 1 });
            string unit = action.Key.Basis switch
            {
                ActionBasis.PerBit => " per bit",
                ActionBasis.PerCycle => $" per cycle at {config.ClockMegahertz.ToString(CultureInfo.InvariantCulture)} MHz",
                _ => "",
            };
            actions.AddRow(action.Key.Component.Path, action.Key.Name, action.Entry, action.Bits.ToString("0.##", CultureInfo.InvariantCulture),
                perAction.ToString("G4", CultureInfo.InvariantCulture) + unit, Markup.Escape($"{entry.Scaling.ToString().ToLowerInvariant()} from {entry.ReferenceBits} bits; {entry.Source}"));
        }

        console.Write(actions);
        RenderCosts(config, energy, console);
    }

    private static void RenderCosts(AcceleratorConfig config, EnergyTable energy, IAnsiConsole console)
    {
        if (CostEstimator.Area(config, energy) is { } area)
        {
            var table = new Table().Border(TableBorder.Rounded).Title($"Area estimate (table '{area.Table}'; arithmetic and SRAM cells only)");
            foreach (string heading in new[] { "component", "part", "count", "µm² each", "mm²", "source" })
            {
                table.AddColumn(heading);
            }

            foreach (var line in area.Lines)
            {
                table.AddRow(line.Component, line.Part, line.Count.ToString("N0", CultureInfo.InvariantCulture),
                    line.SquareMicrometresEach.ToString("G4", CultureInfo.InvariantCulture), line.SquareMillimetres.ToString("F4", CultureInfo.InvariantCulture),
                    Markup.Escape(energy.Areas[line.Entry].Source));
            }

            console.Write(table);
        }
        else
        {
            console.MarkupLine(Markup.Escape($"Energy table '{energy.Name}' gives no areas: no area estimate."));
        }

        if (CostEstimator.Fpga(config, energy) is { } fpga && energy.Fpga is { } figures)
        {
            FpgaMultiplier multiplier = fpga.MultiplierKind == "fixed16" ? figures.Fixed16 : figures.Float16;
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"FPGA estimate ({fpga.Family}): {fpga.Dsp:N0} DSP, {fpga.Lut:N0} LUT, {fpga.FlipFlops:N0} FF, {fpga.BlockRams:N0} BRAM, {fpga.ClockMegahertz} MHz; " +
                $"per PE a {fpga.MultiplierKind} multiplier ({multiplier.Dsp} DSP, {multiplier.Lut} LUT, {multiplier.FlipFlops} FF, {multiplier.MaxClockMegahertz} MHz: {multiplier.Source}); " +
                $"adders {figures.AdderLutsPerBit} LUT and {figures.AdderFlipFlopsPerBit} FF per bit, block RAM {figures.BlockRamBits} bits ({figures.Source}). {fpga.Notes}.")));
        }
        else
        {
            console.MarkupLine(Markup.Escape("No FPGA estimate: the table gives no FPGA figures, or the array's arithmetic (float32, or mantissas over 18 bits) has no cited multiplier."));
        }
    }
}
