using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using AccelSim.Configuration;
using AccelSim.Energy;
using AccelSim.Execution;
using AccelSim.Reports;
using AccelSim.Statistics;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Reports;

/// <summary>Energy by component and by action in the totals and in every format, adding up to the totals.</summary>
public sealed class EnergyBreakdownReportTests
{
    /// <summary>Two layers whose energies are integers of picojoules, so every sum below is exact in binary.</summary>
    private static RunResult HandMade()
    {
        // Layer a: pe_array.mac 3e6 × 0.5 = 1.5e6 pJ, dram.read_bit 8e6 × 0.25 = 2e6 pJ (3.5e6 pJ).
        // Layer b: pe_array.mac 2e6 × 0.5 = 1e6 pJ, vector_unit.op 4e6 × 0.125 = 0.5e6 pJ (1.5e6 pJ). Run: 5e6 pJ = 5 µJ.
        LayerResult Layer(string name, params EnergyLine[] lines) => new()
        {
            Name = name, Type = "conv", Macs = 10, TotalCycles = 10, ComputeCycles = 10,
            StallCyclesByCause = ImmutableSortedDictionary<StallCause, long>.Empty, OverallUtilization = 1, DramReadBytes = 0,
            DramWriteBytes = 0, Energy = new EnergyBreakdown([.. lines]), Numerics = null, Mapping = "", Events = 0,
        };
        return new RunResult
        {
            ConfigName = "c", WorkloadName = "w", Batch = 1, PeCount = 1, ClockMegahertz = 1000, Agreement = null,
            Layers =
            [
                Layer("a", new EnergyLine("dram", "read_bit", 8_000_000, 0.25, "dram_access"), new EnergyLine("pe_array", "mac", 3_000_000, 0.5, "int_mult")),
                Layer("b", new EnergyLine("pe_array", "mac", 2_000_000, 0.5, "int_mult"), new EnergyLine("vector_unit", "op", 4_000_000, 0.125, "fp32_add")),
            ],
        };
    }

    private static RunResult Shipped(string workload)
    {
        var accelerator = ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(RepoPaths.Configs, "tiny.yaml"));
        var network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, workload + ".yaml"));
        return NetworkRunner.Run(accelerator.Hardware, accelerator.Energy, network, new RunOptions(Numerics: false, Threads: 1));
    }

    /// <summary>How far two sums of the same n nonnegative terms, added in different orders, may differ: each is within
    /// (n − 1)·u·Σ of the exact sum (u = 2⁻⁵³, the unit roundoff of a double), so they are within 2·(n − 1)·u·Σ of each other.</summary>
    private static double RoundingBound(RunResult result) =>
        2.0 * Math.Max(1, result.Layers.Sum(l => l.Energy.Lines.Length) - 1) * Math.Pow(2, -53) * result.EnergyPicoJoules;

    [Test]
    public void Totals_SumTheLayersPartsByComponentAndByAction()
    {
        RunResult result = HandMade();

        Assert.Multiple(() =>
        {
            Assert.That(result.EnergyPicoJoules, Is.EqualTo(5e6));
            // pe_array 1.5e6 + 1e6 = 2.5e6; dram 2e6; vector_unit 0.5e6.
            Assert.That(result.EnergyPicoJoulesByComponent, Is.EqualTo(new Dictionary<string, double>
            {
                ["dram"] = 2e6, ["pe_array"] = 2.5e6, ["vector_unit"] = 0.5e6,
            }));
            Assert.That(result.EnergyPicoJoulesByAction, Is.EqualTo(new Dictionary<string, double>
            {
                ["dram.read_bit"] = 2e6, ["pe_array.mac"] = 2.5e6, ["vector_unit.op"] = 0.5e6,
            }));
            Assert.That(result.EnergyPicoJoulesByComponent.Keys, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        });
    }

    [TestCase("tiny")]
    [TestCase("resnet_block")]
    public void ShippedRun_BreakdownsAddUpToTheTotal(string workload)
    {
        RunResult result = Shipped(workload);
        double bound = RoundingBound(result);
        var byAction = result.EnergyPicoJoulesByAction;

        Assert.Multiple(() =>
        {
            Assert.That(result.EnergyPicoJoulesByComponent.Values.Sum(), Is.EqualTo(result.EnergyPicoJoules).Within(bound));
            Assert.That(byAction.Values.Sum(), Is.EqualTo(result.EnergyPicoJoules).Within(bound));
            foreach ((string component, double picoJoules) in result.EnergyPicoJoulesByComponent)
            {
                double actions = byAction.Where(p => p.Key.StartsWith(component + ".", StringComparison.Ordinal)).Sum(p => p.Value);
                Assert.That(actions, Is.EqualTo(picoJoules).Within(bound), component);
            }

            foreach (LayerResult layer in result.Layers)
            {
                Assert.That(layer.Energy.ByAction.Values.Sum(), Is.EqualTo(layer.EnergyPicoJoules).Within(bound), layer.Name);
            }

            // The bound is tight enough to mean something: it is far below the smallest action's energy.
            Assert.That(bound, Is.LessThan(byAction.Values.Where(v => v > 0).Min()));
        });
    }

    [Test]
    public void Csv_HasAColumnPerComponentAndAction_ThatAddUpInEveryRow()
    {
        RunResult result = Shipped("resnet_block");
        var text = new StringWriter();
        new CsvReportWriter().Write(result, text);
        string[][] rows = [.. text.ToString().TrimEnd('\n').Split('\n').Select(r => r.Split(','))];
        string[] header = rows[0];
        int energy = Array.IndexOf(header, "energy_pj");
        int[] components = [.. header.Select((h, i) => (h, i)).Where(p => p.h.StartsWith("energy_", StringComparison.Ordinal) && p.h.EndsWith("_pj", StringComparison.Ordinal)
            && p.h != "energy_pj" && p.h != "energy_per_inference_pj" && !p.h.Contains('.', StringComparison.Ordinal)).Select(p => p.i)];
        int[] actions = [.. header.Select((h, i) => (h, i)).Where(p => p.h.StartsWith("energy_", StringComparison.Ordinal) && p.h.Contains('.', StringComparison.Ordinal)).Select(p => p.i)];
        double bound = RoundingBound(result);

        Assert.Multiple(() =>
        {
            Assert.That(components.Select(i => header[i][7..^3]), Is.EqualTo(result.EnergyPicoJoulesByComponent.Keys));
            Assert.That(actions.Select(i => header[i][7..^3]), Is.EqualTo(result.EnergyPicoJoulesByAction.Keys));
            Assert.That(rows, Has.Length.EqualTo(result.Layers.Length + 2));
            foreach (string[] row in rows.Skip(1))
            {
                double total = double.Parse(row[energy], CultureInfo.InvariantCulture);
                Assert.That(components.Sum(i => double.Parse(row[i], CultureInfo.InvariantCulture)), Is.EqualTo(total).Within(bound), row[0]);
                Assert.That(actions.Sum(i => double.Parse(row[i], CultureInfo.InvariantCulture)), Is.EqualTo(total).Within(bound), row[0]);
            }

            Assert.That(rows[^1][0], Is.EqualTo("total"));
        });
    }

    [Test]
    public void Json_TotalsCarryTheBreakdowns_AfterTheSchemaOneFields()
    {
        var text = new StringWriter();
        new JsonReportWriter().Write(HandMade(), text);
        using var document = JsonDocument.Parse(text.ToString());
        JsonElement totals = document.RootElement.GetProperty("totals");
        string[] names = [.. totals.EnumerateObject().Select(p => p.Name)];

        Assert.Multiple(() =>
        {
            Assert.That(document.RootElement.GetProperty("schema_version").GetInt32(), Is.EqualTo(1));
            // Added fields come last, so a reader of the earlier schema-1 totals sees its fields where they were.
            Assert.That(names[^2..], Is.EqualTo(new[] { "energy_pj_by_component", "energy_pj_by_action" }));
            Assert.That(names[0], Is.EqualTo("macs"));
            Assert.That(totals.GetProperty("energy_pj").GetDouble(), Is.EqualTo(5e6));
            Assert.That(totals.GetProperty("energy_pj_by_component").GetProperty("pe_array").GetDouble(), Is.EqualTo(2.5e6));
            Assert.That(totals.GetProperty("energy_pj_by_action").GetProperty("vector_unit.op").GetDouble(), Is.EqualTo(0.5e6));
        });
    }

    [Test]
    public void Console_PrintsTheCompactLine_AndTheFullTableOnRequest()
    {
        var compact = new StringWriter();
        new ConsoleTableWriter().Write(HandMade(), compact);
        var full = new StringWriter();
        new ConsoleTableWriter { FullEnergy = true }.Write(HandMade(), full);

        Assert.Multiple(() =>
        {
            // 2.5 of 5 µJ = 50 %, 2 = 40 %, 0.5 = 10 %; 2 decimals from 1 µJ up, up to 4 below.
            Assert.That(compact.ToString(), Does.Contain("Energy by component, µJ: pe_array 2.50 (50.0 %), dram 2.00 (40.0 %), vector_unit 0.5 (10.0 %)."));
            Assert.That(compact.ToString(), Does.Not.Contain("energy by component and action"));
            Assert.That(full.ToString(), Does.Contain("energy by component and action"));
            Assert.That(full.ToString(), Does.Match(@"│ +│ read_bit +│ +2\.00 │ +40\.0 % │"));
        });
    }
}
