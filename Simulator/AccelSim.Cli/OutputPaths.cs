namespace AccelSim.Cli;

/// <summary>A command's output paths, checked before any work so that a bad one costs nothing: every command names its
/// outputs (and the inputs they must not overwrite) here and calls <see cref="Check"/> first.</summary>
/// <remarks>
/// A file output must not be an existing folder; its nearest existing ancestor must be a folder (missing folders in
/// between are created when it is written, as they always were) in which a file can be created (probed by creating and
/// deleting a uniquely named file exclusively). A folder output must not be an existing file, and the same probe runs
/// in it or in its nearest existing ancestor. No two outputs, and no output and input, may be the same path (full
/// paths, compared as the operating system compares names; an input that is a symlink also at the path it points to). Each problem is a <see cref="UsageException"/> (exit 2)
/// naming the option and the path as given.
/// </remarks>
internal sealed class OutputPaths
{
    private readonly List<Entry> _outputs = [];
    private readonly List<Entry> _inputs = [];

    /// <summary>How this operating system compares file names: case-sensitively on Linux, otherwise not (Windows, macOS).</summary>
    internal static StringComparer NameComparer => OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;

    /// <summary>A file the command will write (nothing when <paramref name="path"/> is null).</summary>
    public OutputPaths File(string option, string? path) => Add(_outputs, option, path, isFolder: false);

    /// <summary>A folder the command will create or write into (nothing when <paramref name="path"/> is null).</summary>
    public OutputPaths Folder(string option, string? path) => Add(_outputs, option, path, isFolder: true);

    /// <summary>A file the command reads, which no output may overwrite (nothing when <paramref name="path"/> is null).</summary>
    public OutputPaths Input(string option, string? path) => Add(_inputs, option, path, isFolder: false);

    /// <summary>Checks every output named so far.</summary>
    /// <exception cref="UsageException">The first problem found, outputs in the order they were named.</exception>
    public void Check()
    {
        var seen = new Dictionary<string, Entry>(NameComparer);
        foreach (Entry input in _inputs.Where(i => i.FullPath is not null))
        {
            // An input reached through a symlink is guarded at its real path too: writing there would overwrite it.
            seen.TryAdd(input.FullPath!, input);
            if (RealPath(input.FullPath!) is { } real)
            {
                seen.TryAdd(real, input);
            }
        }

        foreach (Entry output in _outputs)
        {
            string full = output.FullPath ?? throw Problem(output, "is not a valid path");
            if (seen.TryGetValue(full, out Entry? other))
            {
                string what = _inputs.Contains(other) ? $"the input {other.Option}" : other.Option;
                throw Problem(output, $"is the same path as {what}; give each output its own path");
            }

            seen.Add(full, output);
            CheckPlace(output, full);
        }
    }

    private OutputPaths Add(List<Entry> entries, string option, string? path, bool isFolder)
    {
        if (path is not null)
        {
            entries.Add(new Entry(option, path, FullPathOf(path), isFolder));
        }

        return this;
    }

    private static string? FullPathOf(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            string full = Path.GetFullPath(path);
            return Path.GetPathRoot(full) == full ? full : Path.TrimEndingDirectorySeparator(full);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
    }

    /// <summary>The file a symlink at <paramref name="fullPath"/> finally points to; null when it is no symlink or cannot be resolved.</summary>
    private static string? RealPath(string fullPath)
    {
        try
        {
            return new FileInfo(fullPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void CheckPlace(Entry output, string full)
    {
        if (!output.IsFolder && Directory.Exists(full))
        {
            throw Problem(output, "is a folder; give a file name");
        }

        if (!output.IsFolder && Path.EndsInDirectorySeparator(output.Path))
        {
            throw Problem(output, "ends in a folder separator; give a file name");
        }

        if (output.IsFolder && System.IO.File.Exists(full))
        {
            throw Problem(output, "is a file; give a folder");
        }

        // Where a file will be created: the folder itself for a folder output that exists, else the nearest existing ancestor.
        string? place = output.IsFolder && Directory.Exists(full) ? full : Path.GetDirectoryName(full);
        while (place is not null && !Directory.Exists(place))
        {
            if (System.IO.File.Exists(place))
            {
                throw Problem(output, $"lies under {place}, which is a file, not a folder");
            }

            place = Path.GetDirectoryName(place);
        }

        if (place is null)
        {
            throw Problem(output, "has no existing folder above it");
        }

        Probe(output, place);
    }

    /// <summary>Creates and deletes a uniquely named file in <paramref name="folder"/>, exclusively (never through an existing name).</summary>
    private static void Probe(Entry output, string folder)
    {
        string probe = Path.Combine(folder, $".accelsim-probe-{System.Security.Cryptography.RandomNumberGenerator.GetHexString(16, lowercase: true)}.tmp");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The probe's own name would only confuse: say what the folder refused.
            throw Problem(output, $"cannot be written: no file can be created in {folder} ({(e is UnauthorizedAccessException ? "permission denied" : "the file system refuses new files there")})");
        }
    }

    private static UsageException Problem(Entry output, string what) => new($"{output.Option} {output.Path}: {what}");

    private sealed record Entry(string Option, string Path, string? FullPath, bool IsFolder);
}
