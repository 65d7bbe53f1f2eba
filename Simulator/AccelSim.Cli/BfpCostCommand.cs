using System.CommandLine;
using System.Globalization;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Files;
using AccelSim.Numerics;
using AccelSim.Reports;
using AccelSim.Workloads;
using Spectre.Console;

namespace AccelSim.Cli;

/// <summary><c>accelsim bfp-cost</c>: per layer, what each of the source chapter's partition schemes costs (its Table 6-4; docs/source-chapter.md).</summary>
internal static class BfpCostCommand
{
    private static readonly (string Name, BlockPartition Weights, BlockPartition Inputs)[] Schemes =
    [
        ("6-9", BlockPartition.Tensor, BlockPartition.Tensor),
        ("6-10", BlockPartition.Tensor, BlockPartition.Column),
        ("6-11", BlockPartition.Row, BlockPartition.Tensor),
        ("6-12", BlockPartition.Row, BlockPartition.Column),
    ];

    public static Command Build(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var workload = new Option<string>("--workload", "-w") { Description = "Workload (YAML).", DefaultValueFactory = _ => Commands.DefaultWorkload };
        var config = new Option<string>("--config", "-c") { Description = "Accelerator config giving E and L (YAML).", DefaultValueFactory = _ => Commands.DefaultConfig };
        var csv = new Option<string?>("--csv") { Description = "Also write the table as CSV to this file." };
        var formats = new Option<string?>("--formats")
        {
            Description = "Instead, a format cost table over these formats, comma-separated: bfp (the config's BFP settings) and MX/NVFP4 names, "
                + "e.g. bfp,mxfp8_e4m3,mxfp4_e2m1,nvfp4.",
        };
        var command = new Command("bfp-cost",
            "Per conv/FC layer and partition scheme (6-9, 6-10, 6-11, 6-12): block formattings, exponent storage bits, mantissa storage bits; "
            + "with --formats, per layer and number format: storage bits, scale overhead, converter work.")
        {
            workload, config, csv, formats,
        };
        command.SetAction(parse =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            return Commands.Guard(stderr, log, () =>
            {
                new OutputPaths().Input("--config", parse.GetValue(config)).Input("--workload", parse.GetValue(workload)).File("--csv", parse.GetValue(csv)).Check();
                var accelerator = ConfigLoader.LoadAccelerator(Commands.ResolveDefault(parse.GetValue(config)!, Commands.DefaultConfig));
                Network network = ConfigLoader.LoadWorkload(Commands.ResolveDefault(parse.GetValue(workload)!, Commands.DefaultWorkload));
                if (parse.GetValue(formats) is { } list)
                {
                    var loaded = ConfigLoader.LoadAcceleratorWithEnergy(Commands.ResolveDefault(parse.GetValue(config)!, Commands.DefaultConfig));
                    FormatCostTable.Write(network, accelerator.Bfp, FormatCostTable.Parse(list), stdout, parse.GetValue(csv), loaded);
                    return ExitCodes.Success;
                }

                var rows = new List<(string Layer, BfpCost[] Costs)>();
                foreach (Layer layer in network.Layers)
                {
                    ConvShape? g = ConvShape.Of(layer, network.Batch);
                    if (g is not null)
                    {
                        rows.Add((layer.Name, Schemes.Select(s => BfpCost.Of(g, accelerator.Bfp.Weights, accelerator.Bfp.Inputs, s.Weights, s.Inputs)).ToArray()));
                    }
                }

                var totals = Enumerable.Range(0, Schemes.Length)
                    .Select(i => new BfpCost(rows.Sum(r => r.Costs[i].BlockFormattings), rows.Sum(r => r.Costs[i].ExponentBits), rows.Sum(r => r.Costs[i].MantissaBits)))
                    .ToArray();
                rows.Add(("total", totals));
                Render(network, accelerator.Bfp, rows, stdout);
                if (parse.GetValue(csv) is { } path)
                {
                    AtomicFile.Write(path, w => WriteCsv(rows, w));
                    log.Information("Wrote {Path}", path);
                }

                return ExitCodes.Success;
            });
        });
        return command;
    }

    private static void Render(Network network, BfpSettings bfp, List<(string Layer, BfpCost[] Costs)> rows, TextWriter stdout)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 240;
        var table = new Table().Border(TableBorder.Rounded).Title(string.Create(CultureInfo.InvariantCulture,
            $"{network.Name}: BFP cost per scheme, weights bfp({bfp.Weights.ExponentBits}, {bfp.Weights.MantissaBits}), inputs bfp({bfp.Inputs.ExponentBits}, {bfp.Inputs.MantissaBits})"));
        table.AddColumn("layer");
        foreach (string what in new[] { "formattings", "exponent bits", "mantissa bits" })
        {
            foreach (var scheme in Schemes)
            {
                table.AddColumn(new TableColumn($"{scheme.Name} {what}").RightAligned());
            }
        }

        foreach ((string layer, BfpCost[] costs) in rows)
        {
            var cells = new List<string> { layer };
            cells.AddRange(costs.Select(c => N(c.BlockFormattings)));
            cells.AddRange(costs.Select(c => N(c.ExponentBits)));
            cells.AddRange(costs.Select(c => N(c.MantissaBits)));
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }

        console.Write(table);
    }

    private static void WriteCsv(List<(string Layer, BfpCost[] Costs)> rows, TextWriter w)
    {
        w.Write("layer,scheme,block_formattings,exponent_bits,mantissa_bits\n");
        foreach ((string layer, BfpCost[] costs) in rows)
        {
            for (int i = 0; i < Schemes.Length; i++)
            {
                w.Write(string.Create(CultureInfo.InvariantCulture, $"{layer},{Schemes[i].Name},{costs[i].BlockFormattings},{costs[i].ExponentBits},{costs[i].MantissaBits}\n"));
            }
        }
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
