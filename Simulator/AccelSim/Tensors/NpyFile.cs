using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using AccelSim.Files;

namespace AccelSim.Tensors;

/// <summary>A file that is not a NumPy array AccelSim can read; the message names the file and what is allowed.</summary>
public sealed class NpyFormatException : Exception
{
    public NpyFormatException(string message)
        : base(message)
    {
    }

    public NpyFormatException()
    {
    }

    public NpyFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>An array read from a <c>.npy</c> file: its shape, its values as float32, and the dtype it was stored in.</summary>
public sealed record NpyArray(int[] Shape, float[] Values, string Dtype);

/// <summary>What an .npy file's header says: its dtype and shape, its element count and where its data starts.</summary>
public sealed record NpyHeader(string Dtype, int[] Shape, long Elements, int DataStart);

/// <summary>NumPy's <c>.npy</c> format (versions 1.0, 2.0 and 3.0 headers): C-order arrays of little-endian float32,
/// float64, int8, int16 or int32 are read; float32, int16 and int32 arrays are written (version 1.0 headers).</summary>
public static partial class NpyFile
{
    /// <summary>The longest header read from a version 2 or 3 file (version 1 stores its length in 16 bits); NumPy
    /// writes a few hundred bytes.</summary>
    public const int MaxHeaderBytes = 1 << 20;

    /// <summary>The most dimensions an array may have.</summary>
    public const int MaxDimensions = 64;

    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The dtypes this reader accepts, with their element sizes.</summary>
    public static IReadOnlyDictionary<string, int> ReadableDtypes { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["<f4"] = 4, ["<f8"] = 8, ["|i1"] = 1, ["<i2"] = 2, ["<i4"] = 4,
    };

    public static NpyArray Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = InputFile.ReadAllBytes(path, InputLimit.Npy);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NpyFormatException($"{path}: cannot be read: {e.Message}");
        }

        NpyHeader header = ParseHeader(bytes, bytes.Length, path);
        int count = checked((int)header.Elements);
        var values = new float[count];
        ReadOnlySpan<byte> data = bytes.AsSpan(header.DataStart);
        string dtype = header.Dtype;
        for (int i = 0; i < count; i++)
        {
            values[i] = dtype switch
            {
                "<f4" => BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]),
                "<f8" => (float)BinaryPrimitives.ReadDoubleLittleEndian(data[(i * 8)..]),
                "|i1" => (sbyte)data[i],
                "<i2" => BinaryPrimitives.ReadInt16LittleEndian(data[(i * 2)..]),
                _ => BinaryPrimitives.ReadInt32LittleEndian(data[(i * 4)..]),
            };
        }

        return new NpyArray(header.Shape, values, dtype);
    }

    /// <summary>Checks a file as <see cref="Read"/> does, reading only its header: so that a run can refuse a bad
    /// file before it starts rather than when it comes to read it.</summary>
    /// <exception cref="NpyFormatException">The file cannot be read, or is not an .npy file this reader takes.</exception>
    public static NpyHeader ReadHeader(string path)
    {
        byte[] prefix;
        long length;
        try
        {
            using FileStream stream = InputFile.OpenRead(path, InputLimit.Npy);
            length = stream.Length;
            prefix = new byte[(int)Math.Min(length, 12 + MaxHeaderBytes)];
            stream.ReadExactly(prefix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NpyFormatException($"{path}: cannot be read: {e.Message}");
        }

        return ParseHeader(prefix, length, path);
    }

    /// <summary>The header of a file of <paramref name="fileLength"/> bytes, from its first bytes.</summary>
    private static NpyHeader ParseHeader(byte[] bytes, long fileLength, string path)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
        {
            throw new NpyFormatException($"{path}: not a NumPy .npy file (it does not start with \\x93NUMPY)");
        }

        int major = bytes[6];
        (long declaredLength, int headerStart) = major switch
        {
            1 => (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)), 10),
            2 or 3 when bytes.Length >= 12 => ((long)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)), 12),
            _ => throw new NpyFormatException($"{path}: .npy format version {major} is not supported; supported: 1, 2, 3"),
        };
        if (declaredLength > MaxHeaderBytes)
        {
            throw new NpyFormatException($"{path}: the header declares {declaredLength} bytes; a .npy header may have at most {MaxHeaderBytes}");
        }

        int headerLength = (int)declaredLength;
        if (headerStart + headerLength > bytes.Length)
        {
            throw new NpyFormatException($"{path}: the header declares {headerLength} bytes, longer than the {fileLength - headerStart} bytes left in the file");
        }

        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes, headerStart, headerLength);
        string dtype = Field(header, DescrPattern(), "descr", path);
        if (!ReadableDtypes.TryGetValue(dtype, out int elementBytes))
        {
            throw new NpyFormatException($"{path}: dtype '{dtype}' is not supported; supported: {string.Join(", ", ReadableDtypes.Keys)} (little-endian)");
        }

        if (Field(header, FortranPattern(), "fortran_order", path) != "False")
        {
            throw new NpyFormatException($"{path}: the array is in Fortran order; save it in C order (numpy.ascontiguousarray)");
        }

        string shapeText = Field(header, ShapePattern(), "shape", path);
        int[] shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v
                : throw new NpyFormatException($"{path}: bad shape '({shapeText})': each dimension is a whole number from 0 to {int.MaxValue}"))
            .ToArray();
        if (shape.Length > MaxDimensions)
        {
            throw new NpyFormatException($"{path}: shape ({shapeText}) has {shape.Length} dimensions; at most {MaxDimensions} are allowed (NumPy's own limit)");
        }

        // Exact, so that no shape can overflow into a count that matches the data.
        BigInteger needed = shape.Aggregate(BigInteger.One, (a, d) => a * d) * elementBytes;
        int dataStart = headerStart + headerLength;
        if (fileLength - dataStart != needed)
        {
            throw new NpyFormatException($"{path}: shape ({shapeText}) of {dtype} needs {needed} bytes of data, the file has {fileLength - dataStart}");
        }

        return new NpyHeader(dtype, shape, (long)(needed / elementBytes), dataStart);
    }

    public static void WriteFloat32(string path, int[] shape, ReadOnlySpan<float> values) =>
        Write(path, "<f4", shape, values.Length, LittleEndian(values));

    public static void WriteInt16(string path, int[] shape, ReadOnlySpan<short> values) =>
        Write(path, "<i2", shape, values.Length, LittleEndian(values));

    public static void WriteInt32(string path, int[] shape, ReadOnlySpan<int> values) =>
        Write(path, "<i4", shape, values.Length, LittleEndian(values));

    private static ReadOnlySpan<byte> LittleEndian<T>(ReadOnlySpan<T> values)
        where T : struct
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException(".npy writing needs a little-endian machine");
        }

        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(values);
    }

    private static void Write(string path, string dtype, int[] shape, int count, ReadOnlySpan<byte> data)
    {
        if (shape.Aggregate(1L, (a, d) => a * d) != count)
        {
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) does not hold {count} values", nameof(shape));
        }

        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        string dict = $"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shapeText}, }}";

        // Version 1.0: magic, 2 version bytes, 2 length bytes, then the header padded with spaces to a multiple of 64, ending in \n.
        int unpadded = 10 + dict.Length + 1;
        int padded = (unpadded + 63) / 64 * 64;
        string header = dict + new string(' ', padded - unpadded) + "\n";
        var bytes = new byte[10 + header.Length + data.Length];
        Magic.CopyTo(bytes, 0);
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.Latin1.GetBytes(header, 0, header.Length, bytes, 10);
        data.CopyTo(bytes.AsSpan(10 + header.Length));
        AtomicFile.WriteBytes(path, bytes);
    }

    private static string Field(string header, Regex pattern, string name, string path)
    {
        Match match = pattern.Match(header);
        return match.Success ? match.Groups[1].Value : throw new NpyFormatException($"{path}: the header has no '{name}' entry");
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
