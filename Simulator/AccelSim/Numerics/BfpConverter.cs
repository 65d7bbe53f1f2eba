using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AccelSim.Numerics;

/// <summary>Conversion of float blocks to BFP mantissas, exactly as docs/numerics.md "Converting a block" says.</summary>
public static class BfpConverter
{
    /// <summary><c>floor(log2 |x|)</c> of a non-zero finite float, from its bits (subnormals included: m·2^−149).</summary>
    public static int FloorLog2(float value)
    {
        int bits = BitConverter.SingleToInt32Bits(value) & 0x7FFF_FFFF;
        int biased = bits >>> 23;
        return biased != 0 ? biased - 127 : BitOperations.Log2((uint)(bits & 0x7F_FFFF)) - 149;
    }

    /// <summary>Steps 2–3: the clamped shared exponent of a block whose largest magnitude is <paramref name="maxAbs"/>;
    /// an all-zero block gets e_min.</summary>
    public static int SharedExponent(float maxAbs, BfpFormat format) =>
        maxAbs == 0 ? format.MinExponent : Math.Clamp(FloorLog2(maxAbs), format.MinExponent, format.MaxExponent);

    /// <summary>Step 4 as an exponent: log2 Δ = e_s − (L − 2).</summary>
    public static int StepExponent(int sharedExponent, BfpFormat format) => sharedExponent - (format.MantissaBits - 2);

    /// <summary>2^e as a double (exact for −1074 ≤ e ≤ 1023).</summary>
    public static double Pow2(int exponent) => Math.ScaleB(1.0, exponent);

    /// <summary>Step 5: the rounded, saturated mantissa of <paramref name="value"/> given 1/Δ as <paramref name="inverseStep"/>.</summary>
    /// <param name="uniform">A uniform draw in [0, 1), used only by stochastic rounding.</param>
    /// <param name="saturated">Set when the rounded value was beyond ±Q.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Quantize(float value, double inverseStep, int maxMantissa, RoundingMode rounding, double uniform, out bool saturated)
    {
        double scaled = value * inverseStep; // exact: scaling by a power of two
        double rounded = rounding switch
        {
            RoundingMode.NearestEven => Math.Round(scaled, MidpointRounding.ToEven),
            RoundingMode.TowardZero => Math.Truncate(scaled),
            RoundingMode.TowardPositive => Math.Ceiling(scaled),
            RoundingMode.TowardNegative => Math.Floor(scaled),
            _ => Math.Floor(scaled + uniform),
        };
        saturated = rounded > maxMantissa || rounded < -maxMantissa;
        return saturated ? (rounded > 0 ? maxMantissa : -maxMantissa) : (int)rounded;
    }

    /// <summary>Rounds <paramref name="scaled"/> (a value already divided by its step) to an integer with the given mode.</summary>
    public static double RoundScaled(double scaled, RoundingMode rounding, double uniform) => rounding switch
    {
        RoundingMode.NearestEven => Math.Round(scaled, MidpointRounding.ToEven),
        RoundingMode.TowardZero => Math.Truncate(scaled),
        RoundingMode.TowardPositive => Math.Ceiling(scaled),
        RoundingMode.TowardNegative => Math.Floor(scaled),
        _ => Math.Floor(scaled + uniform),
    };

    /// <summary>Largest magnitude of a span (NaN if it holds one).</summary>
    public static float MaxAbs(ReadOnlySpan<float> values)
    {
        // Eight lanes at a time: magnitudes carry no sign, so their maximum is the same in any order; NaN is tracked
        // apart because the vector maximum does not promise to carry it.
        float max = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && values.Length >= 16)
        {
            Vector256<float> lanes = Vector256<float>.Zero;
            Vector256<int> numbers = Vector256<int>.AllBitsSet;
            for (; i + 8 <= values.Length; i += 8)
            {
                Vector256<float> v = Vector256.Abs(Vector256.Create(values.Slice(i, 8)));
                lanes = Vector256.MaxNative(lanes, v);
                numbers &= Vector256.Equals(v, v).AsInt32();
            }

            if (numbers != Vector256<int>.AllBitsSet)
            {
                return float.NaN;
            }

            for (int lane = 0; lane < 8; lane++)
            {
                max = MathF.Max(max, lanes[lane]);
            }
        }

        for (; i < values.Length; i++)
        {
            max = MathF.Max(max, MathF.Abs(values[i]));
        }

        return max;
    }

    /// <summary>A uniform draw in [0, 1) for element <paramref name="index"/> of stream <paramref name="stream"/>:
    /// a pure function of the seed, so stochastic rounding is reproducible and independent of the thread count.</summary>
    public static double Uniform(ulong seed, ulong stream, ulong index)
    {
        ulong z = seed ^ (stream * 0x9E3779B97F4A7C15UL) ^ (index * 0xD1B54A32D192ED03UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
