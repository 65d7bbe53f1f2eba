namespace AccelSim.Tracing;

/// <summary>The trace file formats, chosen by a file's extension.</summary>
public enum TraceFormat
{
    /// <summary>Chrome trace-event JSON for ui.perfetto.dev and chrome://tracing (<c>.json</c>, <c>.perfetto.json</c>).</summary>
    PerfettoJson,

    /// <summary>Value Change Dump for GTKWave (<c>.vcd</c>).</summary>
    Vcd,

    /// <summary>SCALE-Sim-style address trace (<c>.csv</c>).</summary>
    AddressCsv,
}

/// <summary>Maps file names to formats and opens writers.</summary>
public static class TraceFormats
{
    /// <summary>What the extensions mean, for messages.</summary>
    public const string Allowed = ".json or .perfetto.json (Perfetto / Chrome trace events), .vcd (GTKWave), .csv (address trace)";

    /// <summary>The 1 GiB cap used unless the user sets another.</summary>
    public const long DefaultMaxBytes = 1L << 30;

    public static TraceFormat? FromPath(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".json" => TraceFormat.PerfettoJson,
            ".vcd" => TraceFormat.Vcd,
            ".csv" => TraceFormat.AddressCsv,
            _ => null,
        };
    }

    public static ITraceWriter Open(string path, TraceFormat format, long maxBytes, TraceMetadata metadata) => format switch
    {
        TraceFormat.PerfettoJson => new PerfettoJsonTraceWriter(path, maxBytes, metadata),
        TraceFormat.Vcd => new VcdTraceWriter(path, maxBytes, metadata),
        TraceFormat.AddressCsv => new AddressCsvTraceWriter(path, maxBytes),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };
}
