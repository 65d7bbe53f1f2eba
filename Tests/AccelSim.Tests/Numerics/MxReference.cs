using System.Numerics;
using AccelSim.Numerics;

namespace AccelSim.Tests.Numerics;

/// <summary>An independent, deliberately plain implementation of docs/mx-formats.md, for the tests: every element value is
/// enumerated from its bit pattern, rounding picks the nearest listed value by comparing distances (no scaling to a
/// grid, no rounding function), the shared exponent is found by repeated doubling, NVFP4's scales by exact
/// products instead of quotients, and dot products are summed exactly in big integers.</summary>
internal static class MxReference
{
    /// <summary>An element type as its bit fields say: widths, bias, the largest exponent and which patterns are not finite.</summary>
    internal sealed record Spec(string Name, int ExponentBits, int MantissaBits, int Bias, int Emax, bool IsInt8, bool TopPatternIsNaN, bool TopExponentIsSpecial);

    internal static readonly Spec Int8 = new("int8", 0, 0, 0, 0, true, false, false);
    internal static readonly Spec E4M3 = new("e4m3", 4, 3, 7, 8, false, true, false);
    internal static readonly Spec E5M2 = new("e5m2", 5, 2, 15, 15, false, false, true);
    internal static readonly Spec E3M2 = new("e3m2", 3, 2, 3, 4, false, false, false);
    internal static readonly Spec E2M3 = new("e2m3", 2, 3, 1, 2, false, false, false);
    internal static readonly Spec E2M1 = new("e2m1", 2, 1, 1, 2, false, false, false);

    internal static readonly Spec[] All = [Int8, E4M3, E5M2, E3M2, E2M3, E2M1];

    /// <summary>Every finite non-negative value with whether its encoding's last bit is 0 (its "evenness"), ascending.</summary>
    internal static (double Value, bool Even)[] NonNegativeValues(Spec spec)
    {
        var values = new List<(double Value, bool Even)>();
        if (spec.IsInt8)
        {
            // Two's complement with an implicit 2^-6; conversion uses the symmetric range -127..127.
            for (int k = 0; k <= 127; k++)
            {
                values.Add((k / 64.0, k % 2 == 0));
            }

            return [.. values];
        }

        int exponentCodes = 1 << spec.ExponentBits;
        int mantissaCodes = 1 << spec.MantissaBits;
        for (int e = 0; e < exponentCodes; e++)
        {
            for (int f = 0; f < mantissaCodes; f++)
            {
                if (spec.TopExponentIsSpecial && e == exponentCodes - 1)
                {
                    continue; // E5M2: infinities and NaNs
                }

                if (spec.TopPatternIsNaN && e == exponentCodes - 1 && f == mantissaCodes - 1)
                {
                    continue; // E4M3: S.1111.111 is NaN
                }

                double fraction = (double)f / mantissaCodes;
                double value = e == 0
                    ? fraction * Math.Pow(2, 1 - spec.Bias)
                    : (1 + fraction) * Math.Pow(2, e - spec.Bias);
                values.Add((value, f % 2 == 0));
            }
        }

        return [.. values.OrderBy(v => v.Value)];
    }

    /// <summary>The element value chosen for <paramref name="target"/>, found as <c>argmin |target − c|</c> over the listed
    /// values times <paramref name="unit"/> (distances computed exactly in big integers), or the directed choice.</summary>
    internal static double Round(double target, Spec spec, MxRounding mode, double unit = 1.0)
    {
        (double Value, bool Even)[] candidates = NonNegativeValues(spec).SelectMany(v => v.Value == 0 ? [v] : new[] { v, (-v.Value, v.Even) }).ToArray();
        switch (mode)
        {
            case MxRounding.TowardZero:
                return candidates.Where(c => Math.Abs(c.Value * unit) <= Math.Abs(target) && (c.Value == 0 || Math.Sign(c.Value) == Math.Sign(target)))
                    .MaxBy(c => Math.Abs(c.Value)).Value;
            case MxRounding.TowardPositive:
                return candidates.Where(c => c.Value * unit >= target).Select(c => c.Value).DefaultIfEmpty(candidates.Max(c => c.Value)).Min();
            case MxRounding.TowardNegative:
                return candidates.Where(c => c.Value * unit <= target).Select(c => c.Value).DefaultIfEmpty(candidates.Min(c => c.Value)).Max();
        }

        (double Value, bool Even) best = candidates[0];
        BigInteger bestDistance = Distance(target, best.Value * unit);
        foreach (var c in candidates.Skip(1))
        {
            BigInteger d = Distance(target, c.Value * unit);
            int compared = d.CompareTo(bestDistance);
            bool tieWins = compared == 0 && (mode == MxRounding.NearestEven ? c.Even && !best.Even : Math.Abs(c.Value) > Math.Abs(best.Value));
            if (compared < 0 || tieWins)
            {
                best = c;
                bestDistance = d;
            }
        }

        return best.Value;
    }

    /// <summary>The shared exponent: the largest k with 2^k ≤ max (by doubling and halving), minus emax, within ±127.</summary>
    internal static int SharedExponent(float max, Spec spec)
    {
        if (max == 0)
        {
            return -127;
        }

        int k = 0;
        double power = 1;
        while (power > max)
        {
            power /= 2;
            k--;
        }

        while (power * 2 <= max)
        {
            power *= 2;
            k++;
        }

        return Math.Clamp(k - spec.Emax, -127, 127);
    }

    /// <summary>An MX block converted and read back: the values it represents, and its shared exponent.</summary>
    internal static (double[] Values, int Exponent) ConvertMx(float[] block, Spec spec, MxRounding mode)
    {
        int x = SharedExponent(block.Max(v => Math.Abs(v)), spec);
        double scale = Math.Pow(2, x);
        return (block.Select(v => Round(v, spec, mode, scale) * scale).ToArray(), x);
    }

    /// <summary>An NVFP4 tensor (blocks of 16 along it) converted and read back.</summary>
    internal static double[] ConvertNvfp4(float[] tensor, MxRounding mode)
    {
        float scale = TensorScale(tensor.Max(v => Math.Abs(v)));
        return ConvertNvfp4(tensor, scale, mode).Select(v => v * scale).ToArray();
    }

    /// <summary>NVFP4's tensor scale as NVIDIA describes it: the tensor's maximum over 6·448, in float32 (1 for zeros).</summary>
    internal static float TensorScale(float amax) => amax == 0 ? 1f : (float)(amax / 2688.0);

    /// <summary>A row of NVFP4 blocks converted with a given tensor scale, read back without that scale (S_b · element).</summary>
    internal static double[] ConvertNvfp4(float[] row, float tensorScale, MxRounding mode)
    {
        var result = new double[row.Length];
        for (int start = 0; start < row.Length; start += 16)
        {
            float[] block = row.Skip(start).Take(16).ToArray();
            // E4M3 scale S minimizing |max − 6·s_T·S|: the products are exact, no quotient is formed.
            double blockScale = Round(block.Max(v => Math.Abs(v)), E4M3, MxRounding.NearestEven, 6.0 * tensorScale);
            for (int i = 0; i < block.Length; i++)
            {
                result[start + i] = blockScale == 0 ? 0 : Round(block[i], E2M1, mode, blockScale * tensorScale) * blockScale;
            }
        }

        return result;
    }

    /// <summary>A row of MX blocks (the last may be shorter) converted and read back.</summary>
    internal static double[] ConvertMxRow(float[] row, Spec spec, MxRounding mode)
    {
        var result = new List<double>();
        for (int start = 0; start < row.Length; start += 32)
        {
            result.AddRange(ConvertMx(row.Skip(start).Take(32).ToArray(), spec, mode).Values);
        }

        return [.. result];
    }

    /// <summary>Σ a_i·b_i + bias exactly (every double is an integer times 2^−1100 or coarser), rounded once to float32.</summary>
    internal static float ExactDot(IEnumerable<(double A, double B)> products, double bias)
    {
        BigInteger total = Scaled(bias, 2200);
        foreach ((double a, double b) in products)
        {
            total += Scaled(a, 1100) * Scaled(b, 1100);
        }

        return ToFloat(total, 2200);
    }

    /// <summary>A double times 2^shift as an exact big integer (shift large enough that no bits are lost).</summary>
    internal static BigInteger Scaled(double value, int shift)
    {
        if (value == 0)
        {
            return BigInteger.Zero;
        }

        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        int biased = (int)(bits >> 52);
        long mantissa = (bits & ((1L << 52) - 1)) | (biased == 0 ? 0 : 1L << 52);
        int exponent = (biased == 0 ? 1 : biased) - 1075 + shift;
        BigInteger m = exponent >= 0 ? (BigInteger)mantissa << exponent : (BigInteger)mantissa >> -exponent;
        return value < 0 ? -m : m;
    }

    /// <summary>total·2^−shift rounded to float32 by trying the float a double conversion suggests and its neighbours, and
    /// keeping the closest (ties: even last bit).</summary>
    internal static float ToFloat(BigInteger total, int shift)
    {
        double guess = Math.ScaleB((double)(total >> (shift - 300)), -300);
        float f = (float)guess;
        float best = f;
        BigInteger bestDistance = BigInteger.Abs(Scaled(f, shift) - total);
        foreach (float c in new[] { MathF.BitDecrement(f), MathF.BitIncrement(f) })
        {
            BigInteger d = BigInteger.Abs(Scaled(c, shift) - total);
            int compared = d.CompareTo(bestDistance);
            if (compared < 0 || (compared == 0 && (BitConverter.SingleToInt32Bits(c) & 1) == 0))
            {
                best = c;
                bestDistance = d;
            }
        }

        return best == 0 ? 0f : best;
    }

    /// <summary>|target − candidate| exactly, as an integer multiple of 2^−1100.</summary>
    private static BigInteger Distance(double target, double candidate) => BigInteger.Abs(Scaled(target, 1100) - Scaled(candidate, 1100));
}
