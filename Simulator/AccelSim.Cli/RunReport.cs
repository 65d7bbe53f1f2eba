using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using AccelSim.Files;
using AccelSim.Hardware;
using AccelSim.Reports;

namespace AccelSim.Cli;

/// <summary>Writes a run's HTML report (<c>--report DIR</c>): the context the report needs from the hardware and the
/// command line, then every file through <see cref="AtomicFile"/>, the page last.</summary>
internal static class RunReport
{
    /// <summary>Renders and writes the report of <paramref name="result"/> into <paramref name="folder"/>.</summary>
    public static void Write(string folder, RunResult result, AcceleratorConfig config, string workloadPath, ParseResult parse)
    {
        var context = new ReportContext
        {
            Command = CommandLine(parse),
            Ceilings = Ceilings(config),
            Configuration = Describe(config, workloadPath),
        };
        Directory.CreateDirectory(folder);
        foreach (ReportFile file in HtmlReport.Render(result, context))
        {
            AtomicFile.WriteBytes(Path.Combine(folder, file.Name), file.Bytes.AsSpan());
        }
    }

    /// <summary>The PE count per cycle, DRAM bytes per cycle, and each physical buffer's read ports × banks × word bytes.</summary>
    public static RooflineCeilings Ceilings(AcceleratorConfig config) => new(
        config.PeArray.PeCount,
        config.Dram.BandwidthBytesPerCycle,
        [.. config.Buffers.Physical.Select(b => (b.Name, (double)b.ReadPorts * b.Banks * b.WordBits / 8))]);

    /// <summary>The command as typed: <c>accelsim</c> and every token, quoted where a shell would need it.</summary>
    public static string CommandLine(ParseResult parse) =>
        string.Join(' ', new[] { "accelsim" }.Concat(parse.Tokens.Select(t => Quote(t.Value))));

    private static string Quote(string token) =>
        token.Length > 0 && token.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c, StringComparison.Ordinal))
            ? token
            : $"'{token.Replace("'", "'\\''", StringComparison.Ordinal)}'";

    private static ImmutableArray<(string, string)> Describe(AcceleratorConfig config, string workloadPath)
    {
        string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
        var rows = new List<(string, string)>
        {
            ("accelerator", config.Name),
            ("workload file", workloadPath),
            ("PE array", I($"{config.PeArray.Rows} x {config.PeArray.Cols} ({config.PeArray.PeCount} PEs), {config.PeArray.Dataflow}, {config.PeArray.Arithmetic} arithmetic")),
            ("clock", I($"{config.ClockMegahertz} MHz")),
            ("DRAM", I($"{config.Dram.BandwidthBytesPerCycle} B/cycle, {config.Dram.LatencyCycles} cycles latency")),
        };
        foreach (SramConfig buffer in config.Buffers.Physical)
        {
            rows.Add(($"buffer {buffer.Name}", I($"{buffer.CapacityBytes} B, {buffer.WordBits}-bit words, {buffer.ReadPorts} read / {buffer.WritePorts} write ports, {buffer.Banks} bank(s)")));
        }

        rows.Add(("vector unit", I($"{config.VectorUnit.Lanes} lanes")));
        return [.. rows];
    }
}
