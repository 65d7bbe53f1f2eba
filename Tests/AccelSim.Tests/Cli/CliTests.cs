using System.Text.Json;
using AccelSim.Cli;
using AccelSim.Tests.Support;
using static AccelSim.Tests.Support.CliHarness;

namespace AccelSim.Tests.Cli;

/// <summary>The command line as a user meets it: exit codes, messages on stderr, files written.</summary>
public sealed class CliTests() : WorkFolderFixture("accelsim-cli-")
{
    [Test]
    public void Run_WritesJsonAndCsv_WithTheSchemaV1Fields()
    {
        string json = Path.Combine(Work, "out.json");
        string csv = Path.Combine(Work, "out.csv");

        var (code, stdout, stderr) = Run("run", "--config", Shipped("Configs/tiny.yaml"), "--workload", Shipped("Workloads/tiny.yaml"),
            "--json", json, "--csv", csv, "--threads", "1");

        Assert.That(code, Is.Zero, stderr);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        var layer = root.GetProperty("layers")[0];
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("schema_version").GetInt32(), Is.EqualTo(1));
            Assert.That(root.GetProperty("config").GetString(), Is.EqualTo("tiny"));
            Assert.That(root.GetProperty("workload").GetString(), Is.EqualTo("tiny"));
            foreach (string field in new[] { "name", "type", "macs", "total_cycles", "compute_cycles", "stall_cycles", "overall_utilization",
                "dram_read_bytes", "dram_write_bytes", "energy_pj", "sqnr_db" })
            {
                Assert.That(layer.TryGetProperty(field, out _), Is.True, field);
            }

            Assert.That(layer.GetProperty("sqnr_db").ValueKind, Is.EqualTo(JsonValueKind.Number));
            Assert.That(root.GetProperty("totals").GetProperty("total_cycles").GetInt64(),
                Is.EqualTo(root.GetProperty("layers").EnumerateArray().Sum(l => l.GetProperty("total_cycles").GetInt64())));
            Assert.That(File.ReadAllLines(csv), Has.Length.EqualTo(1 + root.GetProperty("layers").GetArrayLength() + 1), "header, layers, total");
            Assert.That(stdout, Does.Contain("total"));
        });
    }

    [Test]
    public void Run_TwiceWithDifferentThreadCounts_GivesByteIdenticalFiles()
    {
        string[] Args(string name, string threads) => ["run", "--config", Shipped("Configs/tiny.yaml"), "--workload", Shipped("Workloads/resnet_block.yaml"),
            "--json", Path.Combine(Work, name + ".json"), "--csv", Path.Combine(Work, name + ".csv"), "--threads", threads, "--no-table"];

        Assert.That(Run(Args("a", "1")).Code, Is.Zero);
        Assert.That(Run(Args("b", "2")).Code, Is.Zero);

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllBytes(Path.Combine(Work, "b.json")), Is.EqualTo(File.ReadAllBytes(Path.Combine(Work, "a.json"))));
            Assert.That(File.ReadAllBytes(Path.Combine(Work, "b.csv")), Is.EqualTo(File.ReadAllBytes(Path.Combine(Work, "a.csv"))));
        });
    }

    [Test]
    public void Run_NoNumerics_WritesNullSqnr()
    {
        string json = Path.Combine(Work, "t.json");

        var (code, _, stderr) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--json", json, "--no-numerics", "--no-table");

        Assert.That(code, Is.Zero, stderr);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.That(document.RootElement.GetProperty("layers")[0].GetProperty("sqnr_db").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public void Run_RowStationary_OnTheTinyConfig_Works()
    {
        // c1 on the 4×4 array: 216 compute cycles (8 passes of 18 MAC cycles on strip 0, 4 on strip 1; see
        // RowStationaryMapperTests.TinyConv_OnA4x4Array_ByHand); fc: 36 inputs as channels of a 1×1 map, q = 6 per PE
        // (3 outputs × 36/6 = 18 units still fill the 16 replicas; q = 9 would leave 12): 2 passes of 6 MAC cycles.
        string json = Path.Combine(Work, "rs.json");

        var (code, _, stderr) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"),
            "--set", "pe_array.dataflow=row_stationary", "--json", json, "--no-numerics", "--no-table");

        Assert.That(code, Is.Zero, stderr);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement layers = document.RootElement.GetProperty("layers");
        Assert.Multiple(() =>
        {
            Assert.That(layers[0].GetProperty("compute_cycles").GetInt64(), Is.EqualTo(216));
            Assert.That(layers[0].GetProperty("mapping").GetString(), Does.StartWith("row-stationary 4x4"));
            Assert.That(layers[2].GetProperty("compute_cycles").GetInt64(), Is.EqualTo(12));
        });
    }

    [Test]
    public void Run_RowStationary_PeDetail_GivesTheSameCycles()
    {
        string fold = Path.Combine(Work, "fold.json");
        string pe = Path.Combine(Work, "pe.json");
        string[] common = ["run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"), "--set", "pe_array.dataflow=row_stationary", "--no-numerics", "--no-table"];

        var (foldCode, _, foldErr) = Run([.. common, "--json", fold]);
        var (peCode, _, peErr) = Run([.. common, "--json", pe, "--detail", "pe"]);

        Assert.That(foldCode, Is.Zero, foldErr);
        Assert.That(peCode, Is.Zero, peErr);
        long[] Cycles(string path)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return [.. document.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("total_cycles").GetInt64())];
        }

        Assert.That(Cycles(pe), Is.EqualTo(Cycles(fold)));
    }

    [Test]
    public void Run_RowStationary_InScaleSimCompatibilityMode_IsRefusedWithExitCode2()
    {
        var (code, _, stderr) = Run("run", "-c", Shipped("Configs/tiny.yaml"), "-w", Shipped("Workloads/tiny.yaml"),
            "--set", "pe_array.dataflow=row_stationary", "--scalesim-compat", "--no-numerics", "--no-table");

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr.Trim(), Is.EqualTo("error: SCALE-Sim has no row-stationary dataflow (it models os, ws and is): drop --scalesim-compat or choose another pe_array.dataflow"));
        });
    }

    [Test]
    public void Run_EyerissConfig_RunsAlexNet()
    {
        string json = Path.Combine(Work, "eyeriss.json");

        var (code, _, stderr) = Run("run", "-c", Shipped("Configs/eyeriss_rs.yaml"), "-w", Shipped("Workloads/alexnet.yaml"),
            "--json", json, "--no-numerics", "--no-table");

        Assert.That(code, Is.Zero, stderr);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement layers = document.RootElement.GetProperty("layers");
        Assert.Multiple(() =>
        {
            Assert.That(layers.GetArrayLength(), Is.EqualTo(11));
            Assert.That(layers.EnumerateArray().Sum(l => l.GetProperty("macs").GetInt64()), Is.EqualTo(714_188_480), "the workload's published MACs");
            Assert.That(layers[0].GetProperty("mapping").GetString(), Does.StartWith("row-stationary 12x14"));
        });
    }

    [Test]
    public void Validate_InvalidFile_PrintsFileLineColumnAndExitsWith2()
    {
        string bad = Path.Combine(Work, "bad.yaml");
        File.WriteAllText(bad, File.ReadAllText(Shipped("Configs/tiny.yaml")).Replace("rows: 4", "rows: 0", StringComparison.Ordinal));

        var (code, stdout, stderr) = Run("validate", bad, Shipped("Configs/default.yaml"));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr, Does.StartWith(bad + ":"));
            Assert.That(stderr, Does.Match(@":\d+:\d+: .*rows"));
            Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
            Assert.That(stdout, Does.Contain("default.yaml: valid accelerator config"));
        });
    }

    [Test]
    public void Run_MissingConfig_IsBadInputWithoutAStackTrace()
    {
        var (code, _, stderr) = Run("run", "--config", Path.Combine(Work, "nope.yaml"), "--no-numerics");

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain("nope.yaml:1:1: file not found"));
            Assert.That(stderr, Does.Not.Contain("   at "));
        });
    }

    [Test]
    public void Run_UnifiedBuffer_ReportsEachLayersSplit_InTheTableJsonAndCsv()
    {
        string json = Path.Combine(Work, "out.json");
        string csv = Path.Combine(Work, "out.csv");

        var (code, stdout, stderr) = Run("run", "--config", Shipped("Configs/unified_buffer.yaml"), "--workload", Shipped("Workloads/tiny.yaml"),
            "--json", json, "--csv", csv, "--no-numerics", "--threads", "1");

        Assert.That(code, Is.Zero, stderr);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var layer = document.RootElement.GetProperty("layers")[0];
        var split = layer.GetProperty("unified_split");
        long parts = split.GetProperty("ifmap_bytes").GetInt64() + split.GetProperty("weights_bytes").GetInt64() + split.GetProperty("ofmap_bytes").GetInt64();
        string[] csvLines = File.ReadAllLines(csv);
        Assert.Multiple(() =>
        {
            Assert.That(parts, Is.EqualTo(1310720), "the parts add up to the unified buffer");
            Assert.That(layer.GetProperty("mapping").GetString(), Does.Contain("; unified 1310720 B split ifmap "));
            Assert.That(layer.GetProperty("bank_conflict_cycles").GetInt64(), Is.GreaterThanOrEqualTo(0));
            // The buffer columns follow the fixed ones; the energy breakdown's columns come after them.
            Assert.That(csvLines[0], Does.Contain(",dram_row_misses,bank_conflict_cycles,unified_ifmap_bytes,unified_weights_bytes,unified_ofmap_bytes,energy_"));
            Assert.That(stdout, Does.Contain("Unified buffer split (ifmap/weights/ofmap bytes): c1 "));
        });
    }

    [Test]
    public void Run_UnifiedBesidePerTensorBuffers_IsBadInputAtItsLine()
    {
        string bad = Path.Combine(Work, "both.yaml");
        File.WriteAllText(bad, File.ReadAllText(Shipped("Configs/tiny.yaml")).Replace(
            "buffers:\n", "buffers:\n  unified: { capacity_bytes: 12288, word_bits: 128, read_ports: 1, write_ports: 1 }\n", StringComparison.Ordinal));
        File.Copy(Shipped("Configs/energy/horowitz_45nm.yaml"), Path.Combine(Directory.CreateDirectory(Path.Combine(Work, "energy")).FullName, "horowitz_45nm.yaml"));

        var (code, _, stderr) = Run("run", "--config", bad, "--workload", Shipped("Workloads/tiny.yaml"), "--no-numerics");

        // tiny.yaml's buffers start at line 7; the unified entry is line 8 and ifmap moves to line 9.
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain(bad + ":9:3: buffers has both unified and ifmap, weights, ofmap; give either unified alone or all three"));
            Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
        });
    }

    [Test]
    public void Run_ZeroBanksThroughSet_IsBadInput()
    {
        var (code, _, stderr) = Run("run", "--config", Shipped("Configs/unified_buffer.yaml"), "--workload", Shipped("Workloads/tiny.yaml"),
            "--no-numerics", "--set", "buffers.unified.banks=0");

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain("buffers.unified.banks must be an integer from 1 to 1024, was 0"));
            Assert.That(stderr, Does.Not.Contain("   at "));
        });
    }

    [Test]
    public void UnknownOption_IsBadInput()
    {
        var (code, _, stderr) = Run("run", "--bogus");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("--bogus"));
    }

    [Test]
    public void RunHelp_ExplainsEveryOption()
    {
        var (code, stdout, _) = Run("run", "--help");

        Assert.That(code, Is.Zero);
        foreach (string option in new[] { "--config", "--workload", "--json", "--csv", "--no-numerics", "--threads", "--set" })
        {
            Assert.That(stdout, Does.Contain(option));
        }
    }
}
