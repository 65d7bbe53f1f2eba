using System.Numerics;
using System.Runtime.Intrinsics;
using AccelSim.Workloads;

namespace AccelSim.Numerics;

/// <summary>The vector unit's operations, in float32 for the BFP path and in double for the reference.</summary>
/// <remarks>Padding never wins a max and is not counted by an average (the divisor is the in-bounds count).
/// ReLU maps −0.0 to +0.0.</remarks>
public static class Activations
{
    /// <summary>max(x, 0) where x &gt; 0 is true, else +0 (so −0 and NaN become +0), a vector at a time.</summary>
    public static void Relu(Span<float> values) => Relu<float>(values);

    /// <inheritdoc cref="Relu(Span{float})"/>
    public static void Relu(Span<double> values) => Relu<double>(values);

    private static void Relu<T>(Span<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<T>.Count <= values.Length; i += Vector256<T>.Count)
            {
                Vector256<T> x = Vector256.Create<T>(values[i..]);
                (x & Vector256.GreaterThan(x, Vector256<T>.Zero)).CopyTo(values[i..]);
            }
        }

        for (; i < values.Length; i++)
        {
            values[i] = values[i] > T.Zero ? values[i] : T.Zero;
        }
    }

    /// <summary>Stacks per-item tensors along the channels: item by item, each part's <c>C_i·H·W</c> values in turn.</summary>
    /// <param name="parts">Each input, <paramref name="batch"/> items of its own channel count times the shared plane.</param>
    public static T[] Concat<T>(IReadOnlyList<T[]> parts, int batch)
    {
        ArgumentNullException.ThrowIfNull(parts);
        int total = parts.Sum(p => p.Length);
        var result = new T[total];
        int at = 0;
        for (int item = 0; item < batch; item++)
        {
            foreach (T[] part in parts)
            {
                int perItem = part.Length / batch;
                Array.Copy(part, item * perItem, result, at, perItem);
                at += perItem;
            }
        }

        return result;
    }

    public static float[] Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        CheckSameLength(a.Length, b.Length);
        var sum = new float[a.Length];
        for (int i = 0; i < sum.Length; i++)
        {
            sum[i] = a[i] + b[i];
        }

        return sum;
    }

    public static double[] Add(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        CheckSameLength(a.Length, b.Length);
        var sum = new double[a.Length];
        for (int i = 0; i < sum.Length; i++)
        {
            sum[i] = a[i] + b[i];
        }

        return sum;
    }

    /// <summary>Max pooling of <paramref name="input"/> (NCHW, <see cref="PoolShape.InputLength"/> values): each output is
    /// its window's largest in-bounds value.</summary>
    public static float[] MaxPool2d(ReadOnlySpan<float> input, PoolShape shape)
    {
        var output = new float[shape.OutputLength];
        Pool(input, shape, output, (acc, v) => MathF.Max(acc, v), (acc, _) => acc, float.NegativeInfinity);
        return output;
    }

    /// <summary>Average pooling of <paramref name="input"/> (NCHW, <see cref="PoolShape.InputLength"/> values): each output is
    /// its window's in-bounds sum divided by the in-bounds count.</summary>
    public static float[] AvgPool2d(ReadOnlySpan<float> input, PoolShape shape)
    {
        var output = new float[shape.OutputLength];
        Pool(input, shape, output, (acc, v) => acc + v, (acc, n) => acc / n, 0f);
        return output;
    }

    /// <summary>Max pooling in double, for the reference path; as the float32 overload.</summary>
    public static double[] MaxPool2d(ReadOnlySpan<double> input, PoolShape shape)
    {
        var output = new double[shape.OutputLength];
        Pool(input, shape, output, Math.Max, (acc, _) => acc, double.NegativeInfinity);
        return output;
    }

    /// <summary>Average pooling in double, for the reference path; as the float32 overload.</summary>
    public static double[] AvgPool2d(ReadOnlySpan<double> input, PoolShape shape)
    {
        var output = new double[shape.OutputLength];
        Pool(input, shape, output, (acc, v) => acc + v, (acc, n) => acc / n, 0.0);
        return output;
    }

    private static void Pool<T>(ReadOnlySpan<T> input, PoolShape w, Span<T> output, Func<T, T, T> combine, Func<T, int, T> finish, T start)
    {
        int index = 0;
        for (int plane = 0; plane < w.Planes; plane++)
        {
            int planeStart = plane * w.InHeight * w.InWidth;
            for (int oh = 0; oh < w.OutHeight; oh++)
            {
                for (int ow = 0; ow < w.OutWidth; ow++)
                {
                    T acc = start;
                    int count = 0;
                    for (int r = 0; r < w.KernelHeight; r++)
                    {
                        int ih = (oh * w.StrideHeight) - w.PadTop + r;
                        if (ih < 0 || ih >= w.InHeight)
                        {
                            continue;
                        }

                        for (int s = 0; s < w.KernelWidth; s++)
                        {
                            int iw = (ow * w.StrideWidth) - w.PadLeft + s;
                            if (iw >= 0 && iw < w.InWidth)
                            {
                                acc = combine(acc, input[planeStart + (ih * w.InWidth) + iw]);
                                count++;
                            }
                        }
                    }

                    output[index++] = finish(acc, count);
                }
            }
        }
    }

    private static void CheckSameLength(int a, int b)
    {
        if (a != b)
        {
            throw new ArgumentException($"operands have {a} and {b} elements; an elementwise add needs equal shapes");
        }
    }
}
