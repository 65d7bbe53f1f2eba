using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Tensors;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Execution;

/// <summary>Weights, bias and the network input can come from .npy files named relative to the workload.</summary>
public sealed class NpySourcesTests
{
    private string _dir = "";

    [SetUp]
    public void Create() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "accelsim-npysrc-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Delete() => Directory.Delete(_dir, true);

    private string Workload(string weightsLine, string inputsLine = "inputs: { npy: x.npy }")
    {
        string path = Path.Combine(_dir, "w.yaml");
        File.WriteAllText(path, $"""
            version: 1
            name: npy_conv
            input: {"{"} channels: 2, height: 2, width: 2 {"}"}
            {inputsLine}
            layers:
              - {"{"} name: c, type: conv, filters: 1, kernel: 1, {weightsLine} {"}"}
            """);
        return path;
    }

    [Test]
    public void NpyWeightsBiasAndInput_DriveTheRun()
    {
        // 1×1 conv, 2 → 1 channel: weights [2, 0.5], bias 1; input channel 0 = [1, 2, 3, 4], channel 1 = all 4.
        // Reference output = 2·x0 + 0.5·4 + 1 = [5, 7, 9, 11]; these are exact in bfp(5, 8) too.
        NpyFile.WriteFloat32(Path.Combine(_dir, "w.npy"), [1, 2, 1, 1], [2f, 0.5f]);
        NpyFile.WriteFloat32(Path.Combine(_dir, "b.npy"), [1], [1f]);
        NpyFile.WriteFloat32(Path.Combine(_dir, "x.npy"), [1, 2, 2, 2], [1f, 2f, 3f, 4f, 4f, 4f, 4f, 4f]);
        var network = ConfigLoader.LoadWorkload(Workload("weights: { npy: { weights: w.npy, bias: b.npy } }"));
        string dump = Path.Combine(_dir, "dump");

        var result = NetworkRunner.Run(TestHardware.Tiny(), TestHardware.UnitEnergyTable(), network, new RunOptions(true, 1, dump));

        Assert.Multiple(() =>
        {
            Assert.That(NpyFile.Read(Path.Combine(dump, "c.reference_output.npy")).Values, Is.EqualTo(new[] { 5f, 7f, 9f, 11f }));
            Assert.That(NpyFile.Read(Path.Combine(dump, "c.bfp_output.npy")).Values, Is.EqualTo(new[] { 5f, 7f, 9f, 11f }));
            Assert.That(result.Layers[0].Numerics!.Accumulated.SqnrDb, Is.EqualTo(double.PositiveInfinity));
        });
    }

    [Test]
    public void MissingFile_IsAConfigErrorAtItsKey()
    {
        NpyFile.WriteFloat32(Path.Combine(_dir, "x.npy"), [1, 2, 2, 2], new float[8]);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.LoadWorkload(Workload("weights: { npy: { weights: nope.npy } }")));

        Assert.That(error!.Errors.Single().Message, Does.StartWith("layers.c.weights.npy.weights 'nope.npy' does not exist"));
    }

    [Test]
    public void WrongSizedWeights_AreNamedWithTheLayerAndWhatIsNeeded()
    {
        NpyFile.WriteFloat32(Path.Combine(_dir, "w.npy"), [3], [1f, 2f, 3f]);
        NpyFile.WriteFloat32(Path.Combine(_dir, "x.npy"), [1, 2, 2, 2], new float[8]);
        var network = ConfigLoader.LoadWorkload(Workload("weights: { npy: { weights: w.npy } }"));

        var error = Assert.Throws<NpyFormatException>(() => NetworkRunner.Run(TestHardware.Tiny(), TestHardware.UnitEnergyTable(), network, new RunOptions(true, 1)));

        Assert.That(error!.Message, Does.EndWith("w.npy: shape (3) holds 3 values; layer 'c' weights (1x2) needs 2"));
    }
}
