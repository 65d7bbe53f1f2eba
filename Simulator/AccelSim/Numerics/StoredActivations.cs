using System.Runtime.Intrinsics;
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
        return storage == ActivationStorage.Float32 ? values : Round(values, storage, bfp, shape, new float[values.Length]);
    }

    /// <summary><see cref="Round(float[], ActivationStorage, BfpSettings, TensorShape)"/> written over
    /// <paramref name="values"/> (a layer's own output, which nothing reads unrounded): no fresh array to fault in.</summary>
    public static float[] RoundInPlace(float[] values, ActivationStorage storage, BfpSettings bfp, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        return storage == ActivationStorage.Float32 ? values : Round(values, storage, bfp, shape, values);
    }

    /// <summary>Writes each stored value into <paramref name="result"/> (which may be <paramref name="values"/>): every
    /// element is read before its own index is written, and blocks do not overlap.</summary>
    private static float[] Round(float[] values, ActivationStorage storage, BfpSettings bfp, TensorShape shape, float[] result)
    {
        ArgumentNullException.ThrowIfNull(bfp);
        switch (storage)
        {
            case ActivationStorage.Float16:
                ToHalf(values, result);
                break;
            case ActivationStorage.Bfloat16:
                ToBfloat16(values, result);
                break;
            case ActivationStorage.Int8:
                ToInt8(values, result);
                break;
            default:
                if (bfp.InputMx is { } mx)
                {
                    ToMx(values, mx, bfp.Mx, shape, result);
                }
                else
                {
                    ToBfp(values, bfp, shape, result);
                }

                break;
        }

        return result;
    }

    /// <summary><see cref="ToHalf(float)"/> of every value, eight at a time where the CPU has 256-bit vectors: the
    /// same bits (held to the scalar conversion by the tests).</summary>
    /// <remarks>Half normals (|x| ≥ 2^-14) keep 11 significant bits by rounding the float32's bits to nearest even at
    /// bit 13; half subnormals sit on the grid 2^-24, so round(x · 2^24) · 2^-24 rounds them (both scalings exact).
    /// Clamping to ±65504 first keeps every result finite, as the scalar converter does.</remarks>
    public static void ToHalf(ReadOnlySpan<float> values, Span<float> result)
    {
        if (result.Length < values.Length)
        {
            throw new ArgumentException($"{values.Length} values need as many results, {result.Length} given", nameof(result));
        }

        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var largest = Vector256.Create((float)Half.MaxValue);
            var smallestNormal = Vector256.Create(MathF.Pow(2, -14));
            var up = Vector256.Create(16_777_216f); // 2^24
            var down = Vector256.Create(1f / 16_777_216f);
            var sign = Vector256.Create(0x8000_0000u);
            var half = Vector256.Create(0xFFFu);
            var one = Vector256.Create(1u);
            var keep = Vector256.Create(~0x1FFFu);
            for (; i + Vector256<float>.Count <= values.Length; i += Vector256<float>.Count)
            {
                Vector256<float> x = Vector256.Create(values[i..]);
                Vector256<uint> bits = x.AsUInt32();
                Vector256<float> magnitude = Vector256.Min(Vector256.Abs(x), largest);
                Vector256<uint> m = magnitude.AsUInt32();
                Vector256<float> normal = ((m + half + ((m >> 13) & one)) & keep).AsSingle();
                Vector256<float> subnormal = Vector256.Round(magnitude * up) * down;
                Vector256<float> rounded = Vector256.ConditionalSelect(Vector256.LessThan(magnitude, smallestNormal), subnormal, normal);
                Vector256<float> signed = (rounded.AsUInt32() | (bits & sign)).AsSingle();
                Vector256.ConditionalSelect(Vector256.Equals(x, x), signed, x).CopyTo(result[i..]);
            }
        }

        for (; i < values.Length; i++)
        {
            result[i] = ToHalf(values[i]);
        }
    }

    /// <summary><see cref="ToBfloat16(float)"/> of every value, eight at a time where the CPU has 256-bit vectors.</summary>
    public static void ToBfloat16(ReadOnlySpan<float> values, Span<float> result)
    {
        if (result.Length < values.Length)
        {
            throw new ArgumentException($"{values.Length} values need as many results, {result.Length} given", nameof(result));
        }

        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var half = Vector256.Create(0x7FFFu);
            var one = Vector256.Create(1u);
            var keep = Vector256.Create(0xFFFF_0000u);
            for (; i + Vector256<float>.Count <= values.Length; i += Vector256<float>.Count)
            {
                Vector256<float> x = Vector256.Create(values[i..]);
                Vector256<uint> bits = x.AsUInt32();
                Vector256<float> rounded = ((bits + half + ((bits >> 16) & one)) & keep).AsSingle();
                Vector256.ConditionalSelect(Vector256.Equals(x, x), rounded, x).CopyTo(result[i..]);
            }
        }

        for (; i < values.Length; i++)
        {
            result[i] = ToBfloat16(values[i]);
        }
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
        var result = new float[values.Length];
        ToInt8(values, result);
        return result;
    }

    private static void ToInt8(float[] values, float[] result)
    {
        float maxAbs = BfpConverter.MaxAbs(values);
        if (maxAbs == 0)
        {
            values.CopyTo(result, 0);
            return;
        }

        double scale = maxAbs / 127.0;
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = (float)(Math.Clamp(Math.Round(values[i] / scale, MidpointRounding.ToEven), -127, 127) * scale);
        }
    }

    /// <summary>BFP in the writer's input format: one block for the whole map (<c>tensor</c>, the whole batch as
    /// BFP-SPEC says), else one per pixel's channels (<c>column</c>) or per G consecutive channels of a pixel (<c>group</c>).</summary>
    private static void ToBfp(float[] values, BfpSettings bfp, TensorShape shape, float[] result)
    {
        if (bfp.InputPartition.Kind == PartitionKind.Tensor)
        {
            Quantize(values, 0, 1, values.Length, bfp, result);
            return;
        }

        int block = bfp.InputPartition.Kind == PartitionKind.Group ? bfp.InputPartition.GroupSize : shape.Channels;
        ForEachPixelBlock(values.Length, shape, block, (start, stride, count) => Quantize(values, start, stride, count, bfp, result));
    }

    private static void ToMx(float[] values, MxFormat format, MxOptions options, TensorShape shape, float[] result)
    {
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
