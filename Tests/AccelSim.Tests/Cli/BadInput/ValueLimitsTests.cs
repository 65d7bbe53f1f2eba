using System.Text.Json;
using AccelSim.Execution;
using AccelSim.Kernel;
using AccelSim.Sweeps;
using AccelSim.Tests.Support;
using static AccelSim.Tests.Support.CliHarness;

namespace AccelSim.Tests.Cli.BadInput;

/// <summary>Values whose arithmetic would overflow (configs, energy tables, traces) and a reached <c>max_cycles</c> are
/// bad input: exit 2, a message that locates the value and says what is allowed, no stack trace. The largest and
/// smallest allowed values still run.</summary>
public sealed class ValueLimitsTests() : WorkFolderFixture("accelsim-limits-")
{
    // Configs/tiny.yaml with one text replaced; value is where the message must point (its line and column).
    [TestCase("clock_mhz: 200", "clock_mhz: 1e300", "1e300", "clock_mhz must be from 0.001 to 100000")]
    [TestCase("clock_mhz: 200", "clock_mhz: 1e-300", "1e-300", "clock_mhz must be from 0.001 to 100000")]
    [TestCase("clock_mhz: 200", "clock_mhz: 100000.5", "100000.5", "clock_mhz must be from 0.001 to 100000")]
    [TestCase("clock_mhz: 200", "clock_mhz: 0.0009", "0.0009", "clock_mhz must be from 0.001 to 100000")]
    [TestCase("clock_mhz: 200", "clock_mhz: 200\nmax_cycles: 9223372036854775807", "9223372036854775807", "max_cycles must be from 1 to 500000000000")]
    [TestCase("clock_mhz: 200", "clock_mhz: 200\nmax_cycles: 500000000001", "500000000001", "max_cycles must be from 1 to 500000000000")]
    [TestCase("bandwidth_bytes_per_cycle: 4", "bandwidth_bytes_per_cycle: 1e-300", "1e-300", "dram.bandwidth_bytes_per_cycle must be from 1e-6 to 1000000000")]
    [TestCase("bandwidth_bytes_per_cycle: 4", "bandwidth_bytes_per_cycle: 0.0000009", "0.0000009", "dram.bandwidth_bytes_per_cycle must be from 1e-6 to 1000000000")]
    [TestCase("bandwidth_bytes_per_cycle: 4", "bandwidth_bytes_per_cycle: 1e300", "1e300", "dram.bandwidth_bytes_per_cycle must be from 1e-6 to 1000000000")]
    [TestCase("bandwidth_bytes_per_cycle: 4", "bandwidth_gb_per_s: 1e300", "1e300", "dram.bandwidth_gb_per_s must be from 0.001 to 1000000")]
    [TestCase("bandwidth_bytes_per_cycle: 4", "bandwidth_gb_per_s: 1e-300", "1e-300", "dram.bandwidth_gb_per_s must be from 0.001 to 1000000")]
    [TestCase("latency_cycles: 10", "latency_cycles: 9223372036854775807", "9223372036854775807", "dram.latency_cycles must be from 0 to 1099511627776")]
    [TestCase("latency_cycles: 10", "latency_cycles: 1099511627777", "1099511627777", "dram.latency_cycles must be from 0 to 1099511627776")]
    [TestCase("ifmap:   { capacity_bytes: 4096", "ifmap:   { capacity_bytes: 1099511627777", "1099511627777", "buffers.ifmap.capacity_bytes must be from 64 to 1099511627776")]
    [TestCase("weights: { capacity_bytes: 4096", "weights: { capacity_bytes: 9223372036854775807", "9223372036854775807", "buffers.weights.capacity_bytes must be from 64 to 1099511627776")]
    public void ConfigValue_OutOfRange_IsRefusedWhereItIs(string original, string replacement, string value, string message)
    {
        (string path, string text) = WriteConfig(original, replacement);

        var (code, _, stderr) = Run("run", "-c", path, "-w", Shipped("Workloads/tiny.yaml"), "--no-numerics", "--no-table");

        AssertBadInput(code, stderr, $"{path}:{Location(text, replacement, value)}: {message}");
    }

    [Test]
    public void GigabytesPerSecond_GivingTooManyBytesPerCycleAtTheClock_IsRefused()
    {
        // 2000 GB/s × 1000 / 0.001 MHz = 2e9 bytes per cycle, above the 1e9 allowed; each value alone is in range.
        (string path, string text) = WriteConfig("clock_mhz: 200", "clock_mhz: 0.001");
        File.WriteAllText(path, text.Replace("bandwidth_bytes_per_cycle: 4", "bandwidth_gb_per_s: 2000", StringComparison.Ordinal));

        var (code, _, stderr) = Run("run", "-c", path, "-w", Shipped("Workloads/tiny.yaml"), "--no-numerics", "--no-table");

        // Line 11 of tiny.yaml is the dram line; its value 2000 starts at column 29 ("dram: { bandwidth_gb_per_s: " is 28 characters).
        AssertBadInput(code, stderr, $"{path}:11:29: dram.bandwidth_gb_per_s 2000 at clock_mhz 0.001 is 2000000000 bytes per cycle; it must be from 1e-6 to 1000000000");
    }

    // --set goes through the same checks; the message names the override.
    [TestCase("clock_mhz=1e300")]
    [TestCase("clock_mhz=1e-300")]
    [TestCase("dram.bandwidth_bytes_per_cycle=1e-300")]
    [TestCase("dram.latency_cycles=9223372036854775807")]
    [TestCase("max_cycles=9223372036854775807")]
    [TestCase("buffers.ofmap.capacity_bytes=2000000000000")]
    public void Override_OutOfRange_IsRefusedNamingIt(string setting)
    {
        var (code, _, stderr) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--no-numerics", "--no-table", "--set", setting);

        AssertBadInput(code, stderr, $"override '{setting}': {setting[..setting.IndexOf('=', StringComparison.Ordinal)]} must be from");
    }

    // Configs/energy/horowitz_45nm.yaml with one text replaced, checked by validate.
    [TestCase("pj: 0.2", "pj: 1e300", "1e300", "entries.int_mult.pj must be from 0 to 1000000000")]
    [TestCase("pj: 0.2", "pj: 1000000001", "1000000001", "entries.int_mult.pj must be from 0 to 1000000000")]
    [TestCase("microwatts: 7.4", "microwatts: 1e300", "1e300", "entries.leakage_sram.microwatts must be from 0 to 1000000000")]
    [TestCase("{ capacity_bytes: 8192, pj: 10 }", "{ capacity_bytes: 8192, pj: 1e300 }", "1e300", "entries.sram_access.points.0.pj must be from 0 to 1000000000")]
    [TestCase("{ capacity_bytes: 1048576, pj: 100 }", "{ capacity_bytes: 9223372036854775807, pj: 100 }", "9223372036854775807",
        "entries.sram_access.points.2.capacity_bytes must be from 1 to 1099511627776")]
    [TestCase("{ capacity_bytes: 8192, pj: 10 }", "{ capacity_bytes: 8192, pj: 0 }", "0",
        "entries.sram_access.points.0.pj must be greater than 0 when an entry has more than one point (they are interpolated log-log), was 0")]
    // From (8192, 10 pJ) to (32768, 1e9 pJ): ln(1e8) / ln(4) = 4 × log2(10) ≈ 13.288, steeper than the 4 allowed.
    [TestCase("{ capacity_bytes: 32768, pj: 20 }", "{ capacity_bytes: 32768, pj: 1e9 }", "1e9",
        "entries.sram_access.points.1.pj rises or falls too steeply from the previous point: the log-log slope is 13.288, allowed from -4 to 4")]
    [TestCase("um2: 282", "um2: 1e300", "1e300", "area.int_mult.um2 must be from 0 to 1000000000")]
    [TestCase("max_clock_mhz: 300", "max_clock_mhz: 1e300", "1e300", "fpga.fixed16_multiplier.max_clock_mhz must be from 0.001 to 100000")]
    [TestCase("block_ram_bits: 36864", "block_ram_bits: 9223372036854775807", "9223372036854775807", "fpga.block_ram_bits must be from 1 to 1099511627776")]
    [TestCase("adder_luts_per_bit: 1", "adder_luts_per_bit: 1e300", "1e300", "fpga.adder_luts_per_bit must be from 0 to 1000000")]
    public void EnergyTableValue_OutOfRange_IsRefusedWhereItIs(string original, string replacement, string value, string message)
    {
        string text = ReplaceOnce(File.ReadAllText(Shipped("Configs/energy/horowitz_45nm.yaml")), original, replacement);
        string path = Path.Combine(Work, "table.yaml");
        File.WriteAllText(path, text);

        var (code, _, stderr) = Run("validate", path);

        AssertBadInput(code, stderr, $"{path}:{Location(text, replacement, value)}: {message}");
    }

    // One event of a trace; its index in the file is 0.
    [TestCase("""{"ph":"X","ts":1e300,"dur":1,"tid":1,"name":"a"}""", "\"ts\": 1e300")]
    [TestCase("""{"ph":"X","ts":-1,"dur":1,"tid":1,"name":"a"}""", "\"ts\": -1")]
    [TestCase("""{"ph":"X","ts":0,"dur":1e300,"tid":1,"name":"a"}""", "\"dur\": 1e300")]
    [TestCase("""{"ph":"X","ts":0,"dur":-5,"tid":1,"name":"a"}""", "\"dur\": -5")]
    [TestCase("""{"ph":"X","ts":1e400,"dur":1,"tid":1,"name":"a"}""", "\"ts\": 1e400")]
    [TestCase("""{"ph":"X","ts":9007199254740993,"dur":1,"tid":1,"name":"a"}""", "\"ts\": 9007199254740993")] // 2^53 + 1
    [TestCase("""{"ph":"C","ts":1e300,"name":"c","args":{"v":1}}""", "\"ts\": 1e300")]
    public void TraceEvent_OutOfRange_IsRefusedNamingIt(string trace, string what)
    {
        string path = Path.Combine(Work, "bad.json");
        File.WriteAllText(path, $"[{trace}]");

        var (code, _, stderr) = Run("trace", "summarize", path);

        AssertBadInput(code, stderr, $"{path}: traceEvents[0] has {what}; timestamps and durations must be whole cycles from 0 to 9007199254740992 (2^53)");
    }

    [Test]
    public void TraceDurations_AddingUpPastTheSummarysSums_AreRefused()
    {
        // 600 slices of 2^53 cycles: the running total passes 2^62 = 512 × 2^53 at the 513th, index 512.
        string slice = """{"ph":"X","ts":0,"dur":9007199254740992,"tid":1,"name":"a","cat":"compute"}""";
        string path = Path.Combine(Work, "long.json");
        File.WriteAllText(path, "[" + string.Join(",", Enumerable.Repeat(slice, 600)) + "]");

        var (code, _, stderr) = Run("trace", "summarize", path);

        AssertBadInput(code, stderr, $"{path}: traceEvents[512]: the durations up to this event add up to more than 4611686018427387904 cycles (2^62)");
    }

    [TestCase("10")]
    [TestCase("1")]
    public void MaxCycles_Reached_IsBadInputNamingTheLimitAndTheLayer(string maxCycles)
    {
        var (code, _, stderr) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--no-numerics", "--no-table",
            "--set", $"max_cycles={maxCycles}");

        // c1 is the first layer of Workloads/tiny.yaml; its first DRAM transfer alone takes more than 10 cycles (latency 10).
        AssertBadInput(code, stderr, $"layer 'c1' did not finish within max_cycles = {maxCycles} cycles");
        Assert.That(stderr, Does.Contain("raise max_cycles"));
    }

    [Test]
    public void LargestLatency_WithTheDefaultLimit_StopsAtMaxCycles_NotWithAnOverflow()
    {
        var (code, _, stderr) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--no-numerics", "--no-table",
            "--set", "dram.latency_cycles=1099511627776");

        // 2^40 latency > the default max_cycles of 1e11: the first transfer ends past the limit.
        AssertBadInput(code, stderr, "did not finish within max_cycles = 100000000000 cycles");
    }

    [Test]
    public void Sweep_RecordsACycleLimit_AsItRecordsAMappingFailure_WithoutTheExceptionType()
    {
        var limit = new CycleLimitException("c1", new MaxCyclesExceededException(10, new Cycle(11), 1, []));

        Assert.That(SweepSession.Describe(limit), Does.StartWith("layer 'c1' did not finish within max_cycles = 10 cycles"));
    }

    // The bounds themselves run: the tiny workload, timing only, with finite figures in the JSON.
    [TestCase("clock_mhz=0.001", "max_cycles=500000000000", "dram.bandwidth_bytes_per_cycle=0.000001")]
    [TestCase("clock_mhz=100000", "dram.bandwidth_bytes_per_cycle=1000000000")]
    [TestCase("clock_mhz=100000", "dram.bandwidth_bytes_per_cycle=~", "dram.bandwidth_gb_per_s=0.001")]
    [TestCase("dram.bandwidth_bytes_per_cycle=~", "dram.bandwidth_gb_per_s=1000000")]
    [TestCase("max_cycles=500000000000", "dram.latency_cycles=100000000000")]
    [TestCase("buffers.ifmap.capacity_bytes=1099511627776", "buffers.weights.capacity_bytes=1099511627776", "buffers.ofmap.capacity_bytes=1099511627776")]
    public void BoundaryValues_Run(params string[] settings)
    {
        string json = Path.Combine(Work, "out.json");
        string[] args = ["run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--no-numerics", "--no-table", "--json", json,
            .. settings.SelectMany(s => new[] { "--set", s })];

        var (code, _, stderr) = Run(args);

        Assert.That(code, Is.Zero, stderr);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement totals = document.RootElement.GetProperty("totals");
        Assert.That(totals.GetProperty("total_cycles").GetInt64(), Is.Positive);
        Assert.That(double.IsFinite(totals.GetProperty("energy_pj").GetDouble()), Is.True);
    }


    /// <summary>Configs/tiny.yaml in the work folder with <paramref name="original"/> replaced, its energy table the shipped one.</summary>
    private (string Path, string Text) WriteConfig(string original, string replacement)
    {
        string text = ReplaceOnce(File.ReadAllText(Shipped("Configs/tiny.yaml")), original, replacement)
            .Replace("energy_table: energy/horowitz_45nm.yaml", $"energy_table: \"{Shipped("Configs/energy/horowitz_45nm.yaml")}\"", StringComparison.Ordinal);
        string path = Path.Combine(Work, "hw.yaml");
        File.WriteAllText(path, text);
        return (path, text);
    }

    private static string ReplaceOnce(string text, string original, string replacement)
    {
        int at = text.IndexOf(original, StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), $"'{original}' is in the file");
        return string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(at + original.Length));
    }

    /// <summary>"line:column" (1-based) of <paramref name="value"/> inside the first <paramref name="replacement"/> in <paramref name="text"/>.</summary>
    private static string Location(string text, string replacement, string value)
    {
        int offset = text.IndexOf(replacement, StringComparison.Ordinal) + replacement.IndexOf(value, StringComparison.Ordinal);
        int line = text.AsSpan(0, offset).Count('\n') + 1;
        int column = offset - (text.LastIndexOf('\n', Math.Max(0, offset - 1)) + 1) + 1;
        return $"{line}:{column}";
    }
}
