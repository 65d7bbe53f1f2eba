using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using AccelSim.Workloads;
using System.Runtime.Intrinsics.X86;

namespace AccelSim.Numerics;

/// <summary>The float reference: the same convolution in double precision from the float32 weights.</summary>
/// <remarks>Each output is summed by one thread in a fixed order (four vector lanes over K, then the lanes in order,
/// then the tail), so results do not depend on the thread count.</remarks>
public static class ReferenceDatapath
{
    private const int ColumnsPerTile = 16;

    public static double[] Convolve(ConvShape g, ReadOnlySpan<double> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int maxDegreeOfParallelism)
    {
        if (input.Length != g.InputLength || weights.Length != g.WeightLength)
        {
            throw new ArgumentException($"input {input.Length} (expected {g.InputLength}) or weights {weights.Length} (expected {g.WeightLength}) do not match the layer");
        }

        float[] w = weights.ToArray();
        double[] inputCopy = input.ToArray();
        float[] biasCopy = bias.ToArray();
        var output = new double[g.OutputLength];
        int k = g.Reduction;
        int columns = g.Batch * g.PixelsPerItem;
        int tilesPerGroup = (columns + ColumnsPerTile - 1) / ColumnsPerTile;
        Parallel.For(0, g.Groups * tilesPerGroup, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxDegreeOfParallelism) },
            () => Enumerable.Range(0, ColumnsPerTile).Select(_ => new double[k]).ToArray(),
            (tile, _, buffers) =>
            {
                int group = tile / tilesPerGroup;
                int first = (tile % tilesPerGroup) * ColumnsPerTile;
                int count = Math.Min(ColumnsPerTile, columns - first);
                for (int c = 0; c < count; c++)
                {
                    int n = first + c;
                    g.Im2Col<double>(inputCopy, n / g.PixelsPerItem, group, (n % g.PixelsPerItem) / g.OutWidth, n % g.OutWidth, buffers[c]);
                }

                for (int f = 0; f < g.GroupFilters; f++)
                {
                    int m = (group * g.GroupFilters) + f;
                    var row = w.AsSpan(m * k, k);
                    double b = biasCopy.Length == 0 ? 0 : biasCopy[m];
                    for (int c = 0; c < count; c++)
                    {
                        int n = first + c;
                        long index = ((((long)(n / g.PixelsPerItem) * g.OutChannels) + m) * g.PixelsPerItem) + (n % g.PixelsPerItem);
                        output[index] = Dot(row, buffers[c]) + b;
                    }
                }

                return buffers;
            },
            _ => { });
        return output;
    }

    /// <summary>Σ a[i]·b[i] in double (float32 weights widened exactly) with a fixed summation order.</summary>
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<double> b)
    {
        int i = 0;
        double total = 0;
        if (Avx.IsSupported && a.Length >= 8)
        {
            ref float pa = ref MemoryMarshal.GetReference(a);
            ref double pb = ref MemoryMarshal.GetReference(b);
            Vector256<double> acc0 = Vector256<double>.Zero;
            Vector256<double> acc1 = Vector256<double>.Zero;
            for (; i <= a.Length - 8; i += 8)
            {
                Vector256<float> weights = Vector256.LoadUnsafe(ref pa, (nuint)i);
                acc0 = Vector256.FusedMultiplyAdd(Avx.ConvertToVector256Double(weights.GetLower()), Vector256.LoadUnsafe(ref pb, (nuint)i), acc0);
                acc1 = Vector256.FusedMultiplyAdd(Avx.ConvertToVector256Double(weights.GetUpper()), Vector256.LoadUnsafe(ref pb, (nuint)(i + 4)), acc1);
            }

            Vector256<double> acc = acc0 + acc1;
            total = acc[0] + acc[1] + acc[2] + acc[3];
        }

        for (; i < a.Length; i++)
        {
            total += (double)a[i] * b[i];
        }

        return total;
    }
}
