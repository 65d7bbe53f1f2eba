using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AccelSim.Configuration;
using AccelSim.Execution;

namespace AccelSim.Sweeps;

/// <summary>What a journal says about the sweep it belongs to.</summary>
/// <param name="Fingerprint">The <see cref="SweepSession.Fingerprint"/> of the inputs.</param>
/// <param name="Points">Points in the whole sweep.</param>
/// <param name="Shard">The part of the sweep this folder runs.</param>
public sealed record JournalHeader(string Fingerprint, int Points, Shard Shard);

/// <summary>A journal as read back: its header and the last record of every point.</summary>
/// <param name="Header">Null for an empty journal (or one whose header was never completely written).</param>
/// <param name="Records">The last complete record of each point, by index.</param>
/// <param name="ValidLength">Bytes up to the end of the last complete line; anything after it was a torn write.</param>
/// <param name="DamagedLines">Complete lines that failed their check (their points run again).</param>
public sealed record JournalContents(JournalHeader? Header, ImmutableDictionary<int, PointRecord> Records, long ValidLength, int DamagedLines);

/// <summary>
/// The append-only record of a sweep's finished points, <c>journal.jsonl</c> in the output folder. It is the source of
/// truth: the CSV files are rewritten from it. Each line is <c>&lt;16 hex digits&gt; &lt;JSON&gt;\n</c>, the hex digits an
/// FNV-1a hash of the JSON; the first line is the header. A line is written with one call and flushed, so a crash
/// (even <c>kill -9</c>) leaves at most one incomplete last line, which reading ignores and appending cuts off.
/// </summary>
public sealed class SweepJournal : IDisposable
{
    public const string FileName = "journal.jsonl";
    private const int Format = 1;
    private const string Kind = "accelsim-sweep-journal";

    private readonly FileStream _stream;

    private SweepJournal(FileStream stream)
    {
        _stream = stream;
    }

    /// <summary>Reads a journal; a missing file reads as empty.</summary>
    /// <exception cref="InvalidDataException">The file is not a sweep journal.</exception>
    public static JournalContents Read(string path)
    {
        if (!File.Exists(path))
        {
            return new JournalContents(null, ImmutableDictionary<int, PointRecord>.Empty, 0, 0);
        }

        byte[] bytes = File.ReadAllBytes(path);
        int end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        string[] lines = Encoding.UTF8.GetString(bytes, 0, end).Split('\n')[..^1];
        if (lines.Length == 0)
        {
            return new JournalContents(null, ImmutableDictionary<int, PointRecord>.Empty, 0, 0);
        }

        JournalHeader header = Unwrap(lines[0]) is { } headerJson ? ParseHeader(headerJson)
            : throw new InvalidDataException($"{path} is not a sweep journal: its first line is damaged or of another format");
        var records = ImmutableDictionary.CreateBuilder<int, PointRecord>();
        int damaged = 0;
        foreach (string line in lines.Skip(1))
        {
            if (Unwrap(line) is { } json && ParseRecord(json) is { } record)
            {
                records[record.Index] = record;
            }
            else
            {
                damaged++;
            }
        }

        return new JournalContents(header, records.ToImmutable(), end, damaged);
    }

    /// <summary>
    /// Opens the journal for appending, first cutting off an incomplete last line (<paramref name="validLength"/> from
    /// <see cref="Read"/>); writes the header when the journal is empty.
    /// </summary>
    public static SweepJournal Open(string path, JournalHeader header, long validLength)
    {
        ArgumentNullException.ThrowIfNull(header);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        try
        {
            stream.SetLength(validLength);
            stream.Seek(0, SeekOrigin.End);
            var journal = new SweepJournal(stream);
            if (validLength == 0)
            {
                journal.WriteLine(HeaderJson(header));
                journal.Flush(toDisk: true);
            }

            return journal;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Writes a journal from scratch (a merge's output): header, then the records in index order.</summary>
    public static void WriteAll(string path, JournalHeader header, IEnumerable<PointRecord> records)
    {
        using var journal = Open(path, header, 0);
        foreach (PointRecord record in records.OrderBy(r => r.Index))
        {
            journal.Append(record);
        }

        journal.Flush(toDisk: true);
    }

    /// <summary>Appends one record as one write; the line reaches the operating system before this returns.</summary>
    public void Append(PointRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        WriteLine(RecordJson(record));
        _stream.Flush();
    }

    /// <summary>Flushes buffered lines; to the disk itself when <paramref name="toDisk"/> (checkpoints, the end).</summary>
    public void Flush(bool toDisk) => _stream.Flush(toDisk);

    public void Dispose() => _stream.Dispose();

    private void WriteLine(string json)
    {
        string hash = LayerSeeds.Fnv1a64(json).ToString("x16", CultureInfo.InvariantCulture);
        _stream.Write(Encoding.UTF8.GetBytes($"{hash} {json}\n"));
    }

    /// <summary>The JSON of a line whose hash matches; null for a damaged line.</summary>
    private static string? Unwrap(string line)
    {
        if (line.Length < 18 || line[16] != ' ')
        {
            return null;
        }

        string json = line[17..];
        return LayerSeeds.Fnv1a64(json).ToString("x16", CultureInfo.InvariantCulture) == line[..16] ? json : null;
    }

    private static string HeaderJson(JournalHeader header) => JsonLine.Of(w =>
    {
        w.WriteString("kind", Kind);
        w.WriteNumber("format", Format);
        w.WriteString("fingerprint", header.Fingerprint);
        w.WriteNumber("points", header.Points);
        w.WriteString("shard", header.Shard.ToString());
    });

    private static JournalHeader ParseHeader(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            if (root.GetProperty("kind").GetString() != Kind || root.GetProperty("format").GetInt32() != Format)
            {
                throw new InvalidDataException($"not a sweep journal of format {Format}");
            }

            return new JournalHeader(
                root.GetProperty("fingerprint").GetString()!,
                root.GetProperty("points").GetInt32(),
                Shard.Parse(root.GetProperty("shard").GetString()!) ?? throw new InvalidDataException("the journal's shard is malformed"));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"the journal's header is malformed: {e.Message}", e);
        }
    }

    private static string RecordJson(PointRecord record) => JsonLine.Of(w =>
    {
        w.WriteNumber("point", record.Index);
        w.WriteString("id", record.Id);
        w.WriteString("status", PointRecord.StatusName(record.Status));
        w.WriteString("message", record.Message);
        w.WriteStartArray("metrics");
        foreach (string cell in record.Metrics)
        {
            w.WriteStringValue(cell);
        }

        w.WriteEndArray();
        if (record.Layers is { } layers)
        {
            w.WriteStartArray("layers");
            foreach (ImmutableArray<string> layer in layers)
            {
                w.WriteStartArray();
                foreach (string cell in layer)
                {
                    w.WriteStringValue(cell);
                }

                w.WriteEndArray();
            }

            w.WriteEndArray();
        }
    });

    /// <summary>A record, or null when the line's JSON is not one (reported as damaged).</summary>
    private static PointRecord? ParseRecord(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            PointStatus? status = root.GetProperty("status").GetString() switch
            {
                "ok" => PointStatus.Ok,
                "invalid" => PointStatus.Invalid,
                "skipped" => PointStatus.Skipped,
                "failed" => PointStatus.Failed,
                _ => null,
            };
            if (status is null)
            {
                return null;
            }

            ImmutableArray<ImmutableArray<string>>? layers = root.TryGetProperty("layers", out JsonElement l)
                ? [.. l.EnumerateArray().Select(Strings)]
                : null;
            return new PointRecord(root.GetProperty("point").GetInt32(), root.GetProperty("id").GetString()!, status.Value,
                root.GetProperty("message").GetString()!, Strings(root.GetProperty("metrics")), layers);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }

        static ImmutableArray<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
    }
}
