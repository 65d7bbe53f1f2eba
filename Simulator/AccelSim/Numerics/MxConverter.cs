namespace AccelSim.Numerics;

/// <summary>One converted block: its elements' codes are written to a span; the block value of code c is
/// <c>c · ScaleSignificand · 2^ScaleExponent · tensor scale</c> (1 for the MX formats).</summary>
/// <param name="ScaleCode">The stored scale: the E8M0 byte (255 = NaN) of an MX block, the E4M3 byte of an NVFP4 block.</param>
/// <param name="ScaleSignificand">The integer significand of the block scale times the element unit: 1 for MX, the E4M3
/// scale in units of 2^−9 for NVFP4 (0 when the scale rounded to zero).</param>
/// <param name="ScaleExponent">log2 of one code step before the tensor scale.</param>
/// <param name="Saturations">Elements whose rounded magnitude was beyond the largest normal.</param>
/// <param name="IsNaN">The block held a NaN or an infinity: its scale is the NaN code and every element reads as NaN.</param>
public readonly record struct MxBlock(int ScaleCode, long ScaleSignificand, int ScaleExponent, int Saturations, bool IsNaN);

/// <summary>Conversion of float32 blocks to the MX formats and NVFP4, as docs/mx-formats.md states it.</summary>
public static class MxConverter
{
    /// <summary>The E8M0 bias: a code c means 2^(c − 127); 255 is NaN.</summary>
    public const int ScaleBias = 127;

    /// <summary>The E8M0 NaN code.</summary>
    public const int ScaleNaNCode = 255;

    /// <summary>The smallest and largest E8M0 exponents.</summary>
    public const int MinScaleExponent = -127;

    /// <summary>The largest E8M0 exponent.</summary>
    public const int MaxScaleExponent = 127;

    /// <summary>NVFP4's per-tensor scale divides the tensor's maximum by 6 (E2M1's largest) times 448 (E4M3's).</summary>
    public const double Nvfp4TensorDivisor = 6.0 * 448.0;

    /// <summary>The shared exponent X of an MX block whose largest magnitude is <paramref name="maxAbs"/> (finite).</summary>
    public static int SharedExponent(float maxAbs, MxElementFormat element, MxScaleRule rule)
    {
        int floorLog2 = rule == MxScaleRule.Spec
            ? (maxAbs == 0 ? int.MinValue / 2 : BfpConverter.FloorLog2(maxAbs))
            : (int)MathF.Floor((float)Math.Log2(maxAbs == 0 ? BfpConverter.Pow2(-126) : maxAbs));
        return Math.Clamp(floorLog2 - element.Emax, MinScaleExponent, MaxScaleExponent);
    }

    /// <summary>Converts one MX block (any length from 1 to the block size) into <paramref name="codes"/>.</summary>
    public static MxBlock ConvertMx(ReadOnlySpan<float> values, MxElementFormat element, MxOptions options, Span<long> codes)
    {
        float max = 0;
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                codes[..values.Length].Clear();
                return new MxBlock(ScaleNaNCode, 1, 0, 0, true);
            }

            max = MathF.Max(max, MathF.Abs(v));
        }

        int x = SharedExponent(max, element, options.ScaleRule);
        double inverse = BfpConverter.Pow2(-x);
        int saturations = 0;
        for (int i = 0; i < values.Length; i++)
        {
            // values[i]·2^−x is exact in double: x ≥ −127 and a float has at most 24 significant bits.
            codes[i] = element.Quantize(values[i] * inverse, options.Rounding, out bool saturated);
            saturations += saturated ? 1 : 0;
        }

        return new MxBlock(x + ScaleBias, 1, x + element.UnitExponent, saturations, false);
    }

    /// <summary>NVFP4's per-tensor scale: <c>float32(max|x| / (6·448))</c>, or 1 for an all-zero tensor; a quotient that
    /// underflows float32 becomes its smallest subnormal, so the block scales stay finite.</summary>
    public static float Nvfp4TensorScale(float maxAbs)
    {
        if (maxAbs == 0)
        {
            return 1f;
        }

        float scale = (float)(maxAbs / Nvfp4TensorDivisor);
        return scale == 0 ? float.Epsilon : scale;
    }

    /// <summary>Converts one NVFP4 block (up to 16 elements) given the tensor scale <paramref name="tensorScale"/>.</summary>
    /// <remarks>
    /// The block scale is <c>E4M3(max|x_b| / (6·s_T))</c> (round to nearest even, saturating at 448); an element is
    /// <c>E2M1(x / (S_b·s_T))</c> with the options' rounding, saturating at ±6. A scale that rounds to 0 makes every
    /// element 0. Both quotients are computed in double and are decided exactly: S_b·s_T has at most 28 significant bits,
    /// so a rounding boundary times it is exact in double and no quotient of a float by it can round onto a boundary it
    /// is not on (the nearest such values differ in relative terms by at least 2^−31, far above double's 2^−53).
    /// </remarks>
    public static MxBlock ConvertNvfp4(ReadOnlySpan<float> values, float tensorScale, MxOptions options, Span<long> codes)
    {
        float max = 0;
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                codes[..values.Length].Clear();
                return new MxBlock(0x7F, 0, 0, 0, true);
            }

            max = MathF.Max(max, MathF.Abs(v));
        }

        MxElementFormat scaleFormat = MxElementFormat.E4M3;
        long scaleCode = scaleFormat.Quantize(max / (6.0 * tensorScale), MxRounding.NearestEven, out _);
        int exponent = scaleFormat.UnitExponent + MxElementFormat.E2M1.UnitExponent;
        if (scaleCode == 0)
        {
            codes[..values.Length].Clear();
            return new MxBlock(0, 0, exponent, 0, false);
        }

        double unit = scaleFormat.Value(scaleCode) * tensorScale;
        int saturations = 0;
        for (int i = 0; i < values.Length; i++)
        {
            codes[i] = MxElementFormat.E2M1.Quantize(values[i] / unit, options.Rounding, out bool saturated);
            saturations += saturated ? 1 : 0;
        }

        return new MxBlock(E4M3Encoding(scaleCode), scaleCode, exponent, saturations, false);
    }

    /// <summary>Converts a row of values in blocks along it (the last block may be shorter): codes into
    /// <paramref name="codes"/>, one <see cref="MxBlock"/> per block into <paramref name="blocks"/>.</summary>
    /// <param name="tensorScale">NVFP4's per-tensor scale (<see cref="Nvfp4TensorScale"/>); ignored by the MX formats.</param>
    /// <returns>The saturations of the row.</returns>
    public static int ConvertRow(ReadOnlySpan<float> values, MxFormat format, MxOptions options, float tensorScale, Span<long> codes, Span<MxBlock> blocks)
    {
        int saturations = 0;
        for (int start = 0, b = 0; start < values.Length; start += format.BlockSize, b++)
        {
            int length = Math.Min(format.BlockSize, values.Length - start);
            MxBlock block = format.IsNvfp4
                ? ConvertNvfp4(values.Slice(start, length), tensorScale, options, codes.Slice(start, length))
                : ConvertMx(values.Slice(start, length), format.Element, options, codes.Slice(start, length));
            blocks[b] = block;
            saturations += block.Saturations;
        }

        return saturations;
    }

    /// <summary>The value a code represents in its block (NaN in a NaN block).</summary>
    public static double Decode(long code, MxBlock block, float tensorScale = 1f) =>
        block.IsNaN ? double.NaN : code * (double)block.ScaleSignificand * BfpConverter.Pow2(block.ScaleExponent) * tensorScale;

    /// <summary>Converts a row and returns the values it represents (quantize, then dequantize).</summary>
    public static double[] RoundTrip(ReadOnlySpan<float> values, MxFormat format, MxOptions options)
    {
        var codes = new long[values.Length];
        var blocks = new MxBlock[(values.Length + format.BlockSize - 1) / format.BlockSize];
        float tensorScale = format.IsNvfp4 ? Nvfp4TensorScale(MaxAbsFinite(values)) : 1f;
        ConvertRow(values, format, options, tensorScale, codes, blocks);
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = Decode(codes[i], blocks[i / format.BlockSize], tensorScale);
        }

        return result;
    }

    /// <summary>Largest finite magnitude of a span (non-finite values are left to the block conversion).</summary>
    public static float MaxAbsFinite(ReadOnlySpan<float> values)
    {
        float max = 0;
        foreach (float v in values)
        {
            if (float.IsFinite(v))
            {
                max = MathF.Max(max, MathF.Abs(v));
            }
        }

        return max;
    }

    /// <summary>The E4M3 byte of a positive code (units of 2^−9): exponent field and three mantissa bits.</summary>
    private static int E4M3Encoding(long code)
    {
        if (code < 8)
        {
            return (int)code; // subnormal: exponent field 0, mantissa = code
        }

        int top = 63 - (int)ulong.LeadingZeroCount((ulong)code);
        int field = top - 3 + 1;
        return (field << 3) | (int)((code >> (top - 3)) & 7);
    }
}
