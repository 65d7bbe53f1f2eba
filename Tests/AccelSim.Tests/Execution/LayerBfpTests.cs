using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Execution;

/// <summary>A workload may give a layer its own BFP formats; they change that layer's numerics, traffic and energy only.</summary>
public sealed class LayerBfpTests
{
    private static Network Load(string layerBfp)
    {
        string path = Path.Combine(Path.GetTempPath(), $"accelsim-layerbfp-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $$"""
            version: 1
            name: two_convs
            input: { channels: 4, height: 8, width: 8 }
            inputs: { synthetic: { seed: 7 } }
            weights: { synthetic: { seed: 42 } }
            layers:
              - { name: a, type: conv, filters: 8, kernel: 3, padding: 1, relu: true{{layerBfp}} }
              - { name: b, type: conv, filters: 8, kernel: 3, padding: 1 }
            """);
        try
        {
            return ConfigLoader.LoadWorkload(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Reader_TakesSharedAndPerTensorFormats_PerTensorWinning()
    {
        var layer = (ConvLayer)Load(", bfp: { mantissa_bits: 4, inputs: { mantissa_bits: 6, exponent_bits: 3 } }").Layers[0];

        Assert.That(layer.Bfp, Is.EqualTo(new LayerBfp(new BfpFormatOverride(null, 4), new BfpFormatOverride(3, 6))));
    }

    [Test]
    public void Reader_RejectsOutOfRangeWidths_WithPosition()
    {
        var error = Assert.Throws<ConfigException>(() => Load(", bfp: { mantissa_bits: 30 }"));

        Assert.That(error!.Errors.Single().Message, Does.Contain("mantissa_bits must be an integer from 2 to 24, was 30"));
    }

    [Test]
    public void NarrowLayer_LosesPrecisionAndWeightBytes_OtherLayersKeepTheirs()
    {
        // Layer a at 4-bit mantissas: about 4 bits less than bfp(5, 8) → roughly 24 dB lower local SQNR; its weights are
        // stored at 4 bits instead of 8, so it reads fewer DRAM bytes. Layer b keeps bfp(5, 8): its local error is the same.
        var config = TestHardware.Tiny();
        var plain = NetworkRunner.Run(config, TestHardware.UnitEnergyTable(), Load(""), new RunOptions(true, 1));
        var narrow = NetworkRunner.Run(config, TestHardware.UnitEnergyTable(), Load(", bfp: { mantissa_bits: 4 }"), new RunOptions(true, 1));

        Assert.Multiple(() =>
        {
            Assert.That(narrow.Layers[0].Numerics!.Local!.SqnrDb, Is.LessThan(plain.Layers[0].Numerics!.Local!.SqnrDb - 15));
            Assert.That(narrow.Layers[0].DramReadBytes, Is.LessThan(plain.Layers[0].DramReadBytes));
            Assert.That(narrow.Layers[1].DramReadBytes, Is.EqualTo(plain.Layers[1].DramReadBytes));
            Assert.That(narrow.Layers[0].EnergyPicoJoules, Is.LessThan(plain.Layers[0].EnergyPicoJoules));
        });
    }
}
