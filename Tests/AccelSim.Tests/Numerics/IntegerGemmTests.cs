using AccelSim.Numerics;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Numerics;

/// <summary>Every integer kernel against the independent implementation of the spec and against each other, bit for
/// bit; the vector kernel where the CPU has it (inconclusive elsewhere), the portable ones everywhere.</summary>
public sealed class IntegerGemmTests
{
    private static readonly IntegerKernel[] Kernels = Enum.GetValues<IntegerKernel>();

    private static IEnumerable<TestCaseData> Shapes()
    {
        // K = 27 (below one 64-byte step), 64 + 9·… (tails), 1,152 (several steps); filters odd and even, beyond one block
        // of 32; columns not a multiple of 4 and beyond one block of 64; groups; FC at batch 1 and 3.
        yield return new TestCaseData(new ConvShape(1, 3, 9, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1)).SetName("K27_5filters_81columns");
        yield return new TestCaseData(new ConvShape(2, 8, 7, 9, 35, 3, 3, 2, 1, 0, 1, 1, 0, 1, 1, 1)).SetName("K72_35filters_batch2");
        yield return new TestCaseData(new ConvShape(1, 128, 5, 5, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1)).SetName("K1152_33filters_25columns");
        yield return new TestCaseData(new ConvShape(1, 12, 6, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2)).SetName("K54_groups2");
        yield return new TestCaseData(ConvShape.FullyConnected(1, 1000, 67)).SetName("FC1000x67_batch1");
        yield return new TestCaseData(ConvShape.FullyConnected(3, 130, 9)).SetName("FC130x9_batch3");
    }

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (TestCaseData shape in Shapes())
        {
            foreach (IntegerKernel kernel in Kernels)
            {
                foreach ((string scheme, BlockPartition w, BlockPartition i) in new[]
                {
                    ("6-11", BlockPartition.Row, BlockPartition.Tensor), ("6-12", BlockPartition.Row, BlockPartition.Column), ("6-9", BlockPartition.Tensor, BlockPartition.Tensor),
                })
                {
                    foreach (int mantissa in new[] { 8, 5 })
                    {
                        yield return new TestCaseData(shape.Arguments[0], kernel, w, i, mantissa)
                            .SetName($"{shape.TestName}_{kernel}_{scheme}_L{mantissa}");
                    }
                }
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Convolve_WithEachKernel_MatchesTheInt16PairKernelBitForBit(ConvShape g, IntegerKernel kernel, BlockPartition weights, BlockPartition inputs, int mantissaBits)
    {
        Assume.That(IntegerGemm.IsSupported(kernel), $"{kernel} does not run on this CPU");
        var random = new Random(g.Reduction + g.OutChannels);
        var format = new BfpFormat(5, mantissaBits);
        var s = new BfpSettings(format, format, weights, inputs, RoundingMode.NearestEven, null, 1);
        float[] input = Values(random, g.InputLength, 3);
        float[] w = Values(random, g.WeightLength, 0.5);
        float[] bias = Values(random, g.OutChannels, 1);
        var quantized = BfpDatapath.QuantizeWeights(g, w, s, "layer");

        var actual = BfpDatapath.Convolve(g, input, quantized, bias, s, "layer", 2, captureInput: true, kernel: kernel);
        var oneThread = BfpDatapath.Convolve(g, input, quantized, bias, s, "layer", 1, captureInput: true, kernel: kernel);
        var pairs = BfpDatapath.Convolve(g, input, quantized, bias, s, "layer", 2, captureInput: true, kernel: IntegerKernel.Pairs16);

        Assert.Multiple(() =>
        {
            Assert.That(actual.Output.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(pairs.Output.Select(BitConverter.SingleToInt32Bits)), "against the int16-pair kernel");
            Assert.That(oneThread.Output, Is.EqualTo(actual.Output), "one thread");
            Assert.That(actual.InputSaturations, Is.EqualTo(pairs.InputSaturations), "input saturations");
            Assert.That(actual.InputStepPower, Is.EqualTo(pairs.InputStepPower), "input step power");
            Assert.That(actual.InputSignalPower, Is.EqualTo(pairs.InputSignalPower), "input signal power");
            Assert.That(actual.InputConversions, Is.EqualTo(pairs.InputConversions), "conversions");
            Assert.That(actual.CapturedInputMantissas, Is.EqualTo(pairs.CapturedInputMantissas), "captured mantissas");
            Assert.That(actual.CapturedInputExponents, Is.EqualTo(pairs.CapturedInputExponents), "captured exponents");
        });
    }

    [TestCase(IntegerKernel.Vnni)]
    [TestCase(IntegerKernel.PackedScalar)]
    [TestCase(IntegerKernel.Pairs16)]
    [TestCase(IntegerKernel.OneDnn)]
    public void Convolve_WithEachKernel_MatchesAnIndependentImplementationOfTheSpec(IntegerKernel kernel)
    {
        Assume.That(IntegerGemm.IsSupported(kernel), $"{kernel} does not run on this CPU");
        // Small enough for the spec's literal implementation (it gathers every block element by element); 5 filters
        // and 21 columns leave an odd filter and a column tail; K = 36 is under one 64-byte step.
        var g = new ConvShape(1, 4, 7, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        foreach (BlockPartition inputs in new[] { BlockPartition.Tensor, BlockPartition.Column })
        {
            var random = new Random(11);
            var s = new BfpSettings(new BfpFormat(5, 8), new BfpFormat(5, 8), BlockPartition.Row, inputs, RoundingMode.NearestEven, null, 1);
            float[] input = Values(random, g.InputLength, 3);
            float[] w = Values(random, g.WeightLength, 0.5);
            float[] bias = Values(random, g.OutChannels, 1);

            var actual = BfpDatapath.Convolve(g, input, BfpDatapath.QuantizeWeights(g, w, s, "layer"), bias, s, "layer", 2, kernel: kernel);
            var expected = NaiveBfp.Convolve(g, input, w, bias, s);

            Assert.That(actual.Output.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(expected.Output.Select(BitConverter.SingleToInt32Bits)), inputs.Kind.ToString());
        }
    }

    [TestCase(IntegerKernel.Vnni, 127, 127)]
    [TestCase(IntegerKernel.Vnni, -127, 127)]
    [TestCase(IntegerKernel.Vnni, 127, -127)]
    [TestCase(IntegerKernel.PackedScalar, -127, -127)]
    [TestCase(IntegerKernel.OneDnn, 127, 127)]
    [TestCase(IntegerKernel.OneDnn, 127, -127)]
    [TestCase(IntegerKernel.OneDnn, -127, 127)]
    public void Dot_AtTheExtremesOverMoreThanOneWideningChunk_StaysExact(IntegerKernel kernel, int x, int w)
    {
        Assume.That(IntegerGemm.IsSupported(kernel), $"{kernel} does not run on this CPU");
        // 600,000 products: more than one chunk of 16,384 instructions × 32 bytes = 524,288 between widenings, and
        // more than nine of oneDNN's calls of 66,304 bytes of K. At x = +127 the offset byte is 255, so each instruction
        // adds 4 · 255 · 127 to a lane and each oneDNN call sums 66,304 · 255 · 127 = 2,147,255,040: the bounds of the proofs.
        const int k = 600_000;
        int padded = IntegerGemm.PaddedLength(k);
        (sbyte[] bytes, long[] rowSums) = IntegerGemm.PackWeights(Enumerable.Repeat((short)w, 2 * k).ToArray(), 2, k);
        byte[] columns = new byte[4 * padded];
        for (int c = 0; c < 4; c++)
        {
            IntegerGemm.PackColumn(Enumerable.Repeat((short)x, k).ToArray(), columns.AsSpan(c * padded, padded));
        }

        long expected = (long)k * x * w;
        var sums = new long[8];
        IntegerGemm.Dot2x4(kernel, bytes.AsSpan(0, padded), bytes.AsSpan(padded, padded), rowSums[0], rowSums[1],
            columns.AsSpan(0, padded), columns.AsSpan(padded, padded), columns.AsSpan(2 * padded, padded), columns.AsSpan(3 * padded, padded), sums);

        Assert.Multiple(() =>
        {
            Assert.That(IntegerGemm.Dot(kernel, bytes.AsSpan(0, padded), rowSums[0], columns.AsSpan(0, padded)), Is.EqualTo(expected));
            Assert.That(sums, Is.All.EqualTo(expected));
        });
    }

    [Test]
    public void Dot_OfRandomMantissas_EqualsTheShortScalarSum_ForEveryKernel()
    {
        var random = new Random(7);
        const int k = 4_099;
        short[] a = Enumerable.Range(0, k).Select(_ => (short)random.Next(-127, 128)).ToArray();
        short[] b = Enumerable.Range(0, k).Select(_ => (short)random.Next(-127, 128)).ToArray();
        (sbyte[] bytes, long[] rowSums) = IntegerGemm.PackWeights(a, 1, k);
        byte[] column = new byte[IntegerGemm.PaddedLength(k)];
        IntegerGemm.PackColumn(b, column);
        long expected = IntegerDot.DotScalar(a, b);

        foreach (IntegerKernel kernel in Kernels.Where(k => k != IntegerKernel.Pairs16 && IntegerGemm.IsSupported(k)))
        {
            Assert.That(IntegerGemm.Dot(kernel, bytes, rowSums[0], column), Is.EqualTo(expected), kernel.ToString());
        }
    }

    [TestCase(20, 3, 2 * 66_304 + 100, 2)]
    [TestCase(5, 70, 1_000, 2)]
    [TestCase(7, 70, 1_000, 1)]
    public void Multiply_TileByTile_GivesEverySumOnce_AsTheScalarDot_PreparingEachColumnOnceBeforeItIsRead(int rows, int count, int k, int threads)
    {
        Assume.That(IntegerGemm.IsSupported(IntegerKernel.OneDnn), "oneDNN is not available here");
        // 3 columns against 20 rows are cut along rows (tiles of 16 and 4) and K = 132,708 takes three oneDNN calls of at
        // most 66,304 bytes; 70 columns on two threads are cut along columns (35 and 35), on one thread not at all. The
        // columns start as garbage and are copied in by the preparation callback, which must come first and once.
        var random = new Random(rows + count);
        short[] a = Enumerable.Range(0, rows * k).Select(_ => (short)random.Next(-127, 128)).ToArray();
        (sbyte[] bytes, long[] rowSums) = IntegerGemm.PackWeights(a, rows, k);
        int padded = IntegerGemm.PaddedLength(k);
        byte[] packed = new byte[count * padded];
        for (int n = 0; n < count; n++)
        {
            IntegerGemm.PackColumn(Enumerable.Range(0, k).Select(_ => (short)random.Next(-127, 128)).ToArray(), packed.AsSpan(n * padded, padded));
        }

        byte[] columns = Enumerable.Repeat((byte)0x5A, count * padded).ToArray();
        var prepared = new int[count];

        var sums = new long[count * rows];
        var seen = new int[count * rows];
        IntegerGemm.Multiply(bytes, rowSums, rows, columns, count, threads, (firstColumn, columnCount, firstRow, rowCount, tile) =>
        {
            for (int n = 0; n < columnCount; n++)
            {
                for (int m = 0; m < rowCount; m++)
                {
                    int index = ((firstColumn + n) * rows) + firstRow + m;
                    sums[index] = tile[(n * rowCount) + m];
                    Interlocked.Increment(ref seen[index]);
                }
            }
        },
        (firstColumn, columnCount) =>
        {
            packed.AsSpan(firstColumn * padded, columnCount * padded).CopyTo(columns.AsSpan(firstColumn * padded));
            for (int n = firstColumn; n < firstColumn + columnCount; n++)
            {
                Interlocked.Increment(ref prepared[n]);
            }
        });

        Assert.That(seen, Is.All.EqualTo(1), "every sum handed over once");
        Assert.That(prepared, Is.All.EqualTo(1), "every column prepared once");
        for (int n = 0; n < count; n++)
        {
            for (int m = 0; m < rows; m++)
            {
                long expected = IntegerGemm.Dot(IntegerKernel.PackedScalar, bytes.AsSpan(m * padded, padded), rowSums[m], columns.AsSpan(n * padded, padded));
                Assert.That(sums[(n * rows) + m], Is.EqualTo(expected), $"column {n}, row {m}");
            }
        }
    }

    [Test]
    public void PackWeightsAndPackColumn_InWindowOrder_GiveTheSameSumsAsInKOrder()
    {
        // K = 7 channels × a 3×3 window = 63; stored position-major (j = c·9 + p at p·7 + c) on both sides.
        var random = new Random(5);
        const int k = 63;
        short[] a = Enumerable.Range(0, 2 * k).Select(_ => (short)random.Next(-127, 128)).ToArray();
        short[] b = Enumerable.Range(0, k).Select(_ => (short)random.Next(-127, 128)).ToArray();
        (sbyte[] plain, long[] plainSums) = IntegerGemm.PackWeights(a, 2, k);
        (sbyte[] windowed, long[] windowedSums) = IntegerGemm.PackWeights(a, 2, k, window: 9);
        int padded = IntegerGemm.PaddedLength(k);
        byte[] column = new byte[padded];
        byte[] windowedColumn = new byte[padded];
        IntegerGemm.PackColumn(b, column);
        IntegerGemm.PackColumn(b, windowedColumn, window: 9);

        Assert.Multiple(() =>
        {
            // j = 10 is channel 1, position 1: stored at 1·7 + 1 = 8.
            Assert.That(windowed[8], Is.EqualTo((sbyte)a[10]));
            Assert.That(windowedColumn[8], Is.EqualTo((byte)(b[10] + 128)));
            Assert.That(windowedSums, Is.EqualTo(plainSums));
            for (int row = 0; row < 2; row++)
            {
                long expected = IntegerDot.DotScalar(a.AsSpan(row * k, k), b);
                Assert.That(IntegerGemm.Dot(IntegerKernel.PackedScalar, plain.AsSpan(row * padded, padded), plainSums[row], column), Is.EqualTo(expected));
                Assert.That(IntegerGemm.Dot(IntegerKernel.PackedScalar, windowed.AsSpan(row * padded, padded), windowedSums[row], windowedColumn), Is.EqualTo(expected));
            }
        });
    }

    [TestCase(RoundingMode.NearestEven)]
    [TestCase(RoundingMode.TowardZero)]
    [TestCase(RoundingMode.TowardPositive)]
    [TestCase(RoundingMode.TowardNegative)]
    public void Convolve_UnderEachDeterministicRounding_MatchesTheSpec(RoundingMode rounding)
    {
        // The map under `tensor` is converted four values at a time; 4·7·5 = 140 values leave no tail, 3·7·5 = 105 one of 1.
        foreach (var g in new[] { new ConvShape(1, 4, 7, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1), new ConvShape(1, 3, 7, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1) })
        {
            var random = new Random(13);
            var s = new BfpSettings(new BfpFormat(5, 4), new BfpFormat(5, 4), BlockPartition.Row, BlockPartition.Tensor, rounding, null, 1);
            float[] input = Values(random, g.InputLength, 3);
            float[] w = Values(random, g.WeightLength, 0.5);
            float[] bias = Values(random, g.OutChannels, 1);

            var actual = BfpDatapath.Convolve(g, input, BfpDatapath.QuantizeWeights(g, w, s, "layer"), bias, s, "layer", 2);
            var expected = NaiveBfp.Convolve(g, input, w, bias, s);

            Assert.That(actual.Output.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(expected.Output.Select(BitConverter.SingleToInt32Bits)), g.ToString());
            Assert.That(actual.InputSaturations, Is.EqualTo(expected.InputSaturations), g.ToString());
        }
    }

    private static float[] Values(Random random, long count, double scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            // Zeros, dyadic values prone to ties, tiny values that round to zero, and values at full scale.
            values[i] = random.Next(6) switch
            {
                0 => 0f,
                1 => (float)(random.Next(-16, 17) / 8.0 * scale),
                2 => (float)(random.NextDouble() * 1e-4 * scale),
                _ => (float)((random.NextDouble() - 0.5) * 2 * scale),
            };
        }

        return values;
    }
}
