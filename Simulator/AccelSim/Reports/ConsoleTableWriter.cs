using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AccelSim.Reports;

/// <summary>The human-readable table: one row per layer, then network totals.</summary>
public sealed class ConsoleTableWriter : IReportWriter
{
    /// <summary>Also print the full energy breakdown, by component and action, after the compact one.</summary>
    public bool FullEnergy { get; init; }

    /// <summary>Renders to an existing console (colours and width as it detected them); with
    /// <paramref name="fullEnergy"/>, also the energy of every action.</summary>
    public static void Render(RunResult result, IAnsiConsole console, bool fullEnergy = false)
    {
        bool numerics = result.Agreement is not null;
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{Markup.Escape(result.WorkloadName)} on {Markup.Escape(result.ConfigName)} ({result.PeCount} PEs, {Number(result.ClockMegahertz)} MHz, batch {result.Batch})");
        bool onnx = result.ReportsOnnxNodes;
        table.AddColumn("layer");
        if (onnx)
        {
            table.AddColumn("ONNX node");
        }

        table.AddColumn("type");
        foreach (string heading in new[] { "MACs", "cycles", "compute", "stall", "util %", "DRAM rd B", "DRAM wr B", "energy µJ", "SQNR dB", "model dB" })
        {
            table.AddColumn(new TableColumn(heading).RightAligned());
        }

        foreach (LayerResult layer in result.Layers)
        {
            // A fused layer is marked in its type: its row has no cycles, traffic or energy of its own.
            table.AddRow(Cells(onnx, Markup.Escape(layer.Name), layer.OnnxNode ?? "", layer.FusedInto is null ? layer.Type : $"{layer.Type} ⇡", layer.Macs, layer.TotalCycles, layer.ComputeCycles, layer.StallCycles,
                layer.OverallUtilization, layer.DramReadBytes, layer.DramWriteBytes, layer.EnergyPicoJoules, numerics ? layer.Numerics?.Accumulated.SqnrDb : null,
                layer.Numerics is { } n ? Db(n.PredictedSqnrDb) + (n.ExceedsPrediction ? " !" : "") : "-"));
        }

        table.AddEmptyRow();
        table.AddRow(Cells(onnx, "[bold]total[/]", "", "", result.TotalMacs, result.TotalCycles, result.ComputeCycles, result.StallCycles,
            result.OverallUtilization, result.DramReadBytes, result.DramWriteBytes, result.EnergyPicoJoules, result.OutputError?.SqnrDb,
            result.Layers.IsEmpty || result.Layers[^1].Numerics is not { } last ? "-" : Db(last.PredictedSqnrDb)));
        console.Write(table);

        if (result.Layers.Any(l => l.Numerics?.ExceedsPrediction == true))
        {
            console.MarkupLine(Markup.Escape("! measured error more than 2x the four-stage model's prediction."));
        }

        if (result.ReportsFusion)
        {
            var fused = result.Layers.Where(l => l.FusedInto is not null).Select(l => $"{l.Name} into {l.FusedInto}").ToList();
            if (fused.Count > 0)
            {
                console.MarkupLine(Markup.Escape($"⇡ fused into the producer's output path (its cycles, vector-unit work and SRAM accesses are in the producer's row): {string.Join(", ", fused)}."));
            }

            foreach (LayerResult layer in result.Layers.Where(l => l.NotFused is not null))
            {
                console.MarkupLine(Markup.Escape($"Not fused: {layer.Name}: {layer.NotFused}."));
            }
        }

        if (result.ReportsCompression)
        {
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"Zero compression saved {Number(result.CompressionSavedBytes)} DRAM bytes, {Number(result.CompressionSavedCycles)} cycles and " +
                $"{result.CompressionSavedEnergyPicoJoules / 1e6:F1} µJ against the same run with activation_compression: none.")));
        }

        var stalls = string.Join(", ", result.StallCyclesByCause.Select(p => $"{ReportFields.StallKey(p.Key)} {Number(p.Value)}"));
        console.MarkupLine(Markup.Escape($"Stall cycles by cause: {stalls}."));
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Latency {result.LatencyMicroseconds / 1000:F3} ms at {Number(result.ClockMegahertz)} MHz; energy {result.EnergyPicoJoules / 1e6:F1} µJ per batch " +
            $"({result.EnergyPerInferencePicoJoules / 1e6:F1} µJ per inference, {result.LeakagePicoJoules / 1e6:F1} µJ of it leakage); average power {result.AveragePowerWatts:F3} W; {result.TopsPerWatt:F3} TOPS/W.")));
        WriteEnergy(result, console, fullEnergy);
        if (result.ReportsBuffers)
        {
            console.MarkupLine(Markup.Escape($"Bank conflicts: {Number(result.BankConflictCycles)} of the sram_bandwidth stall cycles."));
            var splits = result.Layers.Where(l => l.UnifiedSplit is not null)
                .Select(l => $"{l.Name} {Number(l.UnifiedSplit!.IfmapBytes)}/{Number(l.UnifiedSplit.WeightBytes)}/{Number(l.UnifiedSplit.OfmapBytes)}")
                .ToList();
            if (splits.Count > 0)
            {
                console.MarkupLine(Markup.Escape($"Unified buffer split (ifmap/weights/ofmap bytes): {string.Join(", ", splits)}."));
            }
        }

        if (result.ZeroOperandMacs is { } zeros && result.TotalMacs > 0)
        {
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"MACs with a zero operand: {Number(zeros)} ({(double)zeros / result.TotalMacs:P1} of all MACs).")));
        }

        if (result.Area is { } area)
        {
            var parts = string.Join(", ", area.ByComponent.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:F3}")));
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"Area (ASIC, arithmetic and SRAM cells only, table '{area.Table}'): {area.SquareMillimetres:F3} mm² ({parts}).")));
        }

        if (result.Fpga is { } fpga)
        {
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"FPGA ({fpga.Family}, {fpga.MultiplierKind} multipliers): {Number(fpga.Dsp)} DSP, {Number(fpga.Lut)} LUT, {Number(fpga.FlipFlops)} FF, {Number(fpga.BlockRams)} BRAM; " +
                $"up to {Number(fpga.ClockMegahertz)} MHz, latency {result.FpgaLatencyMicroseconds / 1000:F3} ms there ({fpga.Notes}).")));
        }

        if (result.Agreement is { } agreement)
        {
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"Network output: SQNR {Db(result.OutputError?.SqnrDb)} dB; top-1 agreement {agreement.Top1Agreement:P0}, top-5 overlap {agreement.Top5Overlap:P0} over {agreement.Inputs} input(s).")));
        }
    }

    /// <summary>Renders as plain text (no colour), wide enough not to wrap.</summary>
    public void Write(RunResult result, TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        Render(result, console, FullEnergy);
    }

    /// <summary>The energy by component on one line, largest first; with <paramref name="full"/>, then a table of every
    /// action with its component's subtotal. Shares are of the run's energy.</summary>
    private static void WriteEnergy(RunResult result, IAnsiConsole console, bool full)
    {
        double total = result.EnergyPicoJoules;
        if (total <= 0)
        {
            return;
        }

        var components = result.EnergyPicoJoulesByComponent.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key} {MicroJoules(p.Value)} ({Share(p.Value, total)})");
        console.MarkupLine(Markup.Escape($"Energy by component, µJ: {string.Join(", ", components)}."));
        if (!full)
        {
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("energy by component and action");
        table.AddColumn("component");
        table.AddColumn("action");
        table.AddColumn(new TableColumn("energy µJ").RightAligned());
        table.AddColumn(new TableColumn("share").RightAligned());
        var actions = result.EnergyPicoJoulesByAction;
        foreach ((string component, double componentPicoJoules) in result.EnergyPicoJoulesByComponent)
        {
            table.AddRow(new Text(component), new Text(""), new Text(MicroJoules(componentPicoJoules)), new Text(Share(componentPicoJoules, total)));
            // An action's name is one path segment: its component is everything before the last dot.
            foreach ((string key, double picoJoules) in actions.Where(p => string.Equals(p.Key[..p.Key.LastIndexOf('.')], component, StringComparison.Ordinal)))
            {
                table.AddRow(new Text(""), new Text(key[(component.Length + 1)..]), new Text(MicroJoules(picoJoules)), new Text(Share(picoJoules, total)));
            }
        }

        table.AddEmptyRow();
        table.AddRow(new Text("total"), new Text(""), new Text(MicroJoules(total)), new Text(Share(total, total)));
        console.Write(table);
    }

    /// <summary>Picojoules as microjoules with about four significant digits, never in exponent form.</summary>
    private static string MicroJoules(double picoJoules)
    {
        double microJoules = picoJoules / 1e6;
        string format = Math.Abs(microJoules) >= 100 ? "F0" : Math.Abs(microJoules) >= 1 ? "F2" : "0.####";
        return microJoules.ToString(format, CultureInfo.InvariantCulture);
    }

    private static string Share(double part, double total) => (part / total).ToString("P1", CultureInfo.InvariantCulture);

    private static IRenderable[] Cells(bool onnx, string name, string onnxNode, string type, long macs, long cycles, long compute, long stall,
        double utilization, long dramRead, long dramWrite, double energyPicoJoules, double? sqnr, string predicted) =>
    [
        new Markup(name), .. onnx ? new IRenderable[] { new Text(onnxNode) } : [], new Text(type), new Text(Number(macs)), new Text(Number(cycles)), new Text(Number(compute)), new Text(Number(stall)),
        new Text((utilization * 100).ToString("F1", CultureInfo.InvariantCulture)), new Text(Number(dramRead)), new Text(Number(dramWrite)),
        new Text((energyPicoJoules / 1e6).ToString("F2", CultureInfo.InvariantCulture)), new Text(Db(sqnr)), new Text(predicted),
    ];

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Db(double? value) => value switch
    {
        null => "-",
        double.PositiveInfinity => "exact",
        double v => v.ToString("F1", CultureInfo.InvariantCulture),
    };
}
