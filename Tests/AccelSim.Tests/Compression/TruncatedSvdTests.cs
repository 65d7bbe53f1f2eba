using AccelSim.Compression;
using AccelSim.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace AccelSim.Tests.Compression;

/// <summary>The truncated SVD against MathNet's full managed SVD, and against the Eckart–Young theorem: the best rank-K
/// approximation in the Frobenius norm leaves an error of exactly sqrt(Σ of the dropped σ²).</summary>
public sealed class TruncatedSvdTests
{
    private static float[] Random(int rows, int columns, ulong seed)
    {
        var values = new float[rows * columns];
        SyntheticTensors.StandardNormal(seed, values);
        return values;
    }

    /// <summary>A matrix with a decaying spectrum: a rank-r product whose k-th direction is scaled by 0.7^k, plus small noise.</summary>
    private static float[] LowRankPlusNoise(int rows, int columns, int rank, double noise, ulong seed)
    {
        float[] left = Random(rows, rank, seed);
        float[] right = Random(rank, columns, seed + 1);
        float[] extra = Random(rows, columns, seed + 2);
        var a = new float[rows * columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                double sum = 0;
                for (int k = 0; k < rank; k++)
                {
                    sum += left[(i * rank) + k] * right[(k * columns) + j] * Math.Pow(0.7, k);
                }

                a[(i * columns) + j] = (float)(sum + (noise * extra[(i * columns) + j]));
            }
        }

        return a;
    }

    private static double[] MathNetSingularValues(float[] a, int rows, int columns) =>
        [.. Matrix<double>.Build.Dense(rows, columns, (i, j) => a[(i * columns) + j]).Svd(computeVectors: false).S];

    private static double ReconstructionError(float[] a, SvdFactors f)
    {
        double sum = 0;
        for (int i = 0; i < f.Rows; i++)
        {
            for (int j = 0; j < f.Columns; j++)
            {
                double approx = 0;
                for (int k = 0; k < f.Rank; k++)
                {
                    approx += (double)f.U[(i * f.Rank) + k] * f.S[k] * f.Vt[(k * f.Columns) + j];
                }

                double d = a[(i * f.Columns) + j] - approx;
                sum += d * d;
            }
        }

        return Math.Sqrt(sum);
    }

    [TestCase(30, 20, 5)]
    [TestCase(20, 30, 7)]
    [TestCase(40, 40, 40)]
    public void Exact_MatchesMathNet_AndMeetsTheEckartYoungBound(int rows, int columns, int rank)
    {
        float[] a = Random(rows, columns, 3);
        double[] expected = MathNetSingularValues(a, rows, columns);

        SvdFactors f = TruncatedSvd.Compute(a, rows, columns, rank, SvdMethod.Exact);

        double bound = Math.Sqrt(expected.Skip(rank).Sum(s => s * s));
        Assert.Multiple(() =>
        {
            Assert.That(f.S, Has.Length.EqualTo(rank));
            for (int k = 0; k < rank; k++)
            {
                Assert.That(f.S[k], Is.EqualTo(expected[k]).Within(1e-4 * expected[0]), $"sigma {k}");
            }

            // float32 factors: the error matches the bound to float precision relative to ||A||.
            Assert.That(ReconstructionError(a, f), Is.EqualTo(bound).Within(1e-4 * expected[0] * Math.Sqrt(rows)));
        });
    }

    [Test]
    public void Randomized_OnADecayingSpectrum_FindsTheLeadingTriplets()
    {
        // 12 strong directions (scaled 0.7^k) over a noise floor: the sketch of 10 + 16 columns captures them.
        const int Rows = 300;
        const int Columns = 200;
        const int Rank = 10;
        float[] a = LowRankPlusNoise(Rows, Columns, 12, 0.01, 5);
        double[] expected = MathNetSingularValues(a, Rows, Columns);

        SvdFactors f = TruncatedSvd.Compute(a, Rows, Columns, Rank, SvdMethod.Randomized);

        double bound = Math.Sqrt(expected.Skip(Rank).Sum(s => s * s));
        Assert.Multiple(() =>
        {
            for (int k = 0; k < Rank; k++)
            {
                Assert.That(f.S[k], Is.EqualTo(expected[k]).Within(1e-3 * expected[0]), $"sigma {k}");
            }

            // Randomized is near-optimal, never better than the optimum: within 1 % of the bound here.
            double error = ReconstructionError(a, f);
            Assert.That(error, Is.GreaterThanOrEqualTo(bound * 0.999));
            Assert.That(error, Is.LessThanOrEqualTo(bound * 1.01));
        });
    }

    [Test]
    public void SingularValues_MatchMathNet()
    {
        float[] a = Random(25, 15, 9);
        double[] expected = MathNetSingularValues(a, 25, 15);

        float[] actual = TruncatedSvd.SingularValues(a, 25, 15);

        Assert.That(actual.Select(v => (double)v), Is.EqualTo(expected).Within(1e-4 * expected[0]));
    }

    [Test]
    public void Compute_RejectsARankAboveTheSmallerSide() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TruncatedSvd.Compute(new float[6], 2, 3, 3));
}
