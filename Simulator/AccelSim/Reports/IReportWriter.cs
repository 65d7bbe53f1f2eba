namespace AccelSim.Reports;

/// <summary>Writes a <see cref="RunResult"/> in one format.</summary>
/// <remarks>Contract: writers only format what the result holds (no physics, no clock time, no paths), in invariant
/// culture and a fixed order, so the same result always gives the same bytes.</remarks>
public interface IReportWriter
{
    void Write(RunResult result, TextWriter output);
}

/// <summary>Writes a file so that readers never see half of it: to a temporary file beside it, then renamed over it.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<TextWriter> write)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Path.GetRandomFileName()}.tmp");
        try
        {
            using (var writer = new StreamWriter(temporary, append: false, new System.Text.UTF8Encoding(false)))
            {
                writer.NewLine = "\n";
                write(writer);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
