using System.Globalization;
using AccelSim.Hardware;
using AccelSim.ScaleSim;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.ScaleSim;

/// <summary>SCALE-Sim v2's own reports (commit 22f88b17, 8×8 arrays, CALC mode: no stalls) as golden values.</summary>
public sealed class ScaleSimComputeTests
{
    private static IEnumerable<TestCaseData> CalcRows()
    {
        string path = Path.Combine(RepoPaths.Root, "Tests", "AccelSim.Tests", "Golden", "scalesim", "results-8x8.csv");
        string[] lines = File.ReadAllLines(path);
        string[] header = lines[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name);
        foreach (string line in lines.Skip(1))
        {
            string[] f = line.Split(',');
            if (f[Col("bw_mode")] != "CALC")
            {
                continue;
            }

            yield return new TestCaseData(f[Col("dataflow")], int.Parse(f[Col("array_h")], CultureInfo.InvariantCulture), int.Parse(f[Col("array_w")], CultureInfo.InvariantCulture),
                    long.Parse(f[Col("gemm_M")], CultureInfo.InvariantCulture), long.Parse(f[Col("gemm_K")], CultureInfo.InvariantCulture),
                    long.Parse(f[Col("gemm_N")], CultureInfo.InvariantCulture), long.Parse(f[Col("folds")], CultureInfo.InvariantCulture),
                    long.Parse(f[Col("total_cycles")], CultureInfo.InvariantCulture), double.Parse(f[Col("mapping_eff_pct")], CultureInfo.InvariantCulture),
                    double.Parse(f[Col("compute_util_pct")], CultureInfo.InvariantCulture))
                .SetName(f[Col("case")]);
        }
    }

    [TestCaseSource(nameof(CalcRows))]
    public void ClosedForm_ReproducesScaleSimsComputeReport(
        string dataflow, int rows, int cols, long m, long k, long n, long folds, long totalCycles, double mappingPercent, double computePercent)
    {
        Dataflow df = dataflow switch { "os" => Dataflow.OutputStationary, "ws" => Dataflow.WeightStationary, _ => Dataflow.InputStationary };

        var result = ScaleSimCompute.Of(df, rows, cols, m, k, n);

        Assert.Multiple(() =>
        {
            Assert.That(result.Folds, Is.EqualTo(folds));
            Assert.That(result.TotalCycles, Is.EqualTo(totalCycles));
            Assert.That(result.MappingEfficiencyPercent, Is.EqualTo(mappingPercent).Within(1e-9));
            Assert.That(result.ComputeUtilizationPercent, Is.EqualTo(computePercent).Within(1e-9));
        });
    }

    [Test]
    public void GoldenFile_HasCalcRowsForEveryDataflow() =>
        Assert.That(CalcRows().Select(c => (string)c.Arguments[0]!).Distinct().Order(), Is.EqualTo(new[] { "is", "os", "ws" }));
}
