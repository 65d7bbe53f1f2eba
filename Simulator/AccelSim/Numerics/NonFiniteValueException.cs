using System.Runtime.Intrinsics;

namespace AccelSim.Numerics;

/// <summary>A NaN or infinity reached a BFP converter: the run stops, naming the layer, the tensor and the first bad index.</summary>
public sealed class NonFiniteValueException : Exception
{
    public NonFiniteValueException(string layer, string tensor, long index, float value)
        : base($"layer '{layer}': {tensor}[{index}] is {(float.IsNaN(value) ? "NaN" : value > 0 ? "+Infinity" : "-Infinity")}; BFP conversion needs finite values")
    {
        Layer = layer;
        Tensor = tensor;
        Index = index;
    }

    public NonFiniteValueException()
    {
        Layer = Tensor = "";
    }

    public NonFiniteValueException(string message)
        : base(message)
    {
        Layer = Tensor = "";
    }

    public NonFiniteValueException(string message, Exception innerException)
        : base(message, innerException)
    {
        Layer = Tensor = "";
    }

    public string Layer { get; }

    public string Tensor { get; }

    public long Index { get; }

    /// <summary>Throws for the first non-finite value of <paramref name="values"/> in row-major order.</summary>
    public static void ThrowIfAny(ReadOnlySpan<float> values, string layer, string tensor)
    {
        // Eight values at a time while all are finite (exponent bits not all ones); the first vector holding a NaN or an
        // infinity is searched value by value, so the index is the first one.
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var exponent = Vector256.Create(0x7F80_0000);
            for (; i + 8 <= values.Length; i += 8)
            {
                if (Vector256.EqualsAny(Vector256.Create(values.Slice(i, 8)).AsInt32() & exponent, exponent))
                {
                    break;
                }
            }
        }

        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new NonFiniteValueException(layer, tensor, i, values[i]);
            }
        }
    }
}
