using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Hardware;

/// <summary>The bits a feature map takes in SRAM and DRAM: <see cref="ElementBits"/> per element plus
/// <see cref="BlockBits"/> per block (a BFP shared exponent, an MX scale, an int8 tensor scale).</summary>
/// <param name="Storage">The storage format.</param>
/// <param name="ElementBits">Bits of one element (a float, an int8 code, a BFP mantissa or an MX element).</param>
/// <param name="BlockElements">Elements sharing one exponent or scale; 0: one per tensor, which every tile carries
/// with it (a tile is then self-describing; the exponent is a few bits beside kilobytes).</param>
/// <param name="BlockBits">Bits of one block's exponent or scale (0: none).</param>
/// <remarks>A piece of n elements takes <c>n·ElementBits + blocks·BlockBits</c> bits, rounded up to whole bytes in DRAM
/// (<see cref="Bytes"/>) and to whole words in an SRAM (<see cref="SramConfig.Words"/> of those bytes): the fractional bits
/// per element of BFP and MX are exact over a tile, and each tile's last byte and last word are partly filled.</remarks>
public sealed record FeatureMapFormat(ActivationStorage Storage, int ElementBits, long BlockElements, int BlockBits)
{
    /// <summary>float32, the format partial sums keep in the output buffer and the vector unit computes in.</summary>
    public static readonly FeatureMapFormat Float32 = new(ActivationStorage.Float32, 32, 0, 0);

    /// <summary>True when the array reads the stored elements as its operands without converting them: BFP storage
    /// under a <c>tensor</c> input partition on a BFP array (one exponent per map, which the producer formed), or float16
    /// storage on a float16 array. The conversion then happens once, on the producer's output side.</summary>
    public bool IsArrayOperand { get; init; }

    /// <summary>Bits of a piece of <paramref name="elements"/> elements.</summary>
    public long Bits(long elements) => elements <= 0 ? 0 : (elements * ElementBits) + (Blocks(elements) * BlockBits);

    /// <summary>Bytes of a piece of <paramref name="elements"/> elements (the last byte partly filled).</summary>
    public long Bytes(long elements) => (Bits(elements) + 7) / 8;

    /// <summary>Blocks (exponents or scales) a piece of <paramref name="elements"/> elements carries.</summary>
    public long Blocks(long elements) => BlockBits == 0 || elements <= 0 ? 0 : BlockElements == 0 ? 1 : (elements + BlockElements - 1) / BlockElements;

    /// <summary>Bits per element over a long run of whole blocks (BFP group of 32 at E = 5, L = 8: 8.15625).</summary>
    public double BitsPerElement => ElementBits + (BlockElements == 0 ? 0 : (double)BlockBits / BlockElements);

    /// <summary>"float16", "bfp(5, 8) tensor", "mxfp8_e4m3".</summary>
    public string Name { get; init; } = "float32";

    /// <summary>The format <paramref name="storage"/> gives a map of <paramref name="channels"/> channels written by a
    /// layer whose BFP settings are <paramref name="bfp"/>, read by an array of <paramref name="arithmetic"/>.</summary>
    /// <remarks>BFP storage follows the input partition: <c>tensor</c> is one exponent for the map; <c>column</c> one per
    /// pixel (its channels: a receptive field is whole pixels, and the converter aligns their exponents); <c>group: G</c>
    /// one per G consecutive channels of a pixel. MX storage is the layer's input MX format in blocks of its block size
    /// along the channels of a pixel (elements plus 8-bit scales).</remarks>
    public static FeatureMapFormat Of(ActivationStorage storage, BfpSettings bfp, int channels, Arithmetic arithmetic)
    {
        ArgumentNullException.ThrowIfNull(bfp);
        switch (storage)
        {
            case ActivationStorage.Float32:
                return Float32;
            case ActivationStorage.Float16:
                return new(storage, 16, 0, 0) { Name = "float16", IsArrayOperand = arithmetic == Arithmetic.Float16 };
            case ActivationStorage.Bfloat16:
                return new(storage, 16, 0, 0) { Name = "bfloat16" };
            case ActivationStorage.Int8:
                return new(storage, 8, 0, 32) { Name = "int8" };
            default:
                if (bfp.InputMx is { } mx)
                {
                    return new(storage, mx.Element.Bits, mx.BlockSize, mx.ScaleBits) { Name = mx.Name };
                }

                BfpFormat f = bfp.Inputs;
                BlockPartition p = bfp.InputPartition;
                long block = p.Kind switch
                {
                    PartitionKind.Tensor => 0,
                    PartitionKind.Group => p.GroupSize,
                    _ => Math.Max(1, channels),
                };
                string partition = p.Kind == PartitionKind.Group ? $"group {p.GroupSize}" : p.Kind == PartitionKind.Tensor ? "tensor" : "pixel";
                return new(storage, f.MantissaBits, block, f.ExponentBits)
                {
                    Name = FormattableString.Invariant($"bfp({f.ExponentBits}, {f.MantissaBits}) {partition}"),
                    IsArrayOperand = arithmetic == Arithmetic.Bfp && p.Kind == PartitionKind.Tensor,
                };
        }
    }
}
