using System.Collections.Immutable;
using System.Text.Json;
using AccelSim.Energy;
using AccelSim.Reports;
using AccelSim.Statistics;

namespace AccelSim.Tests.Reports;

/// <summary>The ONNX node of an imported layer beside its readable name, in every format; absent for other runs.</summary>
public sealed class OnnxNodeReportTests
{
    private static RunResult Result(string? onnxNode) => new()
    {
        ConfigName = "c", WorkloadName = "w", Batch = 1, PeCount = 1, ClockMegahertz = 1000, Agreement = null,
        Layers =
        [
            new LayerResult
            {
                Name = "layer1.0.conv1", OnnxNode = onnxNode, Type = "conv", Macs = 1, TotalCycles = 1, ComputeCycles = 1,
                StallCyclesByCause = ImmutableSortedDictionary<StallCause, long>.Empty, OverallUtilization = 1, DramReadBytes = 0, DramWriteBytes = 0,
                Energy = EnergyBreakdown.Empty, Numerics = null, Mapping = "", Events = 0,
            },
        ],
    };

    private static string Write(IReportWriter writer, RunResult result)
    {
        var text = new StringWriter();
        writer.Write(result, text);
        return text.ToString();
    }

    [Test]
    public void ImportedLayer_ShowsItsNode_InTheTableTheCsvAndTheJson()
    {
        RunResult result = Result("Convolution257");
        string[] csv = Write(new CsvReportWriter(), result).Split('\n');
        int column = Array.IndexOf(csv[0].Split(','), "onnx_node");
        using var json = JsonDocument.Parse(Write(new JsonReportWriter(), result));

        Assert.Multiple(() =>
        {
            Assert.That(Write(new ConsoleTableWriter(), result), Does.Match(@"│ layer +│ ONNX node +│ type +│").And.Match(@"│ layer1\.0\.conv1 +│ Convolution257 +│ conv +│"));
            Assert.That(column, Is.GreaterThan(0));
            Assert.That(csv[1].Split(',')[column], Is.EqualTo("Convolution257"));
            Assert.That(csv[2].Split(',')[column], Is.Empty, "the total row has no node");
            Assert.That(json.RootElement.GetProperty("layers")[0].GetProperty("onnx_node").GetString(), Is.EqualTo("Convolution257"));
        });
    }

    [Test]
    public void LayerNotImported_HasNoNodeColumn_AndANullField()
    {
        RunResult result = Result(null);
        using var json = JsonDocument.Parse(Write(new JsonReportWriter(), result));

        Assert.Multiple(() =>
        {
            Assert.That(Write(new ConsoleTableWriter(), result), Does.Not.Contain("ONNX node"));
            Assert.That(Write(new CsvReportWriter(), result), Does.Not.Contain("onnx_node"));
            Assert.That(json.RootElement.GetProperty("layers")[0].GetProperty("onnx_node").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
    }
}
