using System.Globalization;
using AccelSim.Configuration;
using AccelSim.Sweeps;

namespace AccelSim.Tests.Sweeps;

public sealed class SweepPlanTests
{
    private const string Spec = """
        version: 1
        name: plan
        config: c.yaml
        workloads: [a.yaml, b.yaml]
        numerics: false
        axes:
          - grid:
              pe_array.rows: [2, 4]
          - zip:
              pe_array.cols: [1, 3, 5]
              bfp.mantissa_bits: [6, 7, 8]
        metrics: [cycles]
        """;

    private static SweepSpec Read(string yaml = Spec) => SweepSpecReader.Parse(yaml, "plan.yaml", SweepMetric.Names);

    [Test]
    public void Points_RunWorkloadsOutermost_AndTheLastFactorFastest()
    {
        var points = SweepPlan.Expand(Read());

        // 2 workloads × 2 rows × 3 zipped (cols, mantissa) = 12 points.
        var described = points.Select(p => $"{p.Index}:{p.WorkloadIndex}:{string.Join(',', p.Values.Select(v => v.Display))}").ToList();
        Assert.That(described, Is.EqualTo(new[]
        {
            "0:0:2,1,6", "1:0:2,3,7", "2:0:2,5,8", "3:0:4,1,6", "4:0:4,3,7", "5:0:4,5,8",
            "6:1:2,1,6", "7:1:2,3,7", "8:1:2,5,8", "9:1:4,1,6", "10:1:4,3,7", "11:1:4,5,8",
        }));
    }

    [Test]
    public void Id_IsFnv1aOfTheWorkloadAndAxisValues()
    {
        SweepPoint point = SweepPlan.Expand(Read())[4];

        // One line per part, as SweepPlan documents: the workload, then key=value in axis order.
        ulong expected = LayerSeeds.Fnv1a64("workload=a\npe_array.rows=4\npe_array.cols=3\nbfp.mantissa_bits=7\n");
        Assert.That(point.Id, Is.EqualTo(expected.ToString("x16", CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Ids_DependOnValuesNotOnOrderOfOtherPoints()
    {
        var all = SweepPlan.Expand(Read());
        var fewer = SweepPlan.Expand(Read(Spec.Replace("[2, 4]", "[4]", StringComparison.Ordinal)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(all.Select(p => p.Id), Is.Unique);
            Assert.That(fewer.Select(p => p.Id), Is.SubsetOf(all.Select(p => p.Id)), "a point keeps its id when other points are added");
        }
    }

    [Test]
    public void Overrides_GoToTheFileTheirKeyBelongsTo()
    {
        SweepSpec spec = Read(Spec.Replace("bfp.mantissa_bits", "batch", StringComparison.Ordinal));
        SweepPoint point = SweepPlan.Expand(spec)[5];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(point.Overrides(spec, KeyTarget.Config).Select(o => o.ToString()), Is.EqualTo(new[] { "pe_array.rows=4", "pe_array.cols=5" }));
            Assert.That(point.Overrides(spec, KeyTarget.Workload).Select(o => o.ToString()), Is.EqualTo(new[] { "batch=8" }));
        }
    }

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(5)]
    [TestCase(20)]
    public void Shards_TakeEveryPointExactlyOnce(int count)
    {
        var points = SweepPlan.Expand(Read());

        var taken = Enumerable.Range(0, count).SelectMany(i => points.Where(new Shard(i, count).Contains)).Select(p => p.Index).Order().ToList();

        Assert.That(taken, Is.EqualTo(Enumerable.Range(0, points.Length)));
    }

    [TestCase("0/4", 0, 4)]
    [TestCase("3/4", 3, 4)]
    [TestCase("0/1", 0, 1)]
    public void Shard_ParsesIndexSlashCount(string text, int index, int count)
    {
        Assert.That(Shard.Parse(text), Is.EqualTo(new Shard(index, count)));
    }

    [TestCase("4/4")]
    [TestCase("1/0")]
    [TestCase("-1/4")]
    [TestCase("1")]
    [TestCase("a/b")]
    [TestCase("1/2/3")]
    public void Shard_OutsideZeroToCountMinusOne_IsRejected(string text)
    {
        Assert.That(Shard.Parse(text), Is.Null);
    }
}
