using System.Buffers.Binary;
using Onnx;

namespace AccelSim.Onnx;

/// <summary>Reads the values of an ONNX tensor, whether stored in the typed fields or as little-endian <c>raw_data</c>.</summary>
internal static class OnnxTensors
{
    private const int Float = 1;
    private const int Int64 = 7;
    private const int Double = 11;

    public static long[] Dims(TensorProto t) => [.. t.Dims];

    public static long Count(TensorProto t) => t.Dims.Aggregate(1L, (a, d) => a * d);

    /// <summary>A float32 (or float64, narrowed) tensor's values in C order.</summary>
    public static float[] Floats(TensorProto t, string what)
    {
        CheckFloat(t, what);
        long count = Count(t);
        float[] values = t.DataType == Float
            ? t.RawData.Length > 0 ? FromRaw(t.RawData.Span, 4, count, what, b => BinaryPrimitives.ReadSingleLittleEndian(b)) : [.. t.FloatData]
            : t.RawData.Length > 0
                ? FromRaw(t.RawData.Span, 8, count, what, b => (float)BinaryPrimitives.ReadDoubleLittleEndian(b))
                : [.. t.DoubleData.Select(v => (float)v)];

        if (values.Length != count)
        {
            throw new OnnxFormatException($"{what} holds {values.Length} values but its dims ({string.Join(", ", t.Dims)}) need {count}");
        }

        return values;
    }

    /// <summary>Checks that the tensor is float32 or float64 and stored inside the model.</summary>
    public static void CheckFloat(TensorProto t, string what)
    {
        CheckInline(t, what);
        if (t.DataType is not (Float or Double))
        {
            throw new OnnxFormatException($"{what} has element type {t.DataType}; only float (1) and double (11) weights are read");
        }
    }

    /// <summary>Whether an ONNX element type code is float32 or float64.</summary>
    public static bool IsFloat(int dataType) => dataType is Float or Double;

    /// <summary>An int64 tensor's values (shapes for Reshape).</summary>
    public static long[] Longs(TensorProto t, string what)
    {
        CheckInline(t, what);
        if (t.DataType != Int64)
        {
            throw new OnnxFormatException($"{what} has element type {t.DataType}; an int64 (7) tensor is needed");
        }

        return t.RawData.Length > 0 ? FromRaw(t.RawData.Span, 8, Count(t), what, b => BinaryPrimitives.ReadInt64LittleEndian(b)) : [.. t.Int64Data];
    }

    private static void CheckInline(TensorProto t, string what)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new OnnxFormatException($"{what} is stored in an external file; save the model with its tensors inside (onnx.save(..., save_as_external_data=False))");
        }
    }

    private delegate T ReadOne<out T>(ReadOnlySpan<byte> bytes);

    private static T[] FromRaw<T>(ReadOnlySpan<byte> raw, int size, long count, string what, ReadOne<T> read)
    {
        if (raw.Length != count * size)
        {
            throw new OnnxFormatException($"{what}: raw_data has {raw.Length} bytes, its dims need {count} x {size}");
        }

        var values = new T[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = read(raw.Slice(i * size, size));
        }

        return values;
    }
}
