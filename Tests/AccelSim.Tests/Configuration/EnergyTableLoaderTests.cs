using AccelSim.Configuration;
using AccelSim.Energy;
using AccelSim.Tests.Support;
using static AccelSim.Tests.Configuration.SampleYaml;

namespace AccelSim.Tests.Configuration;

public sealed class EnergyTableLoaderTests
{
    private const string RequiredList =
        "bfp_input_convert, bfp_output_convert, dram_access, fp16_add, fp16_mult, fp32_add, fp32_mult, int_add, int_mult, leakage_logic, leakage_sram, register_access, sram_access";

    private ConfigFiles _files = null!;

    [SetUp]
    public void CreateFolder() => _files = new ConfigFiles();

    [TearDown]
    public void DeleteFolder() => _files.Dispose();

    private static EnergyTable Shipped => ConfigLoader.LoadEnergyTable(Path.Combine(RepoPaths.Configs, "energy", "horowitz_45nm.yaml"));

    [TestCase("int_mult", 0.2, 8, EnergyScaling.Quadratic)]
    [TestCase("int_add", 0.1, 32, EnergyScaling.Linear)]
    [TestCase("fp32_add", 0.9, 32, EnergyScaling.None)]
    [TestCase("fp32_mult", 3.7, 32, EnergyScaling.None)]
    [TestCase("dram_access", 1300.0, 64, EnergyScaling.Linear)]
    [TestCase("bfp_input_convert", 0.13, 8, EnergyScaling.Linear)]
    [TestCase("bfp_output_convert", 0.9, 32, EnergyScaling.None)]
    public void ShippedHorowitzTable_HasTheCitedSingleFigures(string name, double picoJoules, int referenceBits, EnergyScaling scaling)
    {
        EnergyEntry entry = Shipped.Entries[name];

        Assert.That((entry.Name, entry.PicoJoules, entry.ReferenceBits, entry.Scaling, entry.Points.IsEmpty),
            Is.EqualTo((name, (double?)picoJoules, referenceBits, scaling, true)));
    }

    [Test]
    public void ShippedHorowitzTable_HasSramFiguresByCapacity()
    {
        EnergyEntry sram = Shipped.Entries["sram_access"];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(sram.PicoJoules, Is.Null);
            Assert.That(sram.Points, Is.EqualTo(new[] { new EnergyPoint(8 * 1024, 10), new EnergyPoint(32 * 1024, 20), new EnergyPoint(1024 * 1024, 100) }));
            Assert.That((sram.ReferenceBits, sram.Scaling), Is.EqualTo((64, EnergyScaling.Linear)));
        }
    }

    [Test]
    public void ShippedHorowitzTable_CitesItsSources_AndMarksDerivedFigures()
    {
        EnergyTable table = Shipped;

        using (Assert.EnterMultipleScope())
        {
            Assert.That((table.Name, table.TechnologyNanometers), Is.EqualTo(("horowitz_45nm", 45)));
            Assert.That(table.Entries.Keys, Is.EqualTo(EnergyEntryNames.Required));
            // Every figure is Horowitz's, derived from Horowitz's, or openly assumed.
            Assert.That(table.Entries.Values.Where(e => !e.Source.StartsWith("Assumed, not cited", StringComparison.Ordinal)).Select(e => e.Source),
                Has.All.Contains("Horowitz").And.All.Contains("45 nm, 0.9 V"));
            Assert.That(table.Entries.Where(e => e.Value.Source.StartsWith("Assumed", StringComparison.Ordinal)).Select(e => e.Key),
                Is.EqualTo(new[] { "leakage_logic", "leakage_sram" }));
            Assert.That(table.Entries["bfp_input_convert"].Source, Does.StartWith("Derived, not measured"));
            Assert.That(table.Entries["register_access"].Source, Does.StartWith("Derived, not measured"));
            Assert.That(table.Entries["bfp_output_convert"].Source, Does.StartWith("Derived, not measured"));
            Assert.That(table.Entries["dram_access"].Source, Does.Contain("lower bound"));
        }
    }

    [Test]
    public void ShippedHorowitzTable_DerivedInputConvert_IsACompareAndAShift()
    {
        EnergyTable table = Shipped;

        // 8b add (0.03 pJ, from the int_add source) for the exponent compare + a 32b add (0.1 pJ) for the shift.
        Assert.That(table.Entries["bfp_input_convert"].PicoJoules, Is.EqualTo(0.03 + table.Entries["int_add"].PicoJoules).Within(1e-12));
    }

    private static IEnumerable<TestCaseData> InvalidCases()
    {
        static TestCaseData Case(string name, string yaml, params string[] errors) => new TestCaseData(yaml, errors).SetName(name);

        yield return Case("Missing required entry", EnergyTableYaml.WithLine(16, "  # (no dram_access)"),
            $"4:1: energy table 'test_table' has no entry 'dram_access' (needed to price DRAM accesses); required entries: {RequiredList}");
        yield return Case("Two missing entries", EnergyTableYaml.WithLine(5, "  # (no int_mult)").WithLine(18, "  # (no bfp_output_convert)"),
            $"4:1: energy table 'test_table' has no entry 'bfp_output_convert' (needed to price accumulator-to-float32 conversions); required entries: {RequiredList}",
            $"4:1: energy table 'test_table' has no entry 'int_mult' (needed to price mantissa multiplies in the PE array); required entries: {RequiredList}");
        yield return Case("Unknown entry", EnergyTableYaml + "\n  leakage: { pj: 1, reference_bits: 1, scaling: none, source: x }",
            $"24:3: unknown energy entry 'leakage'; known entries: {RequiredList}");
        yield return Case("Duplicate entry", EnergyTableYaml + "\n  int_mult: { pj: 0.3, reference_bits: 8, scaling: quadratic, source: x }",
            "24:3: duplicate key 'int_mult' in entries (first given at line 5); a key may appear only once");
        yield return Case("Both pj and points", EnergyTableYaml.WithLineAfter(12, "    pj: 5"),
            "9:3: entries.sram_access gives more than one of pj, points and microwatts; give exactly one of pj (a single figure in picojoules), points (figures by memory capacity) or microwatts (a static power)");
        yield return Case("Neither pj nor points", EnergyTableYaml.WithLine(5, "  int_mult: { reference_bits: 8, scaling: quadratic, source: x }"),
            "5:3: entries.int_mult needs exactly one of pj (a single figure in picojoules), points (figures by memory capacity) or microwatts (a static power)");
        yield return Case("Static power given as energy", EnergyTableYaml.WithLine(23, "  leakage_logic: { pj: 5, reference_bits: 1, scaling: none, source: x }"),
            "23:3: entries.leakage_logic is a static power: give microwatts, not pj or points");
        yield return Case("Energy given as static power", EnergyTableYaml.WithLine(5, "  int_mult: { microwatts: 0.2, reference_bits: 8, scaling: quadratic, source: x }"),
            "5:3: entries.int_mult is an energy per action: give pj or points, not microwatts");
        yield return Case("Negative figure", EnergyTableYaml.WithLine(5, "  int_mult: { pj: -0.2, reference_bits: 8, scaling: quadratic, source: x }"),
            "5:19: entries.int_mult.pj must be a number of at least 0, was -0.2");
        yield return Case("Capacities not increasing", EnergyTableYaml.WithLine(12, "      - { capacity_bytes: 8192, pj: 20 }"),
            "12:27: entries.sram_access.points.1.capacity_bytes must be greater than the previous point's 8192 (capacities strictly increase), was 8192");
        yield return Case("No points", EnergyTableYaml.WithLine(10, "    points: []").WithLine(11, "").WithLine(12, ""),
            "10:13: entries.sram_access.points must be a non-empty list of { capacity_bytes, pj } with capacities strictly increasing, was an empty list");
        yield return Case("Point without a figure", EnergyTableYaml.WithLine(12, "      - { capacity_bytes: 32768 }"),
            "12:9: entries.sram_access.points.1.pj is required: a number of at least 0");
        yield return Case("Bad scaling", EnergyTableYaml.WithLine(5, "  int_mult: { pj: 0.2, reference_bits: 8, scaling: cubic, source: x }"),
            "5:52: entries.int_mult.scaling 'cubic' is not one of none, linear, quadratic");
        yield return Case("Empty source", EnergyTableYaml.WithLine(5, "  int_mult: { pj: 0.2, reference_bits: 8, scaling: quadratic, source: \" \" }"),
            "5:71: entries.int_mult.source must be a non-empty string, was ' '");
        yield return Case("Missing source", EnergyTableYaml.WithLine(5, "  int_mult: { pj: 0.2, reference_bits: 8, scaling: quadratic }"),
            "5:3: entries.int_mult.source is required: a non-empty string");
        yield return Case("Reference bits 0", EnergyTableYaml.WithLine(5, "  int_mult: { pj: 0.2, reference_bits: 0, scaling: quadratic, source: x }"),
            "5:40: entries.int_mult.reference_bits must be an integer from 1 to 65536, was 0");
        yield return Case("Unknown entry key", EnergyTableYaml.WithLine(5, "  int_mult: { pj: 0.2, reference_bits: 8, scaling: quadratic, source: x, unit: pJ }"),
            "5:74: unknown key 'unit' in entries.int_mult; allowed: pj, points, microwatts, reference_bits, scaling, source");
        yield return Case("Technology 0 nm", EnergyTableYaml.WithLine(3, "technology_nm: 0"),
            "3:16: technology_nm must be an integer from 1 to 1000, was 0");
        // The old entries move under a filler key so that the file still parses.
        yield return Case("Entries as a list", EnergyTableYaml.WithLine(4, "entries: [int_mult]").WithLineAfter(4, "unused:"),
            "4:10: entries must be a mapping from entry name to its figure, was a list",
            "5:1: unknown key 'unused' at the top level; allowed: version, name, technology_nm, entries, area, fpga");
    }

    [TestCaseSource(nameof(InvalidCases))]
    public void InvalidTable_ReportsTheSpecificErrorAtItsPosition(string yaml, string[] expected)
    {
        string path = _files.Write("table.yaml", yaml);

        string[] errors = ConfigFiles.ErrorsOf(() => ConfigLoader.LoadEnergyTable(path));

        Assert.That(errors, Is.EqualTo(expected));
    }

    [Test]
    public void ShippedEyerissTable_IsTheRatiosTimesItsAnchor()
    {
        EnergyTable table = ConfigLoader.LoadEnergyTable(Path.Combine(RepoPaths.Configs, "energy", "eyeriss_65nm.yaml"));
        const double Mac = 0.85; // the anchor: one 16-bit MAC, pJ

        using (Assert.EnterMultipleScope())
        {
            Assert.That((table.Name, table.TechnologyNanometers), Is.EqualTo(("eyeriss_65nm_relative", 65)));
            Assert.That(table.Entries["int_mult"].PicoJoules + table.Entries["int_add"].PicoJoules, Is.EqualTo(Mac).Within(1e-12));
            Assert.That(table.Entries["dram_access"].PicoJoules, Is.EqualTo(200 * Mac).Within(1e-9));
            Assert.That(table.Entries["sram_access"].Points.Select(p => p.PicoJoules), Is.EqualTo(new[] { 1 * Mac, 6 * Mac }).Within(1e-9));
            Assert.That(table.Entries["register_access"].PicoJoules, Is.EqualTo(Mac).Within(1e-12));
            Assert.That(new[] { "int_mult", "int_add", "register_access", "sram_access", "dram_access" }.Select(n => table.Entries[n].Source),
                Has.All.Contains("Chen, Emer, Sze, ISCA 2016 (Eyeriss)"));
        }
    }

    [Test]
    public void ShippedHorowitzTable_HasAreasAndFpgaFigures()
    {
        EnergyTable table = Shipped;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(table.Areas.Keys, Is.EquivalentTo(new[] { "fp16_add", "fp16_mult", "fp32_add", "fp32_mult", "int_add", "int_mult", "sram_bit" }));
            Assert.That(table.Areas["int_mult"].SquareMicrometres, Is.EqualTo(282));
            Assert.That(table.Fpga!.Float16, Is.EqualTo(new FpgaMultiplier(2, 51, 95, 219, table.Fpga.Float16.Source)));
            Assert.That((table.Fpga.Fixed16.Dsp, table.Fpga.Fixed16.MaxClockMegahertz), Is.EqualTo((1, 300.0)));
        }
    }

    [Test]
    public void AreaSection_MustGiveEveryArea()
    {
        string yaml = EnergyTableYaml + "\narea:\n  int_mult: { um2: 282, reference_bits: 8, scaling: quadratic, source: x }\n  int_add: { um2: 1, reference_bits: 8, scaling: linear }";
        string path = _files.Write("table.yaml", yaml);

        string[] errors = ConfigFiles.ErrorsOf(() => ConfigLoader.LoadEnergyTable(path));

        Assert.That(errors, Is.EqualTo(new[]
        {
            "24:1: area has no entry 'fp16_add'; an area table gives all of: fp16_add, fp16_mult, fp32_add, fp32_mult, int_add, int_mult, sram_bit",
            "24:1: area has no entry 'fp16_mult'; an area table gives all of: fp16_add, fp16_mult, fp32_add, fp32_mult, int_add, int_mult, sram_bit",
            "24:1: area has no entry 'fp32_add'; an area table gives all of: fp16_add, fp16_mult, fp32_add, fp32_mult, int_add, int_mult, sram_bit",
            "24:1: area has no entry 'fp32_mult'; an area table gives all of: fp16_add, fp16_mult, fp32_add, fp32_mult, int_add, int_mult, sram_bit",
            "24:1: area has no entry 'sram_bit'; an area table gives all of: fp16_add, fp16_mult, fp32_add, fp32_mult, int_add, int_mult, sram_bit",
            "26:3: area.int_add.source is required: a non-empty string",
        }));
    }

    [Test]
    public void SampleTable_Loads()
    {
        EnergyTable table = ConfigLoader.LoadEnergyTable(_files.Write("table.yaml", EnergyTableYaml));

        Assert.That((table.Name, table.Entries["sram_access"].Points.Length, table.Entries["int_mult"].Source), Is.EqualTo(("test_table", 2, "paper A")));
    }
}
