using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Tests.Hardware;

/// <summary>Bytes and SRAM words of a feature-map piece in each storage format, derived by hand.</summary>
public sealed class FeatureMapFormatTests
{
    private static readonly SramConfig Sram128 = new("ifmap", 4096, 128, 1, 1);

    private static BfpSettings Bfp(BlockPartition inputs) =>
        new(new BfpFormat(5, 8), new BfpFormat(5, 8), BlockPartition.Row, inputs, RoundingMode.NearestEven, null, 0);

    // 10 elements; bytes = ceil(bits / 8); 128-bit words = ceil(bytes·8 / 128).
    // float32: 320 bits = 40 B = 2.5 words → 3. float16, bfloat16: 160 bits = 20 B → 2 words.
    // int8: 80 bits + one 32-bit float scale = 112 bits = 14 B → 1 word.
    // bfp(5, 8) tensor: 80 + one 5-bit exponent = 85 bits → 11 B (88 bits) → 1 word.
    // bfp(5, 8) column on a 3-channel map (one exponent per pixel's 3 channels): ceil(10/3) = 4 blocks, 80 + 20 = 100 bits → 13 B → 1 word.
    // bfp(5, 8) group 4: ceil(10/4) = 3 blocks, 80 + 15 = 95 bits → 12 B → 1 word.
    [TestCase(ActivationStorage.Float32, PartitionKind.Tensor, 320, 40, 3)]
    [TestCase(ActivationStorage.Float16, PartitionKind.Tensor, 160, 20, 2)]
    [TestCase(ActivationStorage.Bfloat16, PartitionKind.Tensor, 160, 20, 2)]
    [TestCase(ActivationStorage.Int8, PartitionKind.Tensor, 112, 14, 1)]
    [TestCase(ActivationStorage.Bfp, PartitionKind.Tensor, 85, 11, 1)]
    [TestCase(ActivationStorage.Bfp, PartitionKind.Column, 100, 13, 1)]
    [TestCase(ActivationStorage.Bfp, PartitionKind.Group, 95, 12, 1)]
    public void TenElements_TakeTheHandDerivedBitsBytesAndWords(ActivationStorage storage, PartitionKind partition, long bits, long bytes, long words)
    {
        var inputs = partition == PartitionKind.Group ? BlockPartition.Group(4) : new BlockPartition(partition, 0);
        FeatureMapFormat format = FeatureMapFormat.Of(storage, Bfp(inputs), channels: 3, Arithmetic.Bfp);

        Assert.Multiple(() =>
        {
            Assert.That(format.Bits(10), Is.EqualTo(bits));
            Assert.That(format.Bytes(10), Is.EqualTo(bytes));
            Assert.That(Sram128.Words(format.Bytes(10)), Is.EqualTo(words));
        });
    }

    [Test]
    public void Mxfp8_TakesItsElementsAndOneScalePerBlockOf32()
    {
        // 64 elements of MXFP8 E4M3: 64·8 + 2 scales·8 = 528 bits = 66 B, 8.25 bits per element; 40 elements: 320 + 16 = 336 bits = 42 B.
        BfpSettings mx = Bfp(BlockPartition.Tensor).WithFormats(MxFormat.MxFp8E4M3, MxFormat.MxFp8E4M3);
        FeatureMapFormat format = FeatureMapFormat.Of(ActivationStorage.Bfp, mx, channels: 64, Arithmetic.Bfp);

        Assert.Multiple(() =>
        {
            Assert.That(format.Bytes(64), Is.EqualTo(66));
            Assert.That(format.Bytes(40), Is.EqualTo(42));
            Assert.That(format.BitsPerElement, Is.EqualTo(8.25));
            Assert.That(format.IsArrayOperand, Is.False);
        });
    }

    [Test]
    public void OnlyTheArraysOwnOperandFormat_IsReadWithoutConversion()
    {
        Assert.Multiple(() =>
        {
            Assert.That(FeatureMapFormat.Of(ActivationStorage.Bfp, Bfp(BlockPartition.Tensor), 3, Arithmetic.Bfp).IsArrayOperand, Is.True);
            Assert.That(FeatureMapFormat.Of(ActivationStorage.Bfp, Bfp(BlockPartition.Column), 3, Arithmetic.Bfp).IsArrayOperand, Is.False);
            Assert.That(FeatureMapFormat.Of(ActivationStorage.Float16, Bfp(BlockPartition.Tensor), 3, Arithmetic.Bfp).IsArrayOperand, Is.False);
            Assert.That(FeatureMapFormat.Of(ActivationStorage.Float16, Bfp(BlockPartition.Tensor), 3, Arithmetic.Float16).IsArrayOperand, Is.True);
            Assert.That(FeatureMapFormat.Of(ActivationStorage.Float32, Bfp(BlockPartition.Tensor), 3, Arithmetic.Float32).Bytes(10), Is.EqualTo(40));
        });
    }
}
