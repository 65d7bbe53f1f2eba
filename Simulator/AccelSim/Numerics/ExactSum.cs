using System.Numerics;

namespace AccelSim.Numerics;

/// <summary>An exact sum of terms <c>m · 2^e</c> (integers times powers of two), rounded once at the end.</summary>
/// <remarks>
/// The sum is held as one integer and the exponent of its last bit: in an <see cref="Int128"/> while the terms align
/// within it (the usual case: block scales of one dot product differ by a few powers of two), in a
/// <see cref="BigInteger"/> otherwise. No term is ever rounded, so the order of addition does not matter.
/// </remarks>
public struct ExactSum
{
    private static readonly Int128 Headroom = Int128.One << 100;

    private Int128 _small;
    private BigInteger? _big;
    private int _exponent;
    private bool _any;

    /// <summary>Adds <c>mantissa · 2^exponent</c>.</summary>
    public void Add(Int128 mantissa, int exponent)
    {
        if (mantissa == Int128.Zero)
        {
            return;
        }

        if (!_any)
        {
            _small = mantissa;
            _exponent = exponent;
            _any = true;
            return;
        }

        if (_big is null)
        {
            int shift = Math.Abs(exponent - _exponent);
            Int128 larger = exponent >= _exponent ? mantissa : _small;
            if (shift <= 24 && Int128.Abs(_small) < Headroom && Int128.Abs(mantissa) < Headroom && Int128.Abs(larger) < (Headroom >> shift))
            {
                if (exponent >= _exponent)
                {
                    _small += mantissa << shift;
                }
                else
                {
                    _small = (_small << shift) + mantissa;
                    _exponent = exponent;
                }

                return;
            }

            _big = (BigInteger)_small;
        }

        if (exponent >= _exponent)
        {
            _big += (BigInteger)mantissa << (exponent - _exponent);
        }
        else
        {
            _big = (_big.Value << (_exponent - exponent)) + (BigInteger)mantissa;
            _exponent = exponent;
        }
    }

    /// <summary>Adds a finite double exactly.</summary>
    public void Add(double value)
    {
        if (value == 0)
        {
            return;
        }

        (long significand, int exponent) = Decompose(value);
        Add(significand, exponent);
    }

    /// <summary>The sum times <paramref name="factor"/> (a finite double), exactly, rounded once to float32 (nearest even).</summary>
    public readonly float ToSingle(double factor = 1.0)
    {
        if (!_any || factor == 0)
        {
            return 0f;
        }

        BigInteger total = _big ?? (BigInteger)_small;
        (long significand, int exponent) = Decompose(factor);
        return RoundToSingle(total * significand, _exponent + exponent);
    }

    /// <summary>The sum itself as a <c>(mantissa, exponent)</c> pair, for adding to another sum.</summary>
    public readonly (BigInteger Mantissa, int Exponent) Value => _any ? (_big ?? (BigInteger)_small, _exponent) : (BigInteger.Zero, 0);

    /// <summary>A finite non-zero double as <c>significand · 2^exponent</c> with an integer significand.</summary>
    public static (long Significand, int Exponent) Decompose(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int biased = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xF_FFFF_FFFF_FFFF;
        long significand = biased == 0 ? fraction : fraction | (1L << 52);
        int exponent = (biased == 0 ? 1 : biased) - 1075;
        return (value < 0 ? -significand : significand, exponent);
    }

    /// <summary><c>m · 2^e</c> rounded once to float32, to nearest, ties to even (subnormals and overflow to infinity
    /// as IEEE 754 says).</summary>
    public static float RoundToSingle(BigInteger m, int e)
    {
        if (m.IsZero)
        {
            return 0f;
        }

        int sign = m.Sign;
        BigInteger a = BigInteger.Abs(m);
        long top = (long)a.GetBitLength() - 1 + e;
        if (top > 128)
        {
            return sign > 0 ? float.PositiveInfinity : float.NegativeInfinity;
        }

        // The last kept bit: 24 significant bits for a normal result, 2^−149 for a subnormal one.
        int last = (int)Math.Max(top - 23, -149);
        int drop = last - e;
        BigInteger q;
        if (drop <= 0)
        {
            q = a << -drop;
        }
        else
        {
            q = a >> drop;
            BigInteger remainder = a - (q << drop);
            BigInteger half = BigInteger.One << (drop - 1);
            int compared = remainder.CompareTo(half);
            if (compared > 0 || (compared == 0 && !q.IsEven))
            {
                q += 1;
            }
        }

        // q ≤ 2^24 and last ≥ −149: q·2^last is exact in double, and exactly representable in float32 unless ≥ 2^128.
        double magnitude = (double)q * BfpConverter.Pow2(last);
        return (float)(sign * magnitude);
    }
}
