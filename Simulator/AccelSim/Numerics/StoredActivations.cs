using AccelSim.Workloads;

namespace AccelSim.Numerics;

/// <summary>What a layer's output becomes when it is stored in its <see cref="ActivationStorage"/>: the value the next
/// layer reads (docs/memory.md). The double reference is never rounded.</summary>
public static class StoredActivations
{
    /// <summary>The stream of the stochastic rounding draws of stored maps (the datapath's streams are below it).</summary>
    private const ulong StorageStream = 0x5707_0000UL;

    /// <summary>The values of <paramref name="values"/> ([batch, C, H, W] in C order) as stored in
    /// <paramref name="storage"/>; float32 returns the array itself, every other format a new one.</summary>
    /// <param name="bfp">The writing layer's BFP settings: its input format (or MX format) is the BFP storage format.</param>
    /// <param name="shape">One item's C × H × W: BFP blocks other than <c>tensor</c> and MX blocks run along the channels of one pixel.</param>
    public static float[] Round(float[] values, ActivationStorage storage, BfpSettings bfp, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(bfp);
        return storage switch
        {
            ActivationStorage.Float32 => values,
            ActivationStorage.Float16 => Array.ConvertAll(values, ToHalf),
            ActivationStorage.Bfloat16 => Array.ConvertAll(values, ToBfloat16),
            ActivationStorage.Int8 => ToInt8(values),
            _ => bfp.InputMx is { } mx ? ToMx(values, mx, bfp.Mx, shape) : ToBfp(values, bfp, shape),
        };
    }

    /// <summary>Round to nearest even float16; beyond its largest finite value (65504) the converter saturates.</summary>
    public static float ToHalf(float value) => float.IsNaN(value) ? value : (float)(Half)Math.Clamp(value, (float)Half.MinValue, (float)Half.MaxValue);

    /// <summary>Round to nearest even bfloat16: keep the top 16 bits of the float32.</summary>
    public static float ToBfloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return value;
        }

        uint rounded = (bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF_0000u;
        return BitConverter.UInt32BitsToSingle(rounded);
    }

    /// <summary>Symmetric int8 over the whole tensor: scale s = max |x| / 127, code round_even(x / s) clamped to ±127.</summary>
    public static float[] ToInt8(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        float maxAbs = BfpConverter.MaxAbs(values);
        if (maxAbs == 0)
        {
            return (float[])values.Clone();
        }

        double scale = maxAbs / 127.0;
        return Array.ConvertAll(values, v => (float)(Math.Clamp(Math.Round(v / scale, MidpointRounding.ToEven), -127, 127) * scale));
    }

    /// <summary>BFP in the writer's input format: one block for the whole map (<c>tensor</c>, the whole batch as
    /// BFP-SPEC says), else one per pixel's channels (<c>column</c>) or per G consecutive channels of a pixel (<c>group</c>).</summary>
    private static float[] ToBfp(float[] values, BfpSettings bfp, TensorShape shape)
    {
        var result = new float[values.Length];
        if (bfp.InputPartition.Kind == PartitionKind.Tensor)
        {
            Quantize(values, 0, 1, values.Length, bfp, result);
            return result;
        }

        int block = bfp.InputPartition.Kind == PartitionKind.Group ? bfp.InputPartition.GroupSize : shape.Channels;
        ForEachPixelBlock(values.Length, shape, block, (start, stride, count) => Quantize(values, start, stride, count, bfp, result));
        return result;
    }

    private static float[] ToMx(float[] values, MxFormat format, MxOptions options, TensorShape shape)
    {
        var result = new float[values.Length];
        ForEachPixelBlock(values.Length, shape, format.BlockSize, (start, stride, count) =>
        {
            var block = new float[count];
            for (int i = 0; i < count; i++)
            {
                block[i] = values[start + (i * stride)];
            }

            double[] stored = MxConverter.RoundTrip(block, format, options);
            for (int i = 0; i < count; i++)
            {
                result[start + (i * stride)] = (float)stored[i];
            }
        });
        return result;
    }

    /// <summary>Calls <paramref name="block"/> (first index, stride, count) for each run of up to <paramref name="size"/>
    /// consecutive channels of each pixel of a [batch, C, H, W] map: item b, channel c, pixel p sits at (b·C + c)·P + p.</summary>
    private static void ForEachPixelBlock(int length, TensorShape shape, int size, Action<int, int, int> block)
    {
        int plane = shape.Height * shape.Width;
        int items = (int)(length / shape.Elements);
        for (int b = 0; b < items; b++)
        {
            for (int p = 0; p < plane; p++)
            {
                for (int c0 = 0; c0 < shape.Channels; c0 += size)
                {
                    block((((b * shape.Channels) + c0) * plane) + p, plane, Math.Min(size, shape.Channels - c0));
                }
            }
        }
    }

    /// <summary>BFP-SPEC steps 2–6 over one block of <paramref name="count"/> elements at <paramref name="start"/>,
    /// <paramref name="stride"/> apart.</summary>
    private static void Quantize(float[] values, int start, int stride, int count, BfpSettings bfp, float[] result)
    {
        float maxAbs = 0;
        for (int i = 0; i < count; i++)
        {
            maxAbs = MathF.Max(maxAbs, MathF.Abs(values[start + (i * stride)]));
        }

        BfpFormat format = bfp.Inputs;
        int step = BfpConverter.StepExponent(BfpConverter.SharedExponent(maxAbs, format), format);
        double inverse = BfpConverter.Pow2(-step);
        double delta = BfpConverter.Pow2(step);
        for (int i = 0; i < count; i++)
        {
            int index = start + (i * stride);
            double uniform = bfp.Rounding == RoundingMode.Stochastic ? BfpConverter.Uniform(bfp.StochasticSeed, StorageStream, (ulong)index) : 0;
            result[index] = (float)(BfpConverter.Quantize(values[index], inverse, format.MaxMantissa, bfp.Rounding, uniform, out _) * delta);
        }
    }
}
