using System.CommandLine;
using AccelSim.Execution;
using AccelSim.Files;
using AccelSim.Hardware;
using AccelSim.Reports;

namespace AccelSim.Cli;

/// <summary>Writes a run's HTML report (<c>--report DIR</c>) through <see cref="AtomicFile"/>, the page last.</summary>
internal static class RunReport
{
    /// <summary>Renders and writes the report of <paramref name="result"/> into <paramref name="folder"/>.</summary>
    public static void Write(string folder, RunResult result, AcceleratorConfig config, string workloadPath, ParseResult parse)
    {
        ReportContext context = ReportContexts.For(config, workloadPath, CommandLine(parse));
        Directory.CreateDirectory(folder);
        foreach (ReportFile file in HtmlReport.Render(result, context))
        {
            AtomicFile.WriteBytes(Path.Combine(folder, file.Name), file.Bytes.AsSpan());
        }
    }

    /// <summary>The command as typed: <c>accelsim</c> and every token, quoted where a shell would need it.</summary>
    public static string CommandLine(ParseResult parse) =>
        string.Join(' ', new[] { "accelsim" }.Concat(parse.Tokens.Select(t => Quote(t.Value))));

    private static string Quote(string token) =>
        token.Length > 0 && token.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c, StringComparison.Ordinal))
            ? token
            : $"'{token.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
