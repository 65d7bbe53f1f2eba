using AccelSim.Tests.Support;

namespace AccelSim.Tests.Cli;

/// <summary><c>accelsim map</c>: the chosen mapping of each conv/FC layer and its runners-up.</summary>
public sealed class MapCommandTests
{
    [Test]
    public void TinyNetwork_ShowsEachArrayLayer_ItsChoiceAndTheRunnersUp()
    {
        var (code, stdout, stderr) = CliHarness.Run("map", "-c", CliHarness.Shipped("Configs/tiny.yaml"), "-w", CliHarness.Shipped("Workloads/tiny.yaml"), "--top", "1");

        // tiny.yaml has two array layers (c1, fc) and a pool between them, which the vector unit runs and map skips.
        // The default search keeps the heuristic on both layers: nothing in their spaces takes fewer cycles (the tiny
        // golden reports are the heuristic's). The points it simulated are ranked.
        string[] lines = stdout.Split('\n');
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.Zero, stderr);
            Assert.That(lines.Where(l => l.StartsWith("layer ", StringComparison.Ordinal)).Select(l => l.Split(':')[0]), Is.EqualTo(new[] { "layer c1", "layer fc" }));
            Assert.That(lines.Count(l => l.Contains("chosen: heuristic (#", StringComparison.Ordinal)), Is.EqualTo(2));
            Assert.That(lines.Count(l => l.StartsWith("  loop nest: output-stationary 4x4", StringComparison.Ordinal)), Is.EqualTo(2));
            Assert.That(lines.Count(l => l.StartsWith("  #", StringComparison.Ordinal)), Is.EqualTo(2), "one runner-up per layer");
        }
    }

    [Test]
    public void SearchingConfig_ChoosesTheBestOfTheSpace()
    {
        var (code, stdout, stderr) = CliHarness.Run("map", "-c", CliHarness.Shipped("Configs/eyeriss_rs.yaml"), "-w", CliHarness.Shipped("Workloads/alexnet_2tower.yaml"),
            "--layer", "conv2", "--top", "0", "--set", "mapper.search=pruned");

        // The pruned search's choice is #1 under the objective; conv2's heuristic (14-row strips) is not it (see the
        // search tests: the two-tower AlexNet gains cycles).
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Match(@"layer conv2: \d+ mapping\(s\) in the space, \d+ simulated; chosen: .*strip_rows=\d+.* \(#1 under the objective\)").And.Not.Contain("  #"), stderr);
    }

    [Test]
    public void Describe_SaysHowLayersAreMapped_AndTheTieOrder()
    {
        var searched = CliHarness.Run("describe", "-c", CliHarness.Shipped("Configs/tiny.yaml"));
        var fixedMapping = CliHarness.Run("describe", "-c", CliHarness.Shipped("Configs/tiny.yaml"), "--set", "mapper.search=heuristic");

        // tiny.yaml has no mapper section: the default, pruned under cycles.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(searched.Out, Does.Contain("mapper: search pruned").And.Contain("objective cycles, ties to fewer cycles, then fewer DRAM bytes, then less energy"), searched.Err);
            Assert.That(fixedMapping.Out, Does.Contain("mapper: search heuristic (each dataflow's own mapping, no search)."), fixedMapping.Err);
        }
    }

    [Test]
    public void UnknownLayer_IsBadInput()
    {
        var (code, _, stderr) = CliHarness.Run("map", "-c", CliHarness.Shipped("Configs/tiny.yaml"), "-w", CliHarness.Shipped("Workloads/tiny.yaml"), "--layer", "conv9");

        CliHarness.AssertBadInput(code, stderr, "--layer 'conv9': the workload has no such layer");
    }

    [Test]
    public void BadObjective_IsBadInputAtTheOverride()
    {
        var (code, _, stderr) = CliHarness.Run("map", "-c", CliHarness.Shipped("Configs/tiny.yaml"), "-w", CliHarness.Shipped("Workloads/tiny.yaml"), "--set", "mapper.objective=area");

        CliHarness.AssertBadInput(code, stderr, "mapper.objective 'area' is not one of cycles, energy, edp, dram_bytes");
    }
}

/// <summary>The JSON report names each layer's mapping point.</summary>
public sealed class MappingPointReportTests() : WorkFolderFixture("accelsim-mapping-point-")
{
    [TestCase("heuristic")]
    [TestCase("exhaustive")]
    public void JsonReport_NamesEachLayersMappingPoint(string search)
    {
        string json = Path.Combine(Work, "run.json");

        var (code, _, stderr) = CliHarness.Run("run", "-c", CliHarness.Shipped("Configs/tiny.yaml"), "-w", CliHarness.Shipped("Workloads/resnet_block.yaml"),
            "--no-numerics", "--no-table", "-q", "--json", json, "--set", "pe_array.dataflow=row_stationary", "--set", $"mapper.search={search}");

        Assert.That(code, Is.Zero, stderr);
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        var layers = document.RootElement.GetProperty("layers").EnumerateArray()
            .Select(l => (Point: l.GetProperty("mapping_point").GetString()!, Mapping: l.GetProperty("mapping").GetString()!)).ToList();

        // The heuristic run names no point; a searched layer that chose another point also names it in its mapping.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(layers.Where(l => l.Point != "heuristic"), search == "heuristic" ? Is.Empty : Is.Not.Empty);
            Assert.That(layers.Where(l => l.Point != "heuristic").All(l => l.Mapping.EndsWith("; mapping point " + l.Point, StringComparison.Ordinal)));
        }
    }
}
