using System.Text;
using System.Text.Json;

namespace AccelSim.Execution;

/// <summary>One JSON object as one line of a journal (an evaluation's, a sweep's).</summary>
internal static class JsonLine
{
    /// <summary>Compact JSON of one object; System.Text.Json escapes every non-ASCII character, so a line is pure ASCII.</summary>
    public static string Of(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
