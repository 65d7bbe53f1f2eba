namespace AccelSim.Numerics;

/// <summary>How an element of a microscaling format is rounded (docs/mx-formats.md, "Elements").</summary>
public enum MxRounding
{
    /// <summary>To the nearest representable value, ties to the one whose last encoding bit is 0 (the spec's choice).</summary>
    NearestEven,

    /// <summary>To the nearest, ties away from zero: the reference library's default ("nearest").</summary>
    NearestAway,

    /// <summary>Truncate toward zero.</summary>
    TowardZero,

    /// <summary>Toward +∞.</summary>
    TowardPositive,

    /// <summary>Toward −∞.</summary>
    TowardNegative,
}

/// <summary>An element data type of the OCP Microscaling (MX) v1.0 formats: FP8 E4M3 and E5M2, FP6 E3M2 and E2M3, FP4
/// E2M1, and INT8 (two's complement with an implicit scale of 2^−6).</summary>
/// <remarks>
/// Every value of an element format is an integer multiple of its smallest step, <c>2^UnitExponent</c> (the smallest
/// subnormal of the FP types, 2^−6 for INT8), so an element is held as that integer, its <em>code</em>: exact integer
/// products then need no alignment. Conversion saturates to ±<see cref="MaxNormal"/> (also E5M2, whose encoding has
/// infinities: MX conversion never produces them); the FP types keep the sign of zero in their encoding but a code of
/// 0 is +0 (the datapath's values are the same either way).
/// </remarks>
public sealed record MxElementFormat
{
    private MxElementFormat(string name, int bits, int exponentBits, int mantissaBits, int bias, int emax, long maxCode, int unitExponent)
    {
        Name = name;
        Bits = bits;
        ExponentBits = exponentBits;
        MantissaBits = mantissaBits;
        Bias = bias;
        Emax = emax;
        MaxCode = maxCode;
        UnitExponent = unitExponent;
    }

    /// <summary>INT8: codes −127…127 (the encoding's −128, i.e. −2, is never produced), value code·2^−6; emax 0.</summary>
    public static MxElementFormat Int8 { get; } = new("int8", 8, 0, 6, 0, 0, 127, -6);

    /// <summary>FP8 E4M3: bias 7, no infinities, S.1111.111 is NaN, largest normal 448 = 1.75·2^8, smallest subnormal 2^−9.</summary>
    public static MxElementFormat E4M3 { get; } = Fp("e4m3", 4, 3, 7, emax: 8, maxSignificand: 14);

    /// <summary>FP8 E5M2: bias 15, IEEE-style infinities and NaNs, largest normal 57344 = 1.75·2^15, smallest subnormal 2^−16.</summary>
    public static MxElementFormat E5M2 { get; } = Fp("e5m2", 5, 2, 15, emax: 15, maxSignificand: 7);

    /// <summary>FP6 E3M2: bias 3, no infinities or NaNs, largest normal 28 = 1.75·2^4, smallest subnormal 2^−4.</summary>
    public static MxElementFormat E3M2 { get; } = Fp("e3m2", 3, 2, 3, emax: 4, maxSignificand: 7);

    /// <summary>FP6 E2M3: bias 1, no infinities or NaNs, largest normal 7.5 = 1.875·2^2, smallest subnormal 2^−3.</summary>
    public static MxElementFormat E2M3 { get; } = Fp("e2m3", 2, 3, 1, emax: 2, maxSignificand: 15);

    /// <summary>FP4 E2M1: bias 1, no infinities or NaNs, values 0, 0.5, 1, 1.5, 2, 3, 4, 6.</summary>
    public static MxElementFormat E2M1 { get; } = Fp("e2m1", 2, 1, 1, emax: 2, maxSignificand: 3);

    /// <summary>Lower-case name: int8, e4m3, e5m2, e3m2, e2m3, e2m1.</summary>
    public string Name { get; }

    /// <summary>Storage width of one element, sign included.</summary>
    public int Bits { get; }

    /// <summary>Exponent field width (0 for INT8).</summary>
    public int ExponentBits { get; }

    /// <summary>Fraction bits: the explicit mantissa of the FP types, 6 for INT8.</summary>
    public int MantissaBits { get; }

    /// <summary>Exponent bias of the FP types (0 for INT8).</summary>
    public int Bias { get; }

    /// <summary>emax_elem: the exponent of the largest normal power of two (the shared scale subtracts it).</summary>
    public int Emax { get; }

    /// <summary>The largest code: the largest normal divided by the smallest step.</summary>
    public long MaxCode { get; }

    /// <summary>log2 of the smallest step (the smallest subnormal of the FP types).</summary>
    public int UnitExponent { get; }

    /// <summary>Whether this is the INT8 element (fixed point, no exponent field).</summary>
    public bool IsInteger => ExponentBits == 0;

    /// <summary>The largest finite magnitude a conversion produces.</summary>
    public double MaxNormal => MaxCode * BfpConverter.Pow2(UnitExponent);

    /// <summary>The exponent of the smallest normal (FP types); below it the step stays that of the subnormals.</summary>
    public int MinNormalExponent => 1 - Bias;

    private static MxElementFormat Fp(string name, int e, int m, int bias, int emax, long maxSignificand)
    {
        int unit = 1 - bias - m;
        // The largest normal is (maxSignificand / 2^m)·2^emax, the significand counted with its implicit bit; as a code,
        // that value divided by 2^unit.
        long maxCode = maxSignificand << (emax - m - unit);
        return new MxElementFormat(name, 1 + e + m, e, m, bias, emax, maxCode, unit);
    }

    /// <summary>Log2 of the step between neighbouring values at magnitude <paramref name="magnitude"/> (&gt; 0): the
    /// binade's step, or the subnormals' below the smallest normal.</summary>
    public int StepExponentAt(double magnitude)
    {
        if (IsInteger)
        {
            return UnitExponent;
        }

        int e = Math.Max(Math.ILogB(magnitude), MinNormalExponent);
        return e - MantissaBits;
    }

    /// <summary>Rounds <paramref name="scaled"/> (a value already divided by its block scale, exactly) to a code: an
    /// integer number of <c>2^UnitExponent</c> steps, saturated to ±<see cref="MaxCode"/>.</summary>
    /// <param name="saturated">Set when the rounded magnitude was beyond the largest normal.</param>
    public long Quantize(double scaled, MxRounding rounding, out bool saturated)
    {
        saturated = false;
        if (scaled == 0)
        {
            return 0;
        }

        double magnitude = Math.Abs(scaled);
        if (magnitude >= BfpConverter.Pow2(Emax + 2))
        {
            // Beyond twice the largest power of two: every mode but the one toward zero lands past the largest normal.
            saturated = true;
            return scaled > 0 ? MaxCode : -MaxCode;
        }

        int step = StepExponentAt(magnitude);
        double units = Round(scaled * BfpConverter.Pow2(-step), rounding);
        long code = (long)units << (step - UnitExponent);
        if (code > MaxCode || code < -MaxCode)
        {
            saturated = true;
            return code > 0 ? MaxCode : -MaxCode;
        }

        return code;
    }

    /// <summary>The value of <paramref name="code"/> before the block scale: code·2^UnitExponent.</summary>
    public double Value(long code) => code * BfpConverter.Pow2(UnitExponent);

    /// <summary>Rounds a real number to an integer in the given mode.</summary>
    public static double Round(double x, MxRounding rounding) => rounding switch
    {
        MxRounding.NearestEven => Math.Round(x, MidpointRounding.ToEven),
        MxRounding.NearestAway => Math.Round(x, MidpointRounding.AwayFromZero),
        MxRounding.TowardZero => Math.Truncate(x),
        MxRounding.TowardPositive => Math.Ceiling(x),
        _ => Math.Floor(x),
    };
}
