using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Reports;
using AccelSim.Sweeps;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Sweeps;

/// <summary>The sweep's timing-only run must equal <see cref="NetworkRunner"/> exactly; it only skips repeated layers.</summary>
public sealed class TimingRunnerTests
{
    private static string Report(RunResult result)
    {
        var text = new StringWriter();
        new CsvReportWriter().Write(result, text);
        new JsonReportWriter().Write(result, text);
        return text.ToString();
    }

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("Configs/tiny.yaml", "Workloads/tiny.yaml", Array.Empty<string>()).SetName("tiny on tiny");
        yield return new TestCaseData("Configs/tiny.yaml", "Workloads/resnet_block.yaml", Array.Empty<string>()).SetName("residual block on tiny");
        yield return new TestCaseData("Configs/default.yaml", "Workloads/resnet18_synthetic.yaml", new[] { "pe_array.rows=64", "buffers.weights.capacity_bytes=131072" })
            .SetName("ResNet-18 on a 64x32 array with 128 KiB of weight buffer");
        yield return new TestCaseData("Configs/unified_buffer.yaml", "Workloads/resnet18_synthetic.yaml", new[] { "buffers.unified.banks=1" })
            .SetName("ResNet-18 on one unified buffer of one bank");
    }

    [TestCaseSource(nameof(Cases))]
    public void TimingRun_EqualsTheNetworkRunnerWithoutNumerics(string config, string workload, string[] overrides)
    {
        LoadedAccelerator accelerator = ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(RepoPaths.Root, config), [.. overrides.Select(ConfigOverride.Parse)]);
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Root, workload));

        RunResult reference = NetworkRunner.Run(accelerator.Hardware, accelerator.Energy, network, new RunOptions(Numerics: false, Threads: 1));
        RunResult timing = TimingRunner.Run(accelerator.Hardware, accelerator.Energy, network);

        Assert.That(Report(timing), Is.EqualTo(Report(reference)));
    }

    [Test]
    public void LayerThatCannotBeMapped_FailsWithTheSameMessage()
    {
        // A 128-byte ifmap buffer: one reduction step of a 32-row fold (32 float32 maps' elements, 128 B) does not fit its 64-byte half.
        LoadedAccelerator accelerator = ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(RepoPaths.Configs, "default.yaml"),
            [ConfigOverride.Parse("buffers.ifmap.capacity_bytes=128"), ConfigOverride.Parse("activation_storage=float32")]);
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "resnet18_synthetic.yaml"));

        Exception reference = Assert.Catch(() => NetworkRunner.Run(accelerator.Hardware, accelerator.Energy, network, new RunOptions(Numerics: false, Threads: 1)))!;
        Exception timing = Assert.Catch(() => TimingRunner.Run(accelerator.Hardware, accelerator.Energy, network))!;

        Assert.That(SweepSession.Describe(timing), Is.EqualTo(SweepSession.Describe(reference)).And.StartWith("layer 'conv1': "));
    }

    [Test]
    public void RepeatedBlocks_ShareOneShape_AndDifferentLayersDoNot()
    {
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "resnet50.yaml"));
        Layer Named(string name) => TimingRunner.ShapeOf(network.Layers.Single(l => l.Name == name));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Named("res4_2_conv_b"), Is.EqualTo(Named("res4_1_conv_b")), "same shape, other name, inputs and weights");
            Assert.That(Named("res4_2_add"), Is.EqualTo(Named("res4_1_add")));
            Assert.That(Named("res4_1_conv_a"), Is.Not.EqualTo(Named("res4_0_conv_a")), "the first block reads half the channels");
            Assert.That(Named("res4_0_conv_b"), Is.Not.EqualTo(Named("res4_1_conv_b")), "the first block's 3x3 has stride 2");

            // 72 layers, 30 shapes: stem and head 4; conv2_x 5 (its projection is shaped like the 1x1 expand, and blocks
            // 1-2 repeat all but their 1x1 reduce); conv3_x, conv4_x and conv5_x 7 each (block 0's five layers, then the
            // 1x1 reduce and 3x3 of the blocks after it, whose 1x1 expand and add repeat block 0's).
            Assert.That(network.Layers.Select(TimingRunner.ShapeOf).Distinct().Count(), Is.EqualTo(4 + 5 + 7 + 7 + 7));
        }
    }
}
