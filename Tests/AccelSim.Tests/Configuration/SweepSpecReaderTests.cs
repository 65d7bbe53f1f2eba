using AccelSim.Configuration;
using AccelSim.Sweeps;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Configuration;

public sealed class SweepSpecReaderTests
{
    private const string File = "spec.yaml";

    private static string[] ErrorsOf(string yaml) =>
        [.. Assert.Throws<ConfigException>(() => SweepSpecReader.Parse(yaml, File, SweepMetric.Names))!.Errors.Select(e => $"{e.Line}:{e.Column}: {e.Message}")];

    /// <summary>A valid spec whose line <paramref name="line"/> (1-based) is replaced by <paramref name="text"/>.</summary>
    private static string Valid(int line = 0, string text = "")
    {
        string[] lines =
        [
            "version: 1",                                             // 1
            "name: t",                                                // 2
            "config: ../Configs/tiny.yaml",                           // 3
            "workloads: [../Workloads/tiny.yaml]",                    // 4
            "numerics: false",                                        // 5
            "axes:",                                                  // 6
            "  - grid:",                                              // 7
            "      pe_array.rows: [2, 4]",                            // 8
            "      bfp.scheme: [\"6-9\", \"6-11\"]",                  // 9
            "  - zip:",                                               // 10
            "      buffers.ifmap.capacity_bytes: { from: 4096, to: 16384, times: 2 }",  // 11
            "      layers.c1.filters: [4, 8, 16]",                    // 12
            "metrics: [cycles, energy_pj]",                           // 13
            "objectives: { cycles: minimize, energy_pj: maximize }",  // 14
        ];
        if (line > 0)
        {
            lines[line - 1] = text;
        }

        return string.Join('\n', lines) + "\n";
    }

    [Test]
    public void ValidSpec_BecomesAxesFactorsMetricsAndObjectives()
    {
        SweepSpec spec = SweepSpecReader.Parse(Valid(), File, SweepMetric.Names);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(spec.Name, Is.EqualTo("t"));
            Assert.That(spec.ConfigPath, Is.EqualTo("../Configs/tiny.yaml"));
            Assert.That(spec.Workloads.Single(), Is.EqualTo(new SweepWorkload("tiny", "../Workloads/tiny.yaml")));
            Assert.That(spec.Numerics, Is.False);
            Assert.That(spec.Axes.Select(a => (a.Key, a.Target, a.Path, a.Line, a.Column)), Is.EqualTo(new[]
            {
                ("pe_array.rows", KeyTarget.Config, "pe_array.rows", 8, 7),
                ("bfp.scheme", KeyTarget.Config, "bfp.scheme", 9, 7),
                ("buffers.ifmap.capacity_bytes", KeyTarget.Config, "buffers.ifmap.capacity_bytes", 11, 7),
                ("layers.c1.filters", KeyTarget.Workload, "layers.c1.filters", 12, 7),
            }));
            Assert.That(spec.Factors.Select(f => f.Kind), Is.EqualTo(new[] { FactorKind.Grid, FactorKind.Grid, FactorKind.Zip }));

            // A quoted value stays a quoted YAML string for the override, and shows bare in tables.
            Assert.That(spec.Factors[1].Rows.Select(r => r.Single()), Is.EqualTo(new[] { new AxisValue("\"6-9\"", "6-9"), new AxisValue("\"6-11\"", "6-11") }));

            // from 4096 to 16384, times 2: 4096, 8192, 16384, zipped with 4, 8, 16.
            Assert.That(spec.Factors[2].Rows.Select(SweepFactor.RowLabel), Is.EqualTo(new[] { "4096/4", "8192/8", "16384/16" }));
            Assert.That(spec.PointCount, Is.EqualTo(2 * 2 * 3));
            Assert.That(spec.Metrics, Is.EqualTo(new[] { "cycles", "energy_pj" }));
            Assert.That(spec.Objectives, Is.EqualTo(new[] { new SweepObjective("cycles", ObjectiveGoal.Minimize), new SweepObjective("energy_pj", ObjectiveGoal.Maximize) }));
        }
    }

    [Test]
    public void CollectionValues_AreWrittenInFlowStyle()
    {
        SweepSpec spec = SweepSpecReader.Parse(Valid(9, "      bfp.weight_partition: [row, {group: 16}]"), File, SweepMetric.Names);

        Assert.That(spec.Factors[1].Rows.Select(r => r.Single().Yaml), Is.EqualTo(new[] { "row", "{group: 16}" }));
    }

    [Test]
    public void RandomFactor_DrawsDistinctCombinationsReproducibly()
    {
        string yaml = Valid(10, "  - random: { samples: 5, seed: 3, keys: { pe_array.cols: [2, 4, 8], buffers.ifmap.capacity_bytes: [4096, 8192] } }")
            .Replace("      buffers.ifmap.capacity_bytes: { from: 4096, to: 16384, times: 2 }\n", "", StringComparison.Ordinal)
            .Replace("      layers.c1.filters: [4, 8, 16]\n", "", StringComparison.Ordinal);

        SweepFactor first = SweepSpecReader.Parse(yaml, File, SweepMetric.Names).Factors[2];
        SweepFactor second = SweepSpecReader.Parse(yaml, File, SweepMetric.Names).Factors[2];

        var labels = first.Rows.Select(SweepFactor.RowLabel).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Kind, Is.EqualTo(FactorKind.Random));
            Assert.That(labels, Has.Count.EqualTo(5));
            Assert.That(labels, Is.Unique, "5 of the 3 × 2 = 6 combinations, none twice");
            Assert.That(labels, Is.SubsetOf(new[] { "2/4096", "2/8192", "4/4096", "4/8192", "8/4096", "8/8192" }));
            Assert.That(second.Rows.Select(SweepFactor.RowLabel), Is.EqualTo(labels), "the same seed draws the same sample");
        }
    }

    [Test]
    public void RandomFactor_WithMoreSamplesThanCombinations_IsAnError()
    {
        string yaml = Valid(10, "  - random: { samples: 7, seed: 3, keys: { pe_array.cols: [2, 4, 8], buffers.ifmap.capacity_bytes: [4096, 8192] } }")
            .Replace("      buffers.ifmap.capacity_bytes: { from: 4096, to: 16384, times: 2 }\n", "", StringComparison.Ordinal)
            .Replace("      layers.c1.filters: [4, 8, 16]\n", "", StringComparison.Ordinal);

        Assert.That(ErrorsOf(yaml), Is.EqualTo(new[] { "10:24: random.samples is 7 but the keys have only 6 distinct combinations; draw at most 6" }));
    }

    private static IEnumerable<TestCaseData> InvalidCases()
    {
        yield return Case("a future version", 1, "version: 2", "1:10: version must be 1 (the only format version so far), was 2");
        yield return Case("numerics is true or false", 5, "numerics: maybe", "5:11: numerics must be true or false, was 'maybe'");
        yield return Case("a misspelt key", 5, "numerical: false",
            "1:1: numerics is required: true or false",
            "5:1: unknown key 'numerical' at the top level; allowed: version, name, config, workloads, numerics, inputs, axes, constraints, metrics, objectives");
        yield return Case("inputs without numerics", 5, "numerics: false\ninputs: synthetic:2",
            "6:1: inputs are run through the BFP datapath; set numerics: true or remove them");
        yield return Case("an empty list", 8, "      pe_array.rows: []",
            "8:22: pe_array.rows must be a non-empty list of values or a range {from, to, step} or {from, to, times}, was a list");
        yield return Case("a repeated value", 8, "      pe_array.rows: [2, 4, 2]",
            "8:29: pe_array.rows: the value 2 is listed twice (items 1 and 3); every point must differ");
        yield return Case("a range running backwards", 8, "      pe_array.rows: { from: 8, to: 2 }",
            "8:22: the range of pe_array.rows runs from 8 to 2; from must not exceed to");
        yield return Case("a range with step and times", 8, "      pe_array.rows: { from: 2, to: 8, step: 2, times: 2 }",
            "8:22: the range of pe_array.rows has both step and times; give one (step adds, times multiplies)");
        yield return Case("a key of neither file", 8, "      colour: [2, 4]",
            "8:7: unknown key 'colour'; a key starts with a config key (version, name, clock_mhz, max_cycles, pe_array, buffers, dram, vector_unit, bfp, weight_storage, on_chip_activations, activation_storage, activation_compression, converters, mapper, energy_table) or a workload key (version, name, input, batch, inputs, weights, layers)");
        yield return Case("an ambiguous key", 8, "      name: [a, b]",
            "8:7: key 'name' exists in both the config and the workload format; write config.name or workload.name");
        yield return Case("a key the config does not have", 8, "      pe_array.row: [2, 4]",
            "8:7: unknown key 'pe_array.row': no key 'row' under pe_array; allowed: rows, cols, dataflow, arithmetic, zero_operands");
        yield return Case("a list without an item", 12, "      layers.filters: [4, 8, 16]",
            "12:7: unknown key 'layers.filters': layers is a list: write layers.<name or index>.<key> with a key of name, onnx_node, type, input, inputs, filters, outputs, kernel, stride, padding, dilation, groups, global, bias, relu, weights, bfp, activation_storage, activation_compression, density, fuse");
        yield return Case("a key varied twice", 9, "      pe_array.rows: [8, 16]",
            "9:7: 'pe_array.rows' is already varied at line 8; a key may be varied by one axis only");
        yield return Case("zip lists of different lengths", 12, "      layers.c1.filters: [4, 8]",
            "12:7: zip lists must have equal lengths: layers.c1.filters has 2 values, buffers.ifmap.capacity_bytes has 3");
        yield return Case("an unknown kind of axis block", 10, "  - zap:",
            "10:5: unknown key 'zap' in axes.1; allowed: grid, zip, random");
        yield return Case("a numerics metric without numerics", 13, "metrics: [cycles, energy_pj, sqnr_db]",
            "13:30: metric 'sqnr_db' needs the BFP datapath; set numerics: true or remove it");
        yield return Case("an unknown metric", 13, "metrics: [cycles, energy_pj, speed]",
            "13:30: unknown metric 'speed'; allowed: macs, cycles, compute_cycles, stall_cycles, stall_ifmap_cycles, stall_weights_cycles, stall_output_drain_cycles, stall_sram_bandwidth_cycles, stall_converter_cycles, stall_dram_bandwidth_cycles, stall_fill_drain_cycles, stall_vector_unit_cycles, utilization, dram_read_bytes, dram_write_bytes, dram_bytes, energy_pj, latency_us, pe_count, total_sram_bytes, sqnr_db, nsr, top1_agreement, top5_overlap");
        yield return Case("a bad goal and an objective not kept", 14, "objectives: { cycles: minimise, utilization: maximize }",
            "14:23: objectives.cycles 'minimise' is not one of minimize, maximize",
            "14:33: objective 'utilization' is not among the metrics kept (cycles, energy_pj); add it to metrics");
        yield return Case("two workloads of one file name", 4, "workloads: [a/tiny.yaml, b/tiny.yaml]",
            "4:26: workload 'b/tiny.yaml' has the same file name as the one at line 4; workloads are told apart by file name");
    }

    private static TestCaseData Case(string name, int line, string text, params string[] expected) =>
        new TestCaseData(line, text, expected).SetName($"Invalid spec: {name}");

    [TestCaseSource(nameof(InvalidCases))]
    public void InvalidSpec_IsReportedAtItsPosition(int line, string text, string[] expected)
    {
        Assert.That(ErrorsOf(Valid(line, text)), Is.EqualTo(expected));
    }

    [TestCase("buffers.ifmap.capacity_bytes + buffers.weights.capacity_bytes <= ", 71, "the constraint ends where a number, a key path, '-' or '(' was expected")]
    [TestCase("pe_array.rows * pe_array.cols", 35, "expected a comparison (<=, <, >=, >, ==, !=) and a right-hand side; a constraint compares two expressions")]
    [TestCase("pe_array.rows <= pe_array.colz", 23, "unknown key 'pe_array.colz': no key 'colz' under pe_array; allowed: rows, cols, dataflow, arithmetic, zero_operands")]
    public void ConstraintSyntaxError_PointsAtTheCharacter(string constraint, int column, string problem)
    {
        // The constraint is a quoted scalar on line 16 whose quote is at column 5: its first character is column 6.
        string yaml = Valid() + $"constraints:\n  - \"{constraint}\"\n";

        string error = ErrorsOf(yaml).Single();

        Assert.That(error, Does.StartWith($"16:{column}: constraint \"{constraint}\": {problem}"));
    }

    [Test]
    public void ManyErrors_AreAllReportedInFileOrder()
    {
        string yaml = Valid(2, "name: ").WithLineReplaced(13, "metrics: [cycles, energy_pj, cycles]");

        Assert.That(ErrorsOf(yaml), Is.EqualTo(new[]
        {
            "2:6: name must be a non-empty string, was empty",
            "13:30: metric 'cycles' is listed twice",
        }));
    }

    private static IEnumerable<TestCaseData> ShippedSpecs() =>
        Directory.EnumerateFiles(Path.Combine(RepoPaths.Configs, "sweeps"), "*.yaml")
            .Order(StringComparer.Ordinal)
            .Select(path => new TestCaseData(path).SetName($"Shipped sweep {Path.GetFileName(path)} validates"));

    [TestCaseSource(nameof(ShippedSpecs))]
    public void EveryShippedSweep_ValidatesWithEveryPoint(string path)
    {
        // Every point's config and workload must validate; constraints may skip points on purpose.
        (_, int points, var notRunnable) = SweepRunner.Check(path, Shard.All, jobs: 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(points, Is.Positive);
            Assert.That(notRunnable.Where(r => r.Status != PointStatus.Skipped).Select(r => r.Message), Is.Empty);
        }
    }

    [Test]
    public void ShippedSweeps_AreFound()
    {
        Assert.That(ShippedSpecs().Count(), Is.GreaterThanOrEqualTo(3));
    }
}

internal static class SpecText
{
    public static string WithLineReplaced(this string yaml, int line, string text)
    {
        string[] lines = yaml.Split('\n');
        lines[line - 1] = text;
        return string.Join('\n', lines);
    }
}
