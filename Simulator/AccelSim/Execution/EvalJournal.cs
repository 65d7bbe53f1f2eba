using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AccelSim.Execution;

/// <summary>
/// The append-only record of an evaluation's finished inputs, <c>journal.jsonl</c> in its output folder, written as a
/// sweep's journal is: each line <c>&lt;16 hex digits&gt; &lt;JSON&gt;\n</c>, the digits an FNV-1a hash of the JSON, the
/// first line a header naming the evaluation's fingerprint. A line is one write, flushed, so an interrupted run leaves at
/// most one incomplete last line, which reading ignores and appending cuts off. Numbers are kept as round-trip text, so
/// a resumed evaluation writes the same bytes as an uninterrupted one.
/// </summary>
public sealed class EvalJournal : IDisposable
{
    public const string FileName = "journal.jsonl";
    private const string Kind = "accelsim-eval-journal";
    private const int Format = 1;
    private const ulong FnvOffsetBasis = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    private readonly FileStream _stream;

    private EvalJournal(FileStream stream)
    {
        _stream = stream;
    }

    /// <summary>Reads a journal: its fingerprint (null when empty), its complete records by index, and the length of
    /// its complete lines.</summary>
    /// <exception cref="InvalidDataException">The file is not an evaluation journal.</exception>
    public static (string? Fingerprint, ImmutableDictionary<int, EvalOutcome> Outcomes, long ValidLength) Read(string path)
    {
        if (!File.Exists(path))
        {
            return (null, ImmutableDictionary<int, EvalOutcome>.Empty, 0);
        }

        byte[] bytes = File.ReadAllBytes(path);
        int end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        string[] lines = Encoding.UTF8.GetString(bytes, 0, end).Split('\n')[..^1];
        if (lines.Length == 0)
        {
            return (null, ImmutableDictionary<int, EvalOutcome>.Empty, 0);
        }

        string fingerprint = Unwrap(lines[0]) is { } header ? ParseHeader(header)
            : throw new InvalidDataException($"{path} is not an evaluation journal: its first line is damaged or of another format");
        var outcomes = ImmutableDictionary.CreateBuilder<int, EvalOutcome>();
        foreach (string line in lines.Skip(1))
        {
            // A damaged line is dropped: its input runs again.
            if (Unwrap(line) is { } json && ParseOutcome(json) is { } outcome)
            {
                outcomes[outcome.Index] = outcome;
            }
        }

        return (fingerprint, outcomes.ToImmutable(), end);
    }

    /// <summary>Opens the journal for appending after cutting it to <paramref name="validLength"/>; writes the header
    /// when it is empty.</summary>
    public static EvalJournal Open(string path, string fingerprint, long validLength)
    {
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        try
        {
            stream.SetLength(validLength);
            stream.Seek(0, SeekOrigin.End);
            var journal = new EvalJournal(stream);
            if (validLength == 0)
            {
                journal.WriteLine(JsonLine.Of(w =>
                {
                    w.WriteString("kind", Kind);
                    w.WriteNumber("format", Format);
                    w.WriteString("fingerprint", fingerprint);
                }));
            }

            return journal;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Appends one outcome as one write, flushed to the operating system.</summary>
    public void Append(EvalOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        WriteLine(JsonLine.Of(w =>
        {
            w.WriteNumber("index", outcome.Index);
            w.WriteString("name", outcome.Name);
            w.WriteBoolean("top1", outcome.Top1Agrees);
            w.WriteString("top5", Text(outcome.Top5Overlap));
            w.WriteString("output_sqnr_db", Text(outcome.OutputSqnrDb));
            w.WriteStartArray("layer_sqnr_db");
            foreach (double value in outcome.LayerSqnrDb)
            {
                w.WriteStringValue(Text(value));
            }

            w.WriteEndArray();
            w.WriteNumber("input_saturations", outcome.InputSaturations);
            w.WriteNumber("weight_saturations", outcome.WeightSaturations);
            w.WriteNumber("accumulator_saturations", outcome.AccumulatorSaturations);
            w.WriteString("energy_pj", Text(outcome.EnergyPicoJoules));
        }));
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>64-bit FNV-1a over UTF-16 code units, the same in every process.</summary>
    public static ulong Hash(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ulong hash = FnvOffsetBasis;
        foreach (char c in text)
        {
            hash = unchecked((hash ^ c) * FnvPrime);
        }

        return hash;
    }

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static double Number(JsonElement element) => double.Parse(element.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);

    private void WriteLine(string json)
    {
        _stream.Write(Encoding.UTF8.GetBytes($"{Hash(json).ToString("x16", CultureInfo.InvariantCulture)} {json}\n"));
        _stream.Flush();
    }

    private static string? Unwrap(string line)
    {
        if (line.Length < 18 || line[16] != ' ')
        {
            return null;
        }

        string json = line[17..];
        return Hash(json).ToString("x16", CultureInfo.InvariantCulture) == line[..16] ? json : null;
    }

    private static string ParseHeader(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            return root.GetProperty("kind").GetString() == Kind && root.GetProperty("format").GetInt32() == Format
                ? root.GetProperty("fingerprint").GetString()!
                : throw new InvalidDataException($"not an evaluation journal of format {Format}");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"the journal's header is malformed: {e.Message}", e);
        }
    }

    private static EvalOutcome? ParseOutcome(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            JsonElement r = document.RootElement;
            return new EvalOutcome(
                r.GetProperty("index").GetInt32(), r.GetProperty("name").GetString()!, r.GetProperty("top1").GetBoolean(),
                Number(r.GetProperty("top5")), Number(r.GetProperty("output_sqnr_db")),
                [.. r.GetProperty("layer_sqnr_db").EnumerateArray().Select(Number)],
                r.GetProperty("input_saturations").GetInt64(), r.GetProperty("weight_saturations").GetInt64(),
                r.GetProperty("accumulator_saturations").GetInt64(), Number(r.GetProperty("energy_pj")));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
