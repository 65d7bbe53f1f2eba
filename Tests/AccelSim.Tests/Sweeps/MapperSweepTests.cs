using System.Globalization;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Sweeps;

/// <summary>A sweep varies <c>mapper.*</c> like any config key.</summary>
public sealed class MapperSweepTests() : WorkFolderFixture("accelsim-mapper-sweep-")
{
    [Test]
    public void SearchAxis_RunsEachPoint_AndTheSearchIsNeverSlower()
    {
        string spec = Path.Combine(Work, "spec.yaml");
        File.WriteAllText(spec, $"""
            version: 1
            name: search
            config: {CliHarness.Shipped("Configs/tiny.yaml")}
            workloads: [{CliHarness.Shipped("Workloads/resnet_block.yaml")}]
            numerics: false
            axes:
              - grid:
                  pe_array.dataflow: [output_stationary, row_stationary]
                  mapper.search: [heuristic, exhaustive]
            metrics: [cycles]
            """);
        string output = Path.Combine(Work, "out");

        var (code, _, stderr) = CliHarness.Run("sweep", spec, "-o", output, "-q");

        Assert.That(code, Is.Zero, stderr);
        string[] header = File.ReadLines(Path.Combine(output, "results.csv")).First().Split(',');
        var rows = File.ReadLines(Path.Combine(output, "results.csv")).Skip(1).Select(line => line.Split(',')).ToList();
        int search = Array.IndexOf(header, "mapper.search");
        int cycles = Array.IndexOf(header, "cycles");
        int status = Array.IndexOf(header, "status");

        // Four points, dataflow slowest: (os, heuristic), (os, exhaustive), (rs, heuristic), (rs, exhaustive).
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rows.Select(r => (r[search], r[status])), Is.EqualTo(new[] { ("heuristic", "ok"), ("exhaustive", "ok"), ("heuristic", "ok"), ("exhaustive", "ok") }));
            Assert.That(long.Parse(rows[1][cycles], CultureInfo.InvariantCulture), Is.LessThanOrEqualTo(long.Parse(rows[0][cycles], CultureInfo.InvariantCulture)));
            Assert.That(long.Parse(rows[3][cycles], CultureInfo.InvariantCulture), Is.LessThanOrEqualTo(long.Parse(rows[2][cycles], CultureInfo.InvariantCulture)));
        }
    }
}
