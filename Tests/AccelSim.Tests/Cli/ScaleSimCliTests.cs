using System.Globalization;
using AccelSim.Cli;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.ScaleSim;
using AccelSim.Tests.Support;
using static AccelSim.Tests.Support.CliHarness;

namespace AccelSim.Tests.Cli;

/// <summary>SCALE-Sim v2's own configs, topologies and reports (Golden/scalesim, 84 runs on 8×8 arrays) through the real
/// command line: <c>accelsim run --config X.cfg --workload Y.csv --scalesim-reports DIR</c>.</summary>
public sealed class ScaleSimCliTests() : WorkFolderFixture("accelsim-scalesim-")
{
    private static readonly string Golden = Path.Combine(RepoPaths.Root, "Tests", "AccelSim.Tests", "Golden", "scalesim");

    private static IEnumerable<TestCaseData> Cases()
    {
        string[] lines = File.ReadAllLines(Path.Combine(Golden, "results-8x8.csv"));
        string[] header = lines[0].Split(',');
        foreach (string line in lines.Skip(1))
        {
            string[] fields = line.Split(',');
            var row = header.Select((name, i) => (name, fields[i])).ToDictionary(p => p.name, p => p.Item2);
            yield return new TestCaseData(row).SetName(row["case"]);
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Reports_MatchScaleSims(Dictionary<string, string> expected)
    {
        string reports = Path.Combine(Work, "reports");
        var (code, _, stderr) = Run("run", "--config", Path.Combine(Golden, "configs", expected["config_file"]),
            "--workload", Path.Combine(Golden, "topologies", expected["topology_file"]), "--scalesim-reports", reports, "--no-table", "--threads", "1");
        Assert.That(code, Is.Zero, stderr);
        var actual = ReadReport(Path.Combine(reports, "COMPUTE_REPORT.csv"))
            .Concat(ReadReport(Path.Combine(reports, "BANDWIDTH_REPORT.csv")))
            .Concat(ReadReport(Path.Combine(reports, "DETAILED_ACCESS_REPORT.csv")))
            .ToDictionary(p => p.Key, p => p.Value);
        Assert.That(actual.Keys, Is.EquivalentTo(ReportColumns.Select(c => c.Report)), "report columns");
        Assert.Multiple(() =>
        {
            // Every value SCALE-Sim printed: integers exactly (doubles hold them exactly), ratios to 1e-9 relative.
            foreach ((string report, string golden) in ReportColumns)
            {
                double want = Number(expected, golden);
                Assert.That(actual[report], Is.EqualTo(want).Within(Math.Abs(want) * 1e-9), report);
            }
        });
    }

    /// <summary>Each report column (COMPUTE, BANDWIDTH, DETAILED_ACCESS) and its column in the golden file.</summary>
    private static readonly (string Report, string Golden)[] ReportColumns =
    [
        ("Total Cycles", "total_cycles"), ("Stall Cycles", "stall_cycles"), ("Overall Util %", "overall_util_pct"),
        ("Mapping Efficiency %", "mapping_eff_pct"), ("Compute Util %", "compute_util_pct"),
        ("Avg IFMAP SRAM BW", "avg_ifmap_sram_bw"), ("Avg FILTER SRAM BW", "avg_filter_sram_bw"), ("Avg OFMAP SRAM BW", "avg_ofmap_sram_bw"),
        ("Avg IFMAP DRAM BW", "avg_ifmap_dram_bw"), ("Avg FILTER DRAM BW", "avg_filter_dram_bw"), ("Avg OFMAP DRAM BW", "avg_ofmap_dram_bw"),
        ("SRAM IFMAP Start Cycle", "sram_ifmap_start_cycle"), ("SRAM IFMAP Stop Cycle", "sram_ifmap_stop_cycle"), ("SRAM IFMAP Reads", "sram_ifmap_accesses"),
        ("SRAM Filter Start Cycle", "sram_filter_start_cycle"), ("SRAM Filter Stop Cycle", "sram_filter_stop_cycle"), ("SRAM Filter Reads", "sram_filter_accesses"),
        ("SRAM OFMAP Start Cycle", "sram_ofmap_start_cycle"), ("SRAM OFMAP Stop Cycle", "sram_ofmap_stop_cycle"), ("SRAM OFMAP Writes", "sram_ofmap_accesses"),
        ("DRAM IFMAP Start Cycle", "dram_ifmap_start_cycle"), ("DRAM IFMAP Stop Cycle", "dram_ifmap_stop_cycle"), ("DRAM IFMAP Reads", "dram_ifmap_accesses"),
        ("DRAM Filter Start Cycle", "dram_filter_start_cycle"), ("DRAM Filter Stop Cycle", "dram_filter_stop_cycle"), ("DRAM Filter Reads", "dram_filter_accesses"),
        ("DRAM OFMAP Start Cycle", "dram_ofmap_start_cycle"), ("DRAM OFMAP Stop Cycle", "dram_ofmap_stop_cycle"), ("DRAM OFMAP Writes", "dram_ofmap_accesses"),
    ];

    [Test]
    public void CompatRun_TakesItsStallsFromScaleSimsMemorySystem_NativeRunDoesNot()
    {
        // Golden row small_8x8_os_usersmall__conv3x3: SCALE-Sim stalls 96,068 cycles (2 kB buffers, 4 words/cycle).
        // Native timing of the same config keeps its own DRAM model (one channel of 3 × 4 words = 48 bytes/cycle, unique
        // data fetched once): its memory stalls cannot exceed moving everything once, (16,384 B ifmap + at most 18,432 B
        // of weights + 25,088 B ofmap) / 48 ≈ 1,248 cycles, plus a few latencies; far below SCALE-Sim's 96,068.
        string config = Path.Combine(Golden, "configs", "small_8x8_os_usersmall.cfg");
        string topology = Path.Combine(Golden, "topologies", "small_conv3x3.csv");
        string compat = Path.Combine(Work, "compat.json");
        string native = Path.Combine(Work, "native.json");

        var (compatCode, _, compatErr) = Run("run", "--config", config, "--workload", topology, "--scalesim-compat", "--json", compat, "--no-table");
        var (nativeCode, _, nativeErr) = Run("run", "--config", config, "--workload", topology, "--json", native, "--no-table");

        Assert.That(compatCode, Is.Zero, compatErr);
        Assert.That(nativeCode, Is.Zero, nativeErr);
        var compatLayer = System.Text.Json.JsonDocument.Parse(File.ReadAllText(compat)).RootElement.GetProperty("layers")[0];
        var nativeLayer = System.Text.Json.JsonDocument.Parse(File.ReadAllText(native)).RootElement.GetProperty("layers")[0];
        var byCause = compatLayer.GetProperty("stall_cycles_by_cause");
        long memoryStalls = byCause.GetProperty("ifmap").GetInt64() + byCause.GetProperty("weights").GetInt64() + byCause.GetProperty("output_drain").GetInt64();
        long fillDrain = byCause.GetProperty("fill_drain").GetInt64();
        Assert.Multiple(() =>
        {
            // SCALE-Sim's stalls, split by the buffer that waited; the array's fill and drain stays a cause of its own.
            Assert.That(memoryStalls, Is.EqualTo(96_068));
            Assert.That(compatLayer.GetProperty("stall_cycles").GetInt64(), Is.EqualTo(96_068 + fillDrain));
            Assert.That(compatLayer.GetProperty("total_cycles").GetInt64(), Is.EqualTo(compatLayer.GetProperty("compute_cycles").GetInt64() + fillDrain + 96_068));
            var nativeByCause = nativeLayer.GetProperty("stall_cycles_by_cause");
            long nativeMemoryStalls = nativeByCause.GetProperty("ifmap").GetInt64() + nativeByCause.GetProperty("weights").GetInt64()
                + nativeByCause.GetProperty("output_drain").GetInt64() + nativeByCause.GetProperty("dram_bandwidth").GetInt64();
            Assert.That(nativeMemoryStalls, Is.InRange(1, 1_300), "native stalls");
        });
    }

    [Test]
    public void GoldenFile_CoversEveryDataflowAndBothBandwidthModes()
    {
        var rows = Cases().Select(c => (Dictionary<string, string>)c.Arguments[0]!).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(rows, Has.Count.EqualTo(84));
            Assert.That(rows.Select(r => r["dataflow"]).Distinct().Order(), Is.EqualTo(new[] { "is", "os", "ws" }));
            Assert.That(rows.Select(r => r["bw_mode"]).Distinct().Order(), Is.EqualTo(new[] { "CALC", "USER" }));
        });
    }

    /// <summary>All of SCALE-Sim's small reference runs: 7 topologies × 3 array sizes × 3 dataflows × 4 memory settings.</summary>
    private static IEnumerable<TestCaseData> SmallRuns() =>
        from config in Directory.GetFiles(Path.Combine(Golden, "configs"), "small_*.cfg").Order(StringComparer.Ordinal)
        from topology in Directory.GetFiles(Path.Combine(Golden, "topologies"), "small_*.csv").Order(StringComparer.Ordinal)
        select new TestCaseData(Path.GetFileName(config), Path.GetFileName(topology))
            .SetName($"{Path.GetFileNameWithoutExtension(config)}__{Path.GetFileNameWithoutExtension(topology)}");

    [Test]
    public void SmallRuns_AreAll252()
    {
        Assert.That(SmallRuns().Count(), Is.EqualTo(7 * 3 * 3 * 4));
    }

    [TestCaseSource(nameof(SmallRuns))]
    public void SmallRuns_AllMap_WithScaleSimsClosedFormComputeCycles(string configFile, string topologyFile)
    {
        string config = Path.Combine(Golden, "configs", configFile);
        string topology = Path.Combine(Golden, "topologies", topologyFile);
        string reports = Path.Combine(Work, "reports");

        var (code, _, stderr) = Run("run", "--config", config, "--workload", topology, "--scalesim-reports", reports, "--no-table", "--threads", "1", "-q");

        Assert.That(code, Is.Zero, stderr);
        var compute = ReadReport(Path.Combine(reports, "COMPUTE_REPORT.csv"));
        var (m, k, n) = GemmOf(topology);
        var (rows, cols, dataflow) = ArrayOf(config);
        ScaleSimCompute.Result closed = ScaleSimCompute.Of(dataflow, rows, cols, m, k, n);
        Assert.That(compute["Total Cycles"] - compute["Stall Cycles"], Is.EqualTo(closed.TotalCycles), "compute cycles: folds × fold length − 1");
    }

    [TestCase("small_16x16_os_usersmall.cfg", 3791, 49152)]
    [TestCase("small_32x32_os_usersmall.cfg", 1139, 24576)]
    public void GemmMnk_OnTwoKilobyteOsBuffers_StreamsKInPiecesOfItsOneChannel(string configFile, long computeCycles, long nativeIfmapWords)
    {
        // M = 64, N = 96, K = 128 in one channel; 2 kB buffers hold 2,048 float32 words, half of one is 4,096 B.
        // 16×16: a fold's 16 input rows of 128 words (8,192 B) do not fit; pieces of 64 (16·64·4 = 4,096 B) do.
        //   4 × 6 folds of 128 + 16 + 16 − 2 = 158 cycles: 3,792 − 1 = 3,791 (SCALE-Sim counts from 0).
        //   Every fold gathers its 16 × 128 block: 24 · 2,048 = 49,152 words (this simulator's own traffic; the reports'
        //   DRAM reads are SCALE-Sim's memory system's).
        // 32×32: pieces of 32 (32·32·4 = 4,096 B); 2 × 3 folds of 128 + 32 + 32 − 2 = 190: 1,140 − 1 = 1,139;
        //   6 folds · 32 · 128 = 24,576 words.
        string config = Path.Combine(Golden, "configs", configFile);
        string topology = Path.Combine(Golden, "topologies", "small_gemm_mnk.csv");
        string fold = Path.Combine(Work, "fold");
        string pe = Path.Combine(Work, "pe");

        var (code, _, stderr) = Run("run", "--config", config, "--workload", topology, "--scalesim-reports", fold, "--no-table", "-q");
        var (peCode, _, peErr) = Run("run", "--config", config, "--workload", topology, "--scalesim-reports", pe, "--no-table", "-q", "--detail", "pe");

        Assert.That(code, Is.Zero, stderr);
        Assert.That(peCode, Is.Zero, peErr);
        var compute = ReadReport(Path.Combine(fold, "COMPUTE_REPORT.csv"));
        var detail = ReadReport(Path.Combine(fold, "DETAILED_ACCESS_REPORT.csv"));
        Assert.Multiple(() =>
        {
            Assert.That(compute["Total Cycles"] - compute["Stall Cycles"], Is.EqualTo(computeCycles));
            Assert.That(compute["Stall Cycles"], Is.Positive, "4 words per cycle cannot keep up with the refetches");
            Assert.That(detail["DRAM IFMAP Reads"], Is.Positive);
            Assert.That(NativeIfmapFillBytes(config, topology), Is.EqualTo(nativeIfmapWords * ScaleSimConfigReader.OperandBytes));
            Assert.That(File.ReadAllText(Path.Combine(pe, "COMPUTE_REPORT.csv")), Is.EqualTo(File.ReadAllText(Path.Combine(fold, "COMPUTE_REPORT.csv"))),
                "the per-PE model times the same folds");
        });
    }

    [Test]
    public void ReductionStepLargerThanHalfTheIfmapBuffer_IsRefusedWithTheBytes()
    {
        // 1024×1 array, 1 kB buffers (4,096 B, halves 2,048 B): one reduction step of a full fold is 1,024 float32 = 4,096 B.
        string config = Path.Combine(Work, "tall.cfg");
        File.WriteAllText(config, File.ReadAllText(Path.Combine(Golden, "configs", "small_8x8_os_usersmall.cfg"))
            .Replace("ArrayHeight:    8", "ArrayHeight:    1024", StringComparison.Ordinal)
            .Replace("ArrayWidth:     8", "ArrayWidth:     1", StringComparison.Ordinal)
            .Replace("SzkB:  2", "SzkB:  1", StringComparison.Ordinal)
            .Replace("SzkB: 2", "SzkB: 1", StringComparison.Ordinal));
        string topology = Path.Combine(Work, "g.csv");
        File.WriteAllText(topology, "Layer, M, N, K,\ng, 2048, 4, 16,\n");

        var (code, _, stderr) = Run("run", "--config", config, "--workload", topology, "--no-table", "-q");

        Assert.That(code, Is.EqualTo(2));
        // The smallest buffers: ifmap 2 x 4,096 B; weights 2 x one weight (8-bit mantissa + 5-bit row exponent = 2 B);
        // ofmap one 1024x1 fold's results x 4 B = 4,096.
        Assert.That(stderr.Trim(), Is.EqualTo(
            "error: layer 'g': even one reduction step of one fold is too large: its input (4096 bytes) does not fit half the ifmap buffer (2048 bytes); " +
            "the smallest buffers that hold the smallest tile: ifmap 8192, weights 4, ofmap 4096 bytes (this layer has 4096, 4096, 4096)"));
    }

    /// <summary>M, K, N of a one-layer topology, derived from its numbers as SCALE-Sim does (output size
    /// ceil((H − Fh + Sh) / Sh); the GEMM form gives them directly).</summary>
    private static (long M, long K, long N) GemmOf(string topology)
    {
        string[] lines = File.ReadAllLines(topology);
        long[] v = lines[1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        if (lines[0].TrimEnd().TrimEnd(',').Split(',').Length == 4)
        {
            return (v[0], v[2], v[1]);
        }

        long strideW = v.Length > 7 ? v[7] : v[6];
        long outH = (v[0] - v[2] + v[6] + v[6] - 1) / v[6];
        long outW = (v[1] - v[3] + strideW + strideW - 1) / strideW;
        return (outH * outW, v[2] * v[3] * v[4], v[5]);
    }

    /// <summary>Array rows, columns and dataflow of a SCALE-Sim config.</summary>
    private static (int Rows, int Cols, Dataflow Dataflow) ArrayOf(string config)
    {
        var values = File.ReadAllLines(config).Select(l => l.Split([':', '='], 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim());
        Dataflow dataflow = values["Dataflow"] switch
        {
            "os" => Dataflow.OutputStationary,
            "ws" => Dataflow.WeightStationary,
            _ => Dataflow.InputStationary,
        };
        return (int.Parse(values["ArrayHeight"], CultureInfo.InvariantCulture), int.Parse(values["ArrayWidth"], CultureInfo.InvariantCulture), dataflow);
    }

    [Test]
    public void PeDetail_GivesTheSameComputeCycles_OnASmallArray()
    {
        string fold = Path.Combine(Work, "fold");
        string pe = Path.Combine(Work, "pe");
        string config = Path.Combine(Golden, "configs", "small_8x8_ws_calcbig.cfg");
        string topology = Path.Combine(Golden, "topologies", "small_convrect.csv");

        var (foldCode, _, foldErr) = Run("run", "--config", config, "--workload", topology, "--scalesim-reports", fold, "--no-table");
        var (peCode, _, peErr) = Run("run", "--config", config, "--workload", topology, "--scalesim-reports", pe, "--no-table", "--detail", "pe");

        Assert.That(foldCode, Is.Zero, foldErr);
        Assert.That(peCode, Is.Zero, peErr);
        Assert.That(File.ReadAllText(Path.Combine(pe, "COMPUTE_REPORT.csv")), Is.EqualTo(File.ReadAllText(Path.Combine(fold, "COMPUTE_REPORT.csv"))));
    }

    [Test]
    public void PeDetail_OnALargeArray_IsRefusedWithExitCode2()
    {
        // 1024×1024 PEs × (2·1024 + 1024 + 196 − 2) cycles of one ws fold ≈ 3.4·10⁹ PE-cycles, over the 2·10⁸ limit.
        string config = Path.Combine(Work, "big.cfg");
        File.WriteAllText(config, File.ReadAllText(Path.Combine(Golden, "configs", "small_8x8_ws_calcbig.cfg"))
            .Replace("ArrayHeight:    8", "ArrayHeight:    1024", StringComparison.Ordinal)
            .Replace("ArrayWidth:     8", "ArrayWidth:     1024", StringComparison.Ordinal));

        var (code, _, stderr) = Run("run", "--config", config, "--workload", Path.Combine(Golden, "topologies", "small_conv3x3.csv"),
            "--no-table", "--detail", "pe", "-q");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.StartWith("error: the PE-level model would simulate"));
    }

    [Test]
    public void UnknownDetail_IsAUsageError()
    {
        var (code, _, stderr) = Run("run", "--detail", "gate", "--no-table");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Is.EqualTo("error: --detail must be fold or pe, was 'gate'"));
    }

    [Test]
    public void BadConfigValue_IsReportedAtItsLineAndColumn()
    {
        string config = Path.Combine(Work, "bad.cfg");
        File.WriteAllText(config, "[general]\nrun_name = x\n\n[architecture_presets]\nArrayHeight:    8\nArrayWidth:     eight\n" +
            "IfmapSramSzkB: 8\nFilterSramSzkB: 8\nOfmapSramSzkB: 8\nIfmapOffset: 0\nFilterOffset: 10000000\nOfmapOffset: 20000000\n" +
            "Dataflow : rs\n\n[run_presets]\nInterfaceBandwidth: CALC\n");

        var (code, _, stderr) = Run("run", "--config", config, "--workload", Path.Combine(Golden, "topologies", "small_conv3x3.csv"), "--no-table");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Trim().Split('\n'), Is.EqualTo(new[]
        {
            $"{config}:6:17: ArrayWidth 'eight' must be an integer from 1 to 4096",
            $"{config}:13:12: Dataflow 'rs' must be os, ws or is",
        }));
    }

    [Test]
    public void MissingBandwidthInUserMode_IsReported()
    {
        string config = Path.Combine(Work, "user.cfg");
        File.WriteAllText(config, File.ReadAllText(Path.Combine(Golden, "configs", "small_8x8_os_usermid.cfg")).Replace("Bandwidth : 16", "", StringComparison.Ordinal));

        var (code, _, stderr) = Run("run", "--config", config, "--workload", Path.Combine(Golden, "topologies", "small_conv3x3.csv"), "--no-table");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Is.EqualTo($"{config}:4:1: missing 'Bandwidth' in [architecture_presets]; SCALE-Sim v2 requires it"));
    }

    [TestCase("conv, 16, 16, 3, 3, 16, x2, 1, 1,", "2:25: 'x2' must be a whole number, at least 1")]
    [TestCase("conv, 16, 16, 3, 3, 16, 32, 1, 1", "2:33: a row must end with ',': SCALE-Sim drops the last field of every row")]
    [TestCase("conv, 2, 16, 3, 3, 16, 32, 1, 1,", "2:14: the filter is larger than the input (SCALE-Sim has no padding: give the padded input size)")]
    [TestCase("conv, 16, 16, 3, 3, 16, 32, 1, 1, 7,", "2:1: 10 fields; a conv row is 'name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Stride Height[, Stride Width],'")]
    public void BadTopologyRow_IsReportedAtItsLineAndColumn(string row, string message)
    {
        string topology = Path.Combine(Work, "bad.csv");
        File.WriteAllText(topology, "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Stride Height, Stride Width,\n" + row + "\n");

        var (code, _, stderr) = Run("run", "--config", Path.Combine(Golden, "configs", "small_8x8_os_calcbig.cfg"), "--workload", topology, "--no-table");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Is.EqualTo($"{topology}:{message}"));
    }

    [Test]
    public void Validate_ChecksScaleSimFiles()
    {
        string bad = Path.Combine(Work, "bad.csv");
        File.WriteAllText(bad, "Layer,M,N,K,\ng, 64, 0, 128,\n");
        string good = Path.Combine(Golden, "topologies", "small_gemm_mnk.csv");
        string config = Path.Combine(Golden, "configs", "small_8x8_is_usersmall.cfg");

        var (code, stdout, stderr) = Run("validate", good, config, bad);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stdout, Does.Contain($"{good}: valid SCALE-Sim topology").And.Contain($"{config}: valid SCALE-Sim config"));
        Assert.That(stderr.Trim(), Is.EqualTo($"{bad}:2:8: '0' must be a whole number, at least 1"));
    }

    [Test]
    public void DepthwiseRows_AreExpandedPerChannel_AsScaleSimDoes()
    {
        // "DP" in the name: 3 layers of 1 channel each, named <name>Channel_<i>; each 8x8 is 6x6 = 36 pixels, K = 9, N = 4.
        // os 8x8: ceil(36/8) = 5 folds of 9 + 8 + 8 − 2 = 23 cycles → 115 − 1 = 114 per layer.
        string topology = Path.Combine(Work, "dw.csv");
        File.WriteAllText(topology, "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nconvDP, 8, 8, 3, 3, 3, 4, 1,\n");
        string reports = Path.Combine(Work, "reports");

        var (code, _, stderr) = Run("run", "--config", Path.Combine(Golden, "configs", "small_8x8_os_calcbig.cfg"), "--workload", topology,
            "--scalesim-reports", reports, "--no-table");

        Assert.That(code, Is.Zero, stderr);
        string[] lines = File.ReadAllLines(Path.Combine(reports, "COMPUTE_REPORT.csv"));
        Assert.That(lines.Skip(1).Select(l => l.Split(", ")[1]), Is.EqualTo(new[] { "114", "114", "114" }));
    }

    /// <summary>The first data row of a SCALE-Sim report ("a, b, c," lines) by column name (LayerID left out).</summary>
    /// <summary>Bytes this simulator's own ifmap loader fetches for the topology's single layer under the config, as a
    /// compatibility run simulates it.</summary>
    private static long NativeIfmapFillBytes(string configPath, string topologyPath)
    {
        var baseline = AccelSim.Configuration.ConfigLoader.LoadAccelerator(Path.Combine(RepoPaths.Configs, "default.yaml"));
        var (config, _) = ScaleSimConfigReader.Read(configPath, baseline);
        var network = ScaleSimTopologyReader.Read(topologyPath);
        var compatibility = LayerContext.Of(config, new RunSettings { Counting = ScaleSimRunner.Conventions });
        return LayerSimulator.Run(network.Layers.Single(), network.Batch, config, compatibility).Stats["ifmap.fill_bytes"];
    }

    private static Dictionary<string, double> ReadReport(string path)
    {
        string[] lines = File.ReadAllLines(path);
        string[] header = lines[0].TrimEnd(',').Split(", ");
        string[] values = lines[1].TrimEnd(',').Split(", ");
        return header.Select((name, i) => (name, double.Parse(values[i], CultureInfo.InvariantCulture)))
            .Where(p => p.name != "LayerID").ToDictionary(p => p.name, p => p.Item2);
    }

    private static double Number(Dictionary<string, string> row, string column) => double.Parse(row[column], CultureInfo.InvariantCulture);
}
