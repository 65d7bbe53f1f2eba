namespace AccelSim.Numerics;

/// <summary>How the shared scale of an MX block is computed (docs/mx-formats.md, "Where the library differs").</summary>
public enum MxScaleRule
{
    /// <summary>The OCP v1.0 rule: <c>floor(log2 max|x|) − emax_elem</c> from the exact exponent, clamped to
    /// [−127, 127]; an all-zero block gets −127.</summary>
    Spec,

    /// <summary>The reference library's arithmetic: <c>floor</c> of a float32 <c>log2</c> (so a maximum a few ulps below
    /// 2^k takes exponent k), and an all-zero block takes log2 of the smallest float32 normal, 2^−126.</summary>
    Library,
}

/// <summary>How a dot product's block products are summed (docs/mx-formats.md, "The datapath").</summary>
public enum MxAccumulation
{
    /// <summary>Every block product exact, the sum exact, the bias added exactly, one rounding to float32.</summary>
    Exact,

    /// <summary>Each block product exact, rounded once to float32 and added to a float32 accumulator (round to nearest
    /// even) in increasing K order; the per-tensor scales and then the bias applied in float32 at the end.</summary>
    Fp32,

    /// <summary>Each block product exact, rounded to nearest even onto a fixed-point grid of step
    /// 2^<see cref="MxOptions.AccumulatorLsb"/> and added to a two's complement accumulator of
    /// <see cref="MxOptions.AccumulatorBits"/> bits that saturates (and counts it) in increasing K order; the bias joins
    /// the same way, last; the per-tensor scales then multiply the sum, rounded once to float32.</summary>
    Fixed,
}

/// <summary>How MX/NVFP4 weight blocks are laid out in SRAM words (docs/mx-formats.md, "Storage and cost").</summary>
public enum MxPacking
{
    /// <summary>Each block's scale beside its elements, bits packed end to end across words.</summary>
    Contiguous,

    /// <summary>Elements packed end to end in words of their own, scales in separate words.</summary>
    Separate,

    /// <summary>Each block (elements and scale) starts a new word; the rest of its last word is padding.</summary>
    BlockAligned,
}

/// <summary>The options of the MX and NVFP4 converters and datapath; the defaults follow the OCP v1.0 specification.</summary>
public sealed record MxOptions(MxRounding Rounding = MxRounding.NearestEven, MxScaleRule ScaleRule = MxScaleRule.Spec,
    MxAccumulation Accumulation = MxAccumulation.Exact)
{
    /// <summary>How weight blocks pack into SRAM words (storage only; the values are the same).</summary>
    public MxPacking Packing { get; init; } = MxPacking.Contiguous;

    /// <summary>Width of the <see cref="MxAccumulation.Fixed"/> accumulator, sign included (8 … 126).</summary>
    public int AccumulatorBits { get; init; } = 32;

    /// <summary>log2 of the <see cref="MxAccumulation.Fixed"/> accumulator's last bit (−300 … 300).</summary>
    public int AccumulatorLsb { get; init; } = -16;

    /// <summary>The specification's choices: round to nearest even, the exact scale rule, an exact accumulator.</summary>
    public static MxOptions Default { get; } = new();
}

/// <summary>A block-scaled format: an element type in blocks along the reduction axis, each with one shared scale.</summary>
/// <remarks>The MX formats share an E8M0 power of two over 32 elements; NVFP4 shares an FP8 E4M3 scale over 16 E2M1
/// elements, relative to a float32 scale of the whole tensor.</remarks>
public sealed record MxFormat
{
    private MxFormat(string name, MxElementFormat element, int blockSize, bool isNvfp4)
    {
        Name = name;
        Element = element;
        BlockSize = blockSize;
        IsNvfp4 = isNvfp4;
    }

    /// <summary>MXINT8: INT8 elements, blocks of 32, E8M0 scale.</summary>
    public static MxFormat MxInt8 { get; } = new("mxint8", MxElementFormat.Int8, 32, false);

    /// <summary>MXFP8 with E4M3 elements.</summary>
    public static MxFormat MxFp8E4M3 { get; } = new("mxfp8_e4m3", MxElementFormat.E4M3, 32, false);

    /// <summary>MXFP8 with E5M2 elements.</summary>
    public static MxFormat MxFp8E5M2 { get; } = new("mxfp8_e5m2", MxElementFormat.E5M2, 32, false);

    /// <summary>MXFP6 with E3M2 elements.</summary>
    public static MxFormat MxFp6E3M2 { get; } = new("mxfp6_e3m2", MxElementFormat.E3M2, 32, false);

    /// <summary>MXFP6 with E2M3 elements.</summary>
    public static MxFormat MxFp6E2M3 { get; } = new("mxfp6_e2m3", MxElementFormat.E2M3, 32, false);

    /// <summary>MXFP4: E2M1 elements.</summary>
    public static MxFormat MxFp4E2M1 { get; } = new("mxfp4_e2m1", MxElementFormat.E2M1, 32, false);

    /// <summary>NVFP4: E2M1 elements in blocks of 16, an E4M3 block scale and a float32 tensor scale.</summary>
    public static MxFormat Nvfp4 { get; } = new("nvfp4", MxElementFormat.E2M1, 16, true);

    /// <summary>Every format, in the order documented.</summary>
    public static IReadOnlyList<MxFormat> All { get; } = [MxInt8, MxFp8E4M3, MxFp8E5M2, MxFp6E3M2, MxFp6E2M3, MxFp4E2M1, Nvfp4];

    /// <summary>The configuration name, e.g. <c>mxfp8_e4m3</c>.</summary>
    public string Name { get; }

    /// <summary>The element data type.</summary>
    public MxElementFormat Element { get; }

    /// <summary>Elements sharing one scale, along K (the last block of a row may be shorter).</summary>
    public int BlockSize { get; }

    /// <summary>NVFP4: an E4M3 block scale relative to a float32 tensor scale; otherwise an E8M0 block scale.</summary>
    public bool IsNvfp4 { get; }

    /// <summary>Width of one block scale: E8M0 or E4M3, 8 bits either way.</summary>
    public int ScaleBits => 8;

    /// <summary>Bits of one full block: elements plus its scale (MXFP8: 32·8 + 8 = 264, 8.25 per element).</summary>
    public int BlockBits => (BlockSize * Element.Bits) + ScaleBits;

    /// <summary>The BFP format that stores and moves the same bits per block: an 8-bit shared field and element-wide
    /// mantissas, used (with <c>group: BlockSize</c>) wherever storage, traffic and converters are counted.</summary>
    public BfpFormat StorageEquivalent => new(ScaleBits, Element.Bits);

    /// <summary>Width of the element multiplier's operand: the significand with its implicit bit (m + 1) for the FP
    /// elements, all 8 bits for INT8. Signs are an XOR and exponents an add beside it.</summary>
    public int SignificandBits => Element.IsInteger ? 8 : Element.MantissaBits + 1;

    /// <summary>Significand width of NVFP4's FP8 E4M3 block scale: 3 mantissa bits and the implicit one.</summary>
    public const int Nvfp4ScaleSignificandBits = 4;

    /// <summary>Bits of a code's magnitude (E4M3: 448/2^−9 = 229376 needs 18).</summary>
    public int CodeBits => 64 - (int)ulong.LeadingZeroCount((ulong)Element.MaxCode);

    /// <summary>Width of the exact fixed-point sum of one block product of <paramref name="weights"/> by
    /// <paramref name="inputs"/>: both codes' magnitudes, ceil(log2) of the segment length, and a sign.</summary>
    public static int BlockSumBits(MxFormat weights, MxFormat inputs)
    {
        int segment = Math.Min(weights.BlockSize, inputs.BlockSize);
        return weights.CodeBits + inputs.CodeBits + (int)Math.Ceiling(Math.Log2(segment)) + 1;
    }

    /// <summary>The format named <paramref name="name"/> (ordinal, lower case), or null.</summary>
    public static MxFormat? Find(string name) => All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));

    /// <inheritdoc/>
    public override string ToString() => Name;
}
