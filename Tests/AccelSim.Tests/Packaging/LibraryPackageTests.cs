using System.Globalization;
using System.Text.RegularExpressions;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Packaging;

/// <summary>
/// The library as a NuGet package, used the way docs/library.md says: packed from the build, the page's example project
/// and program (taken from the page as they are) restored from that local folder only, built, and run on the
/// repository's tiny files. What it prints must be the page's sample output and agree with the golden report.
/// </summary>
[Category("Packaging")]
[NonParallelizable]
public sealed partial class LibraryPackageTests() : WorkFolderFixture("accelsim-library-")
{
    private static readonly TimeSpan SdkTimeout = TimeSpan.FromMinutes(5);

    private static string Page => Path.Combine(RepoPaths.Root, "docs", "library.md");

    [Test]
    public void DocumentedExample_BuiltAgainstThePackedLibrary_PrintsTheDocumentedOutput_WhichAgreesWithTheGoldenReport()
    {
        string feed = Path.Combine(Work, "feed");
        string project = Path.Combine(Work, "example");
        Directory.CreateDirectory(project);
        ExternalProcess.RunOk(ExternalProcess.Dotnet,
            ["pack", Path.Combine(RepoPaths.Root, "Simulator", "AccelSim", "AccelSim.csproj"), "-c", ExternalProcess.BuildConfiguration,
             "--no-build", "-nologo", "-v", "q", "-o", feed],
            RepoPaths.Root, SdkTimeout);
        string markdown = File.ReadAllText(Page);
        File.WriteAllText(Path.Combine(project, "example.csproj"), Block(markdown, "xml"));
        File.WriteAllText(Path.Combine(project, "Program.cs"), Block(markdown, "csharp"));
        string config = LocalFeed.WriteNuGetConfig(Work, feed, fallback: LocalFeed.RestoredPackages);

        // The example restores into a packages folder of its own, so the package just packed is the one extracted (a global
        // folder keeps the first copy of a version forever); its dependencies come from what the build restored.
        var packages = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(Work, "packages") };
        ExternalProcess.RunOk(ExternalProcess.Dotnet, ["build", project, "-c", "Release", "-nologo", "-v", "q", "--configfile", config], Work, SdkTimeout, packages);
        string bin = Path.Combine(project, "bin", "Release", "net10.0");
        string output = ExternalProcess.RunOk(ExternalProcess.Dotnet,
            [Path.Combine(bin, "example.dll"), CliHarness.Shipped("Configs/tiny.yaml"), CliHarness.Shipped("Workloads/tiny.yaml")],
            Work, SdkTimeout);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Lines(output), Is.EqualTo(Lines(Block(markdown, "text"))), "the output docs/library.md shows");
            Assert.That(Lines(output), Is.EqualTo(FromGoldenReport()), "the golden report, as the example formats it");
            Assert.That(File.Exists(Path.Combine(bin, "fonts", "DejaVuSans.ttf")), Is.True, "the package's fonts are copied beside the program");
            // Deterministic builds: the library the example ran is byte for byte the one these tests were built against.
            Assert.That(File.ReadAllBytes(Path.Combine(bin, "AccelSim.Core.dll")),
                Is.EqualTo(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "AccelSim.Core.dll"))), "the packed library");
        }
    }

    [Test]
    public void Page_HasOneProjectOneProgramAndOneSampleOutput() =>
        Assert.That(new[] { "xml", "csharp", "text" }.Select(language => Blocks(File.ReadAllText(Page), language).Count), Is.EqualTo(new[] { 1, 1, 1 }));

    /// <summary>The golden report's rows in the example's format: the figures are the report's, the format the example's.</summary>
    private static List<string> FromGoldenReport()
    {
        string[] rows = File.ReadAllLines(Path.Combine(RepoPaths.Root, "Tests", "AccelSim.Tests", "Golden", "tiny__tiny.expected.csv"));
        string[] header = rows[0].Split(',');
        var lines = new List<string>();
        foreach (string row in rows.Skip(1))
        {
            string[] cells = row.Split(',');
            string Cell(string column) => cells[Array.IndexOf(header, column)];
            double Number(string column) => double.Parse(Cell(column), CultureInfo.InvariantCulture);
            lines.Add(Cell("name") == "total"
                ? string.Create(CultureInfo.InvariantCulture, $"tiny on tiny: {Cell("macs")} MACs, {Cell("total_cycles")} cycles, {Number("energy_pj"):F1} pJ")
                : string.Create(CultureInfo.InvariantCulture,
                    $"{Cell("name")} {Cell("type")}: {Cell("total_cycles")} cycles, {Cell("stall_cycles")} stalled, {Number("energy_pj"):F1} pJ, SQNR {Number("sqnr_db"):F2} dB"));
        }

        return lines;
    }

    private static string Block(string markdown, string language) => Blocks(markdown, language).Single();

    private static List<string> Blocks(string markdown, string language) =>
        [.. FencedBlock().Matches(markdown.Replace("\r", "", StringComparison.Ordinal))
            .Where(match => match.Groups[1].Value == language)
            .Select(match => match.Groups[2].Value)];

    private static string[] Lines(string text) => text.Replace("\r", "", StringComparison.Ordinal).TrimEnd('\n').Split('\n');

    [GeneratedRegex(@"^```(\w*)\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();
}
