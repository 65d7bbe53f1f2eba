namespace AccelSim.Onnx;

/// <summary>
/// Copies an ONNX model's protobuf bytes without the values of its float initializers (<c>float_data</c>,
/// <c>double_data</c> and <c>raw_data</c> of float32/float64 tensors in <c>graph.initializer</c>), seeking over them:
/// what is left (nodes, attributes, dims, types, int64 shapes, Constant nodes) is all a timing-only run needs, and parses
/// in milliseconds where the 60 MB of a ResNet-18's weights take about a second.
/// </summary>
/// <remarks>Only the wire format is walked here (tags, varints, lengths); the copy is parsed by the generated ONNX classes,
/// which check the rest.</remarks>
internal static class OnnxShapes
{
    private const int ModelGraph = 7;
    private const int GraphInitializer = 5;
    private const int TensorDataType = 2;
    private const int TensorFloatData = 4;
    private const int TensorRawData = 9;
    private const int TensorDoubleData = 10;

    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    private enum Level
    {
        Model,
        Graph,
    }

    /// <summary>The model read from <paramref name="stream"/> (seekable), float initializer values left out.</summary>
    /// <exception cref="OnnxFormatException">The bytes are not a well-formed protobuf message.</exception>
    public static byte[] WithoutFloatValues(Stream stream)
    {
        var output = new MemoryStream();
        Copy(stream, stream.Length, output, Level.Model);
        return output.ToArray();
    }

    private static void Copy(Stream input, long end, Stream output, Level level)
    {
        while (input.Position < end)
        {
            ulong tag = ReadVarint(input, end);
            int field = (int)(tag >> 3);
            int wire = (int)(tag & 7);
            if (wire != WireLengthDelimited)
            {
                WriteVarint(output, tag);
                CopyScalar(input, end, output, wire);
                continue;
            }

            long length = ReadLength(input, end);
            long contentEnd = input.Position + length;
            byte[]? nested = (level, field) switch
            {
                (Level.Model, ModelGraph) => Nested(input, contentEnd, Level.Graph),
                (Level.Graph, GraphInitializer) => Tensor(input, contentEnd),
                _ => null,
            };
            WriteVarint(output, tag);
            if (nested is null)
            {
                WriteVarint(output, (ulong)length);
                CopyBytes(input, length, output);
            }
            else
            {
                WriteVarint(output, (ulong)nested.Length);
                output.Write(nested);
            }
        }

        if (input.Position != end)
        {
            throw Malformed("a field runs past the end of its message");
        }
    }

    private static byte[] Nested(Stream input, long end, Level level)
    {
        var nested = new MemoryStream();
        Copy(input, end, nested, level);
        return nested.ToArray();
    }

    /// <summary>A TensorProto: its element type is read first (it may follow the values), then every field but the
    /// values of a float tensor is copied.</summary>
    private static byte[] Tensor(Stream input, long end)
    {
        long start = input.Position;
        ulong dataType = 0;
        while (input.Position < end)
        {
            ulong tag = ReadVarint(input, end);
            int wire = (int)(tag & 7);
            if ((int)(tag >> 3) == TensorDataType && wire == WireVarint)
            {
                dataType = ReadVarint(input, end);
            }
            else
            {
                Skip(input, end, wire);
            }
        }

        bool dropValues = OnnxTensors.IsFloat((int)Math.Min(dataType, int.MaxValue));
        input.Position = start;
        var tensor = new MemoryStream();
        while (input.Position < end)
        {
            ulong tag = ReadVarint(input, end);
            int field = (int)(tag >> 3);
            int wire = (int)(tag & 7);
            if (dropValues && field is TensorFloatData or TensorRawData or TensorDoubleData)
            {
                Skip(input, end, wire);
                continue;
            }

            WriteVarint(tensor, tag);
            if (wire == WireLengthDelimited)
            {
                long length = ReadLength(input, end);
                WriteVarint(tensor, (ulong)length);
                CopyBytes(input, length, tensor);
            }
            else
            {
                CopyScalar(input, end, tensor, wire);
            }
        }

        return tensor.ToArray();
    }

    private static void CopyScalar(Stream input, long end, Stream output, int wire)
    {
        switch (wire)
        {
            case WireVarint:
                WriteVarint(output, ReadVarint(input, end));
                break;
            case WireFixed64:
                CopyBytes(input, Fits(input, end, 8), output);
                break;
            case WireFixed32:
                CopyBytes(input, Fits(input, end, 4), output);
                break;
            default:
                throw Malformed($"wire type {wire} is not used by ONNX");
        }
    }

    private static void Skip(Stream input, long end, int wire)
    {
        long size = wire switch
        {
            WireVarint => -1,
            WireFixed64 => 8,
            WireFixed32 => 4,
            WireLengthDelimited => ReadLength(input, end),
            _ => throw Malformed($"wire type {wire} is not used by ONNX"),
        };
        if (size < 0)
        {
            ReadVarint(input, end);
            return;
        }

        input.Position += Fits(input, end, size);
    }

    private static long ReadLength(Stream input, long end) => Fits(input, end, (long)Math.Min(ReadVarint(input, end), long.MaxValue));

    private static long Fits(Stream input, long end, long size) =>
        size <= end - input.Position ? size : throw Malformed("a length runs past the end of its message");

    private static ulong ReadVarint(Stream input, long end)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            int b = input.Position < end ? input.ReadByte() : -1;
            if (b < 0)
            {
                throw Malformed("the message ends inside a number");
            }

            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw Malformed("a number is longer than 10 bytes");
    }

    private static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        output.WriteByte((byte)value);
    }

    private static void CopyBytes(Stream input, long length, Stream output)
    {
        byte[] buffer = new byte[(int)Math.Min(length, 1 << 16)];
        while (length > 0)
        {
            int read = input.Read(buffer, 0, (int)Math.Min(length, buffer.Length));
            if (read <= 0)
            {
                throw Malformed("the file ends inside a field");
            }

            output.Write(buffer, 0, read);
            length -= read;
        }
    }

    private static OnnxFormatException Malformed(string why) => new($"not an ONNX model (protobuf: {why})");
}
