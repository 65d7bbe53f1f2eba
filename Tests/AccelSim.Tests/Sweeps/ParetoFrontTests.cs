using System.Collections.Immutable;
using AccelSim.Configuration;
using AccelSim.Sweeps;

namespace AccelSim.Tests.Sweeps;

public sealed class ParetoFrontTests
{
    private static SweepSpec Spec(string objectives, string workloads = "[a.yaml]") => SweepSpecReader.Parse($"""
        version: 1
        name: front
        config: c.yaml
        workloads: {workloads}
        numerics: false
        axes:
          - grid:
              pe_array.rows: {"{ from: 1, to: 6 }"}
        metrics: [cycles, energy_pj, utilization]
        objectives: {objectives}
        """, "front.yaml", SweepMetric.Names);

    /// <summary>Records of points 0.. with (cycles, energy, utilization) cells; null makes a failed point.</summary>
    private static Dictionary<int, PointRecord> Records(SweepSpec spec, params (string Cycles, string Energy, string Utilization)?[] rows)
    {
        var points = SweepPlan.Expand(spec);
        return rows.Select((r, i) => r is { } m
                ? new PointRecord(i, points[i].Id, PointStatus.Ok, "", [m.Cycles, m.Energy, m.Utilization], null)
                : new PointRecord(i, points[i].Id, PointStatus.Failed, "boom", ["", "", ""], null))
            .ToDictionary(r => r.Index);
    }

    private static int[] Front(SweepSpec spec, Dictionary<int, PointRecord> records) =>
        [.. ParetoFront.Of(spec, SweepPlan.Expand(spec), records).Order()];

    [Test]
    public void TwoMinimisedObjectives_KeepPointsNoOtherBeatsOnBoth()
    {
        SweepSpec spec = Spec("{ cycles: minimize, energy_pj: minimize }");

        // (10, 50) (20, 30) (30, 10) trade off; (25, 40) is beaten by (20, 30); (30, 20) by (30, 10);
        // a failed point is never on the front.
        var records = Records(spec, ("10", "50", "0"), ("20", "30", "0"), ("25", "40", "0"), ("30", "10", "0"), ("30", "20", "0"), null);

        Assert.That(Front(spec, records), Is.EqualTo(new[] { 0, 1, 3 }));
    }

    [Test]
    public void MaximisedObjective_PrefersHigherValues()
    {
        SweepSpec spec = Spec("{ cycles: minimize, utilization: maximize }");

        // (10, 0.5) and (20, 0.9) trade off; (20, 0.8) and (30, 0.9) are beaten by (20, 0.9).
        var records = Records(spec, ("10", "0", "0.5"), ("20", "0", "0.9"), ("20", "0", "0.8"), ("30", "0", "0.9"));

        Assert.That(Front(spec, records), Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void EqualPoints_DoNotDominateEachOther()
    {
        SweepSpec spec = Spec("{ cycles: minimize, energy_pj: minimize }");

        var records = Records(spec, ("10", "10", "0"), ("10", "10", "0"), ("10", "11", "0"));

        Assert.That(Front(spec, records), Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void ObjectiveThatIsNaN_KeepsThePointOffTheFront()
    {
        SweepSpec spec = Spec("{ cycles: minimize, energy_pj: minimize }");

        var records = Records(spec, ("10", "nan", "0"), ("20", "20", "0"));

        Assert.That(Front(spec, records), Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void InfiniteSqnrStyleValues_CompareAsNumbers()
    {
        SweepSpec spec = Spec("{ cycles: minimize, utilization: maximize }");

        // inf is the best possible value of a maximised objective: (20, inf) beats (30, 1).
        var records = Records(spec, ("10", "0", "1"), ("20", "0", "inf"), ("30", "0", "1"));

        Assert.That(Front(spec, records), Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void Fronts_ArePerWorkload()
    {
        SweepSpec spec = Spec("{ cycles: minimize, energy_pj: minimize }", "[a.yaml, b.yaml]");

        // Points 0-5 run a, 6-11 run b; b's (100, 100) is on b's front although a's points beat it.
        var records = Records(spec, ("10", "10", "0"), ("20", "20", "0"), null, null, null, null, ("100", "100", "0"), ("200", "200", "0"));

        Assert.That(Front(spec, records), Is.EqualTo(new[] { 0, 6 }));
    }

    [Test]
    public void Front_DoesNotDependOnTheOrderRecordsArrive()
    {
        SweepSpec spec = Spec("{ cycles: minimize, energy_pj: minimize, utilization: maximize }");
        var random = new Random(5);
        var rows = Enumerable.Range(0, 6).Select(_ => ((string, string, string)?)(random.Next(10).ToString(), random.Next(10).ToString(), random.Next(10).ToString())).ToArray();
        var records = Records(spec, rows);

        var forward = ParetoFront.Of(spec, SweepPlan.Expand(spec), records);
        var backward = ParetoFront.Of(spec, SweepPlan.Expand(spec), records.Reverse().ToImmutableDictionary());

        Assert.That(backward, Is.EquivalentTo(forward));
    }

    [Test]
    public void Front_MatchesTheDefinitionOnRandomSets()
    {
        // The sorted sweep must agree with the definition: on the front iff no other point dominates it.
        var random = new Random(11);
        for (int trial = 0; trial < 50; trial++)
        {
            var candidates = Enumerable.Range(0, 40).Select(i => (Index: i, Costs: new[] { (double)random.Next(8), random.Next(8), random.Next(8) })).ToList();

            var front = ParetoFront.Front([.. candidates]).Order().ToList();

            var expected = candidates.Where(c => !candidates.Any(o => ParetoFront.Dominates(o.Costs, c.Costs))).Select(c => c.Index).ToList();
            Assert.That(front, Is.EqualTo(expected), $"trial {trial}");
        }
    }
}
