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
    /// <summary>Relative paths are resolved against the current folder (AT_FDCWD).</summary>
    private const int AtCurrentDirectory = -100;

    /// <summary>The file type and mode are asked for (STATX_TYPE); <c>stx_mask</c>, at byte 0, says they were filled in.</summary>
    private const uint StatxType = 0x1;

    /// <summary>Size of <c>struct statx</c>.</summary>
    private const int StatxBytes = 256;

    /// <summary>Offset of <c>stx_mode</c>: after stx_mask, stx_blksize (4 bytes each), stx_attributes (8), stx_nlink,
    /// stx_uid and stx_gid (4 each).</summary>
    private const int StatxModeOffset = 28;

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

    /// <summary>What the path is when it exists and is not a regular file ("a character device"); null otherwise, and
    /// where the file type cannot be asked for.</summary>
    /// <remarks>
    /// .NET's public file APIs do not expose the file type (<see cref="FileSystemInfo.Attributes"/> and
    /// <see cref="File.GetUnixFileMode(string)"/> leave devices, pipes and sockets out), and opening a pipe to ask
    /// <see cref="FileStream.CanSeek"/> would block. So Linux is asked with libc's <c>statx</c> (glibc 2.28 and later,
    /// musl 1.2.5 and later): unlike <c>struct stat</c>, whose layout differs between x64 and arm64, <c>struct statx</c>
    /// has one documented layout on every architecture (statx(2)), with the file type in <c>stx_mode</c>, a 16-bit field
    /// at byte 28. Elsewhere, or where libc or the kernel lacks <c>statx</c>, the type is not checked: the size limit
    /// and the folder check still hold.
    /// </remarks>
    private static string? NotRegular(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var status = new byte[StatxBytes];
        try
        {
            // Follows symbolic links (no AT_SYMLINK_NOFOLLOW): a link to a regular file is read like the file.
            if (Statx(AtCurrentDirectory, path, 0, StatxType, status) != 0 || (BitConverter.ToUInt32(status, 0) & StatxType) == 0)
            {
                return null;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        return (BitConverter.ToUInt16(status, StatxModeOffset) & 0xF000) switch
        {
            0x8000 or 0x4000 => null,
            0x1000 => "a named pipe (FIFO)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => "a special file",
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Statx(int directory, string path, int flags, uint mask, [Out] byte[] status);
}
