using AccelSim.Execution;

namespace AccelSim.Tests.Execution;

/// <summary>The top-k of the output agreement, held to its definition: indices sorted by value descending (NaN below
/// every number, as the default comparer orders it), then by index; the first k.</summary>
public sealed class NetworkNumericsTopKTests
{
    private static int[] Definition(double[] values, int k) =>
        [.. Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).ThenBy(i => i).Take(k)];

    /// <summary>2,000 arrays of 0 … 40 values drawn from a few levels (many ties), with NaN, −0 and +0 and infinities
    /// among them; k of 0 … 7 (more than the values included).</summary>
    [Test]
    public void TopK_GivesTheSortsFirstK_TiesToTheLowerIndex()
    {
        var random = new Random(5);
        double[] levels = [double.NaN, double.NegativeInfinity, -2.5, -0.0, 0.0, 1.0, 1.0 + Math.BitIncrement(0), 3.0, double.PositiveInfinity];
        for (int trial = 0; trial < 2000; trial++)
        {
            double[] values = [.. Enumerable.Range(0, random.Next(41)).Select(_ => levels[random.Next(levels.Length)])];
            int k = random.Next(8);
            Assert.That(NetworkNumerics.TopK<double>(values, k), Is.EqualTo(Definition(values, k)), string.Join(", ", values));
            float[] singles = Array.ConvertAll(values, v => (float)v);
            Assert.That(NetworkNumerics.TopK<float>(singles, k), Is.EqualTo(Definition(Array.ConvertAll(singles, v => (double)v), k)));
        }
    }

    [Test]
    public void TopK_OfDistinctValues_IsLargestFirst()
    {
        // 0.5 at index 3 is the largest, then 0.4 (index 0), 0.3 (index 5), 0.2 (index 1), 0.1 (index 4).
        double[] values = [0.4, 0.2, -1, 0.5, 0.1, 0.3, 0.0];

        Assert.That(NetworkNumerics.TopK<double>(values, 5), Is.EqualTo(new[] { 3, 0, 5, 1, 4 }));
    }
}
