using System.Security.Cryptography;
using System.Text;

namespace AccelSim.Files;

/// <summary>A file written so that readers never see half of it: written to a temporary file beside its path, then
/// renamed over the path when complete. Every file AccelSim writes whole goes through here.</summary>
/// <remarks>
/// <para>The temporary file is named <c>.NAME.accelsim-RANDOM.tmp</c> (NAME the target's file name, RANDOM 16 hex digits
/// from a cryptographic generator, so the name cannot be predicted). It is created exclusively
/// (<see cref="FileMode.CreateNew"/>): if anything exists at that name, a symlink included, creation fails instead of
/// following it, and another name is tried. <see cref="Commit"/> renames it over the target with
/// <see cref="File.Move(string, string, bool)"/> (a rename on the same file system, so a reader sees the old file or
/// the new one); disposing without a commit deletes it, so a failure leaves nothing behind.</para>
/// <para>Stale temporary files: a run killed mid-write leaves its temporary file. Each new write removes, in the
/// target's folder, the temporary files of the same target (same NAME, same pattern) whose last write is older than
/// <see cref="StaleAge"/> (one hour). A concurrent run's live file is written to continuously and so is never that old;
/// files of other targets, and files not matching the pattern, are never touched. Removal is best effort: a file that
/// cannot be removed is left.</para>
/// <para>Missing parent folders of the target are created, as the commands have always done.</para>
/// </remarks>
public sealed class AtomicFile : IDisposable
{
    /// <summary>What marks AccelSim's temporary files: <c>.NAME</c> + this + random + <see cref="Suffix"/>.</summary>
    public const string Marker = ".accelsim-";

    public const string Suffix = ".tmp";

    private const int Attempts = 4;
    private bool _committed;
    private bool _disposed;

    private AtomicFile(string path, string temporaryPath, FileStream stream)
    {
        Path = path;
        TemporaryPath = temporaryPath;
        Stream = stream;
    }

    /// <summary>How old (by last write) another run's temporary file of the same target must be to be removed.</summary>
    public static TimeSpan StaleAge => TimeSpan.FromHours(1);

    /// <summary>The target, as a full path.</summary>
    public string Path { get; }

    /// <summary>The temporary file being written.</summary>
    public string TemporaryPath { get; }

    /// <summary>The stream over the temporary file.</summary>
    public FileStream Stream { get; }

    /// <summary>Starts writing <paramref name="path"/>: removes stale temporary files of it, then creates a new one exclusively.</summary>
    public static AtomicFile Create(string path) => Create(path, NewRandomPart, DateTime.UtcNow);

    /// <summary><see cref="Create(string)"/> with the random part of the name and the clock given (for tests).</summary>
    internal static AtomicFile Create(string path, Func<string> randomPart, DateTime utcNow)
    {
        string fullPath = System.IO.Path.GetFullPath(path);
        FileStream stream = CreateBeside(fullPath, randomPart, utcNow, out string temporary);
        return new AtomicFile(fullPath, temporary, stream);
    }

    /// <summary>A scratch file beside <paramref name="path"/> with the same naming and exclusive creation (a second
    /// temporary file of the same target, e.g. a part written separately); the caller deletes it.</summary>
    public static FileStream CreateScratch(string path, out string scratchPath) =>
        CreateBeside(System.IO.Path.GetFullPath(path), NewRandomPart, DateTime.UtcNow, out scratchPath);

    /// <summary>Writes <paramref name="path"/> as UTF-8 text (no byte-order mark, <c>\n</c> line ends) through a temporary file.</summary>
    public static void Write(string path, Action<TextWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using AtomicFile file = Create(path);
        using (var writer = new StreamWriter(file.Stream, new UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true) { NewLine = "\n" })
        {
            write(writer);
        }

        file.Commit();
    }

    /// <summary>Writes <paramref name="path"/> with these bytes through a temporary file.</summary>
    public static void WriteBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using AtomicFile file = Create(path);
        file.Stream.Write(bytes);
        file.Commit();
    }

    /// <summary>Closes the temporary file and renames it over the target.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed)
        {
            return;
        }

        Stream.Flush(flushToDisk: false);
        Stream.Dispose();
        File.Move(TemporaryPath, Path, overwrite: true);
        _committed = true;
    }

    /// <summary>Closes the temporary file and, unless committed, deletes it.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Stream.Dispose();
        if (!_committed)
        {
            File.Delete(TemporaryPath);
        }
    }

    /// <summary>The name of a temporary file of <paramref name="fileName"/> with this random part.</summary>
    internal static string TemporaryName(string fileName, string randomPart) => $".{fileName}{Marker}{randomPart}{Suffix}";

    private static string NewRandomPart() => RandomNumberGenerator.GetHexString(16, lowercase: true);

    private static FileStream CreateBeside(string fullPath, Func<string> randomPart, DateTime utcNow, out string temporary)
    {
        string directory = System.IO.Path.GetDirectoryName(fullPath)!;
        string fileName = System.IO.Path.GetFileName(fullPath);
        Directory.CreateDirectory(directory);
        RemoveStale(directory, fileName, utcNow);
        for (int attempt = 1; ; attempt++)
        {
            temporary = System.IO.Path.Combine(directory, TemporaryName(fileName, randomPart()));
            try
            {
                return new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
            }
            catch (IOException) when (attempt < Attempts && Exists(temporary))
            {
                // Something (a file, a symlink) holds the name: never open it, draw another.
            }
        }
    }

    /// <summary>Whether anything, a dangling symlink included, is at <paramref name="path"/>.</summary>
    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null;

    private static void RemoveStale(string directory, string fileName, DateTime utcNow)
    {
        string prefix = "." + fileName + Marker;
        var options = new EnumerationOptions { MatchType = MatchType.Simple, IgnoreInaccessible = true, AttributesToSkip = 0, RecurseSubdirectories = false };
        try
        {
            foreach (string candidate in Directory.EnumerateFiles(directory, "*" + Suffix, options))
            {
                string name = System.IO.Path.GetFileName(candidate);
                if (!name.StartsWith(prefix, StringComparison.Ordinal) || !IsRandomPart(name[prefix.Length..^Suffix.Length]))
                {
                    continue;
                }

                try
                {
                    // Deleting a symlink removes the link, never what it points to.
                    if (utcNow - File.GetLastWriteTimeUtc(candidate) > StaleAge)
                    {
                        File.Delete(candidate);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Best effort: left for a later write.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The folder cannot be listed: nothing to clean.
        }
    }

    private static bool IsRandomPart(string text) => text.Length is > 0 and <= 64 && text.All(char.IsAsciiLetterOrDigit);
}
