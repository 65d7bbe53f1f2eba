using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Execution;

/// <summary>Where a stored feature map is converted: once, on the producer's side when it is stored as the array's operands.</summary>
public sealed class LayerContextsStorageTests
{
    [Test]
    public void BfpTensorStorage_MovesTheInputConversionToTheProducersOutput()
    {
        // Tiny network c1 → p1 → f1 on a BFP array with tensor input blocks: every map is stored as the next layer's
        // operands, so no layer converts what it reads, and each converts what it writes: a step reading 100 elements and
        // finishing 10 outputs converts 10.
        AcceleratorConfig config = TestHardware.Tiny() with { ActivationStorage = ActivationStorage.Bfp };
        Network network = TestNetworks.Tiny();

        LayerContext[] contexts = [.. Enumerable.Range(0, 3).Select(i => LayerContexts.For(network, i, config, RunSettings.Native))];

        Assert.Multiple(() =>
        {
            Assert.That(contexts.Select(c => c.InputPreconverted), Is.All.True);
            Assert.That(contexts.Select(c => c.ConvertsOutput), Is.All.True);
            Assert.That(contexts[1].Conversions(100, 10), Is.EqualTo(10));
            // bfp(5, 8) tensor: 8 bits per element plus one 5-bit exponent per piece: 36 elements = 293 bits = 37 bytes.
            Assert.That(contexts[1].Input.Bytes(36), Is.EqualTo(37));
        });
    }

    [Test]
    public void Float16StorageOnABfpArray_IsConvertedWhereItIsRead()
    {
        // float16 is not a BFP array's operand format: the reader converts all 100 elements it reads, the writer's output
        // converter only rounds to a narrower float (its normalisation, counted as output conversions).
        AcceleratorConfig config = TestHardware.Tiny() with { ActivationStorage = ActivationStorage.Float16 };

        LayerContext context = LayerContexts.For(TestNetworks.Tiny(), 2, config, RunSettings.Native);

        Assert.Multiple(() =>
        {
            Assert.That(context.InputPreconverted, Is.False);
            Assert.That(context.ConvertsOutput, Is.False);
            Assert.That(context.Conversions(100, 10), Is.EqualTo(100));
            Assert.That(context.Input.Bytes(36), Is.EqualTo(72), "36 float16 elements: 2 bytes each");
        });
    }

    [Test]
    public void ALayerWithItsOwnStorage_IsReadInItByTheNextLayer()
    {
        // p1 stores int8 (8 bits per element plus a 32-bit scale per piece): f1 reads 36 elements as 36 + 4 = 40 bytes;
        // p1 itself reads c1's float32 map.
        Network network = TestNetworks.Tiny();
        network = network with { Layers = [network.Layers[0], network.Layers[1] with { ActivationStorage = ActivationStorage.Int8 }, network.Layers[2]] };

        Assert.Multiple(() =>
        {
            Assert.That(LayerContexts.For(network, 2, TestHardware.Tiny(), RunSettings.Native).Input.Bytes(36), Is.EqualTo(40));
            Assert.That(LayerContexts.For(network, 1, TestHardware.Tiny(), RunSettings.Native).Input.Bytes(36), Is.EqualTo(144));
            Assert.That(LayerContexts.For(network, 1, TestHardware.Tiny(), RunSettings.Native).Output.Bytes(36), Is.EqualTo(40));
        });
    }
}
