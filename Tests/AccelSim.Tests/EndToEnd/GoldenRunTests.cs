using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Reports;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.EndToEnd;

/// <summary>Whole runs of shipped configs and workloads against reviewed CSV reports.</summary>
/// <remarks>The tiny conv layer's row was derived by hand (see LayerSimulatorTests); the rest are regression pins.</remarks>
[Category("Golden")]
public sealed class GoldenRunTests
{
    [TestCase("tiny", "tiny")]
    [TestCase("tiny", "resnet_block")]
    public void ShippedRun_MatchesItsGoldenReport(string config, string workload)
    {
        var accelerator = ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(RepoPaths.Configs, config + ".yaml"));
        var network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, workload + ".yaml"));

        RunResult result = NetworkRunner.Run(accelerator.Hardware, accelerator.Energy, network, new RunOptions(Numerics: true, Threads: 2));
        var csv = new StringWriter { NewLine = "\n" };
        new CsvReportWriter().Write(result, csv);

        GoldenFile.AssertMatches($"{config}__{workload}.expected.csv", csv.ToString());
    }

    [TestCase("tiny", "tiny")]
    [TestCase("tiny", "resnet_block")]
    public void OneBankPerBuffer_GivenExplicitly_MatchesTheSameGoldenReport(string config, string workload)
    {
        // banks: 1 is the buffer as it was before banks existed: the same report, byte for byte.
        var accelerator = ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(RepoPaths.Configs, config + ".yaml"),
            [.. new[] { "buffers.ifmap.banks=1", "buffers.weights.banks=1", "buffers.ofmap.banks=1" }.Select(ConfigOverride.Parse)]);
        var network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, workload + ".yaml"));
        Assert.That(accelerator.Hardware.Buffers.Ifmap.Banks, Is.EqualTo(1));

        RunResult result = NetworkRunner.Run(accelerator.Hardware, accelerator.Energy, network, new RunOptions(Numerics: true, Threads: 2));
        var csv = new StringWriter { NewLine = "\n" };
        new CsvReportWriter().Write(result, csv);

        Assert.That(csv.ToString(), Is.EqualTo(File.ReadAllText(Path.Combine(RepoPaths.Root, "Tests", "AccelSim.Tests", "Golden", $"{config}__{workload}.expected.csv"))));
    }
}
