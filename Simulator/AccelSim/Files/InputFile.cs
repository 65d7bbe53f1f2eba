using System.Globalization;
using System.Runtime.InteropServices;

namespace AccelSim.Files;

/// <summary>
/// An input file that may not be read: not a regular file (a device, a pipe, a folder), or larger than its kind's limit.
/// It is an <see cref="IOException"/>, so every reader turns it into its own located error as it does a failed read.
/// </summary>
public sealed class InputFileException(string message) : IOException(message);

/// <summary>A kind of input file and the largest file of it that is read.</summary>
/// <param name="Kind">How a message names the kind ("YAML file").</param>
/// <param name="MaxBytes">The largest size read, in bytes.</param>
public sealed record InputLimit(string Kind, long MaxBytes)
{
    private const long MiB = 1L << 20;
    private const long GiB = 1L << 30;

    /// <summary>Accelerator configs, workloads, energy tables and sweep specs: the largest shipped one is a few kB.</summary>
    public static InputLimit Yaml { get; } = new("YAML file", 16 * MiB);

    /// <summary>SCALE-Sim <c>.cfg</c> configs and <c>.csv</c> topologies.</summary>
    public static InputLimit ScaleSim { get; } = new("SCALE-Sim file", 16 * MiB);

    /// <summary>NumPy arrays (weights, inputs, samples, masks); VGG-16's largest weight is about 400 MB.</summary>
    public static InputLimit Npy { get; } = new(".npy file", GiB);

    /// <summary>Images fed to a network.</summary>
    public static InputLimit Image { get; } = new("image", 256 * MiB);

    /// <summary>ONNX models; ResNet-18 is about 45 MB, and protobuf reads no message past 2 GiB anyway.</summary>
    public static InputLimit Onnx { get; } = new("ONNX model", GiB);

    /// <summary>Trace-event JSON read back by the trace tools (the whole file is parsed in memory).</summary>
    public static InputLimit Trace { get; } = new("trace", GiB);

    /// <summary>The limit as a message shows it: "16 MiB".</summary>
    public string Describe() => Size(MaxBytes);

    internal static string Size(long bytes) => bytes switch
    {
        >= GiB when bytes % GiB == 0 => $"{bytes / GiB} GiB",
        >= MiB when bytes % MiB == 0 => $"{bytes / MiB} MiB",
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}

/// <summary>
/// Reads input files only after checking, without opening them, that each is a regular file (a symbolic link to one
/// counts) no larger than its kind's <see cref="InputLimit"/>: a device such as <c>/dev/zero</c> would be read until
/// memory runs out, and opening a named pipe waits for a writer that may never come.
/// </summary>
public static partial class InputFile
{
    /// <summary>Throws unless <paramref name="path"/> is a regular file within <paramref name="limit"/>.</summary>
    /// <exception cref="InputFileException">It is missing, not a regular file, or too large.</exception>
    public static void Check(string path, InputLimit limit)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(limit);
        if (Directory.Exists(path))
        {
            throw new InputFileException("is a folder, not a file");
        }

        if (NotRegular(path) is { } kind)
        {
            throw new InputFileException($"is {kind}, not a regular file; only regular files are read");
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new InputFileException("file not found");
        }

        if (info.Length > limit.MaxBytes)
        {
            throw new InputFileException(string.Create(CultureInfo.InvariantCulture,
                $"is {info.Length} bytes, larger than a {limit.Kind} may be ({limit.Describe()}); no real input needs more"));
        }
    }

    /// <inheritdoc cref="File.ReadAllText(string)"/>
    /// <exception cref="InputFileException">See <see cref="Check"/>.</exception>
    public static string ReadAllText(string path, InputLimit limit)
    {
        Check(path, limit);
        return File.ReadAllText(path);
    }

    /// <inheritdoc cref="File.ReadAllLines(string)"/>
    /// <exception cref="InputFileException">See <see cref="Check"/>.</exception>
    public static string[] ReadAllLines(string path, InputLimit limit)
    {
        Check(path, limit);
        return File.ReadAllLines(path);
    }

    /// <inheritdoc cref="File.ReadAllBytes(string)"/>
    /// <exception cref="InputFileException">See <see cref="Check"/>.</exception>
    public static byte[] ReadAllBytes(string path, InputLimit limit)
    {
        Check(path, limit);
        return File.ReadAllBytes(path);
    }

    /// <inheritdoc cref="File.OpenRead(string)"/>
    /// <exception cref="InputFileException">See <see cref="Check"/>.</exception>
    public static FileStream OpenRead(string path, InputLimit limit)
    {
        Check(path, limit);
        return File.OpenRead(path);
    }

    /// <summary>What the path is when it exists and is not a regular file ("a character device"); null otherwise.</summary>
    private static string? NotRegular(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        // The runtime's own stat (the one FileInfo uses) reports the file type that FileInfo does not expose. Its
        // result starts with two ints, flags then mode; the buffer is larger than the whole record.
        var status = new byte[512];
        int mode;
        try
        {
            if (Stat(path, status) != 0)
            {
                return null;
            }

            mode = BitConverter.ToInt32(status, sizeof(int));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        return (mode & 0xF000) switch
        {
            0x8000 or 0x4000 => null,
            0x1000 => "a named pipe (FIFO)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => "a special file",
        };
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Stat(string path, [Out] byte[] status);
}
