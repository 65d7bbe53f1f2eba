using AccelSim.Files;
using System.Collections.Immutable;
using System.Text.Json;

namespace AccelSim.Tracing;

/// <summary>A trace file that cannot be read: the message says which file, where, and what was expected.</summary>
public sealed class TraceFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A trace read back: every slice (layer slices included) and counter change, in file order.</summary>
/// <param name="Metadata">From <c>otherData</c>, when the file has it.</param>
public sealed record TraceDocument(
    TraceMetadata? Metadata, ImmutableArray<TraceSlice> Slices, ImmutableArray<TraceCounter> Counters, bool Truncated, string? TruncationNotice)
{
    /// <summary>The enclosing layer slices, in order.</summary>
    public IEnumerable<TraceSlice> Layers => Slices.Where(s => s.Category == TraceCategory.Layer).OrderBy(s => s.StartCycle);
}

/// <summary>Reads the trace-event JSON that <see cref="PerfettoJsonTraceWriter"/> writes (and the same subset of the
/// format from other tools: complete events, counters, thread names).</summary>
public static class TraceFile
{
    /// <summary>The largest timestamp or duration read, 2^53 cycles: every whole number up to it is exact as a JSON
    /// (double) number, and a start plus a duration stays far below 2^63.</summary>
    public const long MaxCycle = 1L << 53;

    /// <summary>The largest sum of all durations, 2^62: the summary's sums of durations (per component, cause, layer)
    /// are parts of it, so none overflows.</summary>
    public const long MaxTotalDuration = 1L << 62;

    /// <exception cref="TraceFormatException">The file is missing, is not JSON, or is not a trace-event file.</exception>
    public static TraceDocument Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new TraceFormatException($"{path}: no such file");
        }

        if (TraceFormats.FromPath(path) is TraceFormat format && format != TraceFormat.PerfettoJson)
        {
            throw new TraceFormatException($"{path}: the trace tools read the trace-event JSON traces (.json); this is a {format} trace");
        }

        try
        {
            using FileStream stream = InputFile.OpenRead(path, InputLimit.Trace);
            using JsonDocument document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 16 });
            return Read(path, document.RootElement);
        }
        catch (JsonException e)
        {
            throw new TraceFormatException($"{path}:{(e.LineNumber ?? 0) + 1}:{(e.BytePositionInLine ?? 0) + 1}: not valid JSON: {FirstSentence(e.Message)}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new TraceFormatException($"{path}: not a trace-event file: a field has the wrong type ({e.Message})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TraceFormatException($"{path}: cannot read the file: {e.Message}", e);
        }
    }

    private static TraceDocument Read(string path, JsonElement root)
    {
        JsonElement events = root.ValueKind switch
        {
            JsonValueKind.Object when root.TryGetProperty("traceEvents", out JsonElement array) && array.ValueKind == JsonValueKind.Array => array,
            JsonValueKind.Array => root,
            _ => throw new TraceFormatException($"{path}: not a trace-event file: expected an object with a \"traceEvents\" array (or an array of events)"),
        };

        var threadNames = new Dictionary<long, string>();
        foreach (JsonElement e in events.EnumerateArray())
        {
            if (Phase(e) == "M" && Text(e, "name") == "thread_name" && e.TryGetProperty("args", out JsonElement args) && e.TryGetProperty("tid", out JsonElement tid))
            {
                threadNames[tid.GetInt64()] = Text(args, "name") ?? tid.GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var slices = ImmutableArray.CreateBuilder<TraceSlice>();
        var counters = ImmutableArray.CreateBuilder<TraceCounter>();
        int index = 0;
        long totalDuration = 0;
        foreach (JsonElement e in events.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw new TraceFormatException($"{path}: traceEvents[{index}] is not an object");
            }

            switch (Phase(e))
            {
                case "X":
                    long tid = e.TryGetProperty("tid", out JsonElement t) ? t.GetInt64() : 0;
                    string track = threadNames.GetValueOrDefault(tid) ?? $"thread {tid}";
                    (long amount, string? unit) = FirstNumber(e);
                    long duration = Cycles(path, e, "dur", index);
                    totalDuration += duration;
                    if (totalDuration > MaxTotalDuration)
                    {
                        throw new TraceFormatException(
                            $"{path}: traceEvents[{index}]: the durations up to this event add up to more than {MaxTotalDuration} cycles (2^62), too many for the summary's sums");
                    }

                    slices.Add(new TraceSlice(track, Text(e, "name") ?? "", Text(e, "cat") ?? "", Cycles(path, e, "ts", index), duration, amount, unit));
                    break;
                case "C":
                    double value = e.TryGetProperty("args", out JsonElement args) && args.ValueKind == JsonValueKind.Object
                        ? args.EnumerateObject().Select(p => p.Value).FirstOrDefault(v => v.ValueKind == JsonValueKind.Number) is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : 0
                        : 0;
                    counters.Add(new TraceCounter(Text(e, "name") ?? "", Cycles(path, e, "ts", index), value));
                    break;
            }

            index++;
        }

        TraceMetadata? metadata = null;
        bool truncated = false;
        string? notice = null;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("otherData", out JsonElement other) && other.ValueKind == JsonValueKind.Object)
        {
            metadata = new TraceMetadata(
                Text(other, "config") ?? "", Text(other, "workload") ?? "", Number(other, "clock_mhz"), Number(other, "dram_bandwidth_bytes_per_cycle"));
            truncated = other.TryGetProperty("truncated", out JsonElement tr) && tr.ValueKind == JsonValueKind.True;
            notice = Text(other, "truncation_notice");
        }

        return new TraceDocument(metadata, slices.ToImmutable(), counters.ToImmutable(), truncated, notice);
    }

    private static string? Phase(JsonElement e) => Text(e, "ph");

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : 0;

    /// <summary>A timestamp or duration in cycles: AccelSim writes whole cycles; other tools' fractions are rounded down.</summary>
    /// <exception cref="TraceFormatException">The value is missing, not a number, or outside 0 to <see cref="MaxCycle"/>.</exception>
    private static long Cycles(string path, JsonElement e, string name, int index)
    {
        if (!e.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.Number)
        {
            throw new TraceFormatException($"{path}: traceEvents[{index}] has no numeric \"{name}\"");
        }

        // A number too large for a double (1e400) does not read as one; NaN fails the range check.
        if (value.TryGetInt64(out long whole) ? whole is >= 0 and <= MaxCycle
            : value.TryGetDouble(out double fraction) && Math.Floor(fraction) is >= 0 and <= MaxCycle)
        {
            return value.TryGetInt64(out whole) ? whole : (long)Math.Floor(value.GetDouble());
        }

        throw new TraceFormatException(
            $"{path}: traceEvents[{index}] has \"{name}\": {value.GetRawText()}; timestamps and durations must be whole cycles from 0 to {MaxCycle} (2^53)");
    }

    private static (long Amount, string? Unit) FirstNumber(JsonElement e)
    {
        if (e.TryGetProperty("args", out JsonElement args) && args.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in args.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt64(out long amount))
                {
                    return (amount, property.Name);
                }
            }
        }

        return (0, null);
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
