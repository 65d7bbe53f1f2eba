using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Mapping;
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

    [Test]
    public void AnAddOfAFloat32AndAFloat16Map_ReadsEachInItsOwnFormat()
    {
        // input 4×16×16 → a (1×1 conv, 4 filters, stored float32) → b (1×1 conv on a, stored float16) → add(a, b), stored
        // float32, on the tiny config (half the ifmap buffer 2,048 bytes, ofmap 4,096). A step of n outputs reads n
        // elements of each map: 4n + 2n = 6n bytes ≤ 2,048, so n = 341 (6 × 342 = 2,052 does not fit; 4 × 341 outputs fit
        // the ofmap buffer). 1,024 outputs: steps of 341, 341, 341 and 1 read 3 × 2,046 + 6 = 6,144 bytes, the 4,096 of a
        // and the 2,048 of b. Sized by the first map's format they would be 8 × 1,024 = 8,192.
        ConvLayer a = TestNetworks.SquareConv(4, 16, 4, 1) with { Name = "a" };
        ConvLayer b = a with { Name = "b", Inputs = ["a"], ActivationStorage = ActivationStorage.Float16 };
        var add = new AddLayer { Name = "sum", Inputs = ["a", "b"], InputShape = a.OutputShape, OutputShape = a.OutputShape, FusedRelu = false };
        Network network = TestNetworks.Tiny() with { InputShape = a.InputShape, Layers = [a, b, add] };
        AcceleratorConfig config = TestHardware.Tiny();

        TileSchedule schedule = Mapper.Map(add, 1, config, LayerContexts.For(network, 2, config, RunSettings.Native));

        Assert.Multiple(() =>
        {
            Assert.That(schedule.Steps.Length, Is.EqualTo(4));
            Assert.That(schedule.IfmapTileBytes.TotalBytes, Is.EqualTo(6144));
        });
    }

    [Test]
    public void AConcatOfDifferentlyStoredMaps_SharesItsStepsByChannels()
    {
        // concat(a: 2 channels float32, b: 6 channels int8 with a 32-bit scale a piece). 100 outputs: a's share is
        // 100 × 2 / 8 = 25 elements (100 bytes), b's the other 75 (75 + 4 = 79 bytes): 179 bytes.
        var context = LayerContext.Of(TestHardware.Tiny()) with
        {
            Inputs = [new InputMap(FeatureMapFormat.Float32, 2), new InputMap(FeatureMapFormat.Of(ActivationStorage.Int8, TestHardware.Tiny().Bfp, 6, TestHardware.Tiny().PeArray.Arithmetic), 6)],
        };

        Assert.That(context.InputBytes(100, 1), Is.EqualTo(179));
    }
}
