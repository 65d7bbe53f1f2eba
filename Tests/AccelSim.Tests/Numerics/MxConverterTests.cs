using AccelSim.Numerics;

namespace AccelSim.Tests.Numerics;

/// <summary>The MX and NVFP4 converters: the worked examples of docs/mx-formats.md (arithmetic beside each), then every
/// element format against <see cref="MxReference"/> over exhaustive and random inputs.</summary>
public sealed class MxConverterTests
{
    private static readonly MxOptions Spec = MxOptions.Default;
    private static readonly MxOptions Library = new(MxRounding.NearestAway, MxScaleRule.Library);

    private static double[] RoundTrip(MxFormat format, MxOptions options, params float[] values) => MxConverter.RoundTrip(values, format, options);

    private static MxBlock Block(MxFormat format, MxOptions options, float[] values, out long[] codes)
    {
        codes = new long[values.Length];
        return MxConverter.ConvertMx(values, format.Element, options, codes);
    }

    [Test]
    public void ElementFormats_HaveTheSpecificationsRanges()
    {
        Assert.Multiple(() =>
        {
            // Largest normals: 1.75·2^8, 1.75·2^15, 1.75·2^4, 1.875·2^2, 1.5·2^2, 127/64.
            Assert.That(MxElementFormat.E4M3.MaxNormal, Is.EqualTo(448));
            Assert.That(MxElementFormat.E5M2.MaxNormal, Is.EqualTo(57344));
            Assert.That(MxElementFormat.E3M2.MaxNormal, Is.EqualTo(28));
            Assert.That(MxElementFormat.E2M3.MaxNormal, Is.EqualTo(7.5));
            Assert.That(MxElementFormat.E2M1.MaxNormal, Is.EqualTo(6));
            Assert.That(MxElementFormat.Int8.MaxNormal, Is.EqualTo(127 / 64.0));
            // emax_elem, the exponent the shared scale subtracts: 8, 15, 4, 2, 2, 0 (OCP v1.0 table of element types).
            Assert.That(MxFormat.All.Take(6).Select(f => f.Element.Emax), Is.EqualTo(new[] { 0, 8, 15, 4, 2, 2 }));
            // Smallest subnormals: 2^-9, 2^-16, 2^-4, 2^-3, 2^-1; INT8's step 2^-6.
            Assert.That(MxFormat.All.Take(6).Select(f => f.Element.UnitExponent), Is.EqualTo(new[] { -6, -9, -16, -4, -3, -1 }));
            // 32 elements of 8 bits and one 8-bit scale: 264 bits, 8.25 per element; NVFP4: 16·4 + 8 = 72, 4.5 per element.
            Assert.That(MxFormat.MxFp8E4M3.BlockBits / 32.0, Is.EqualTo(8.25));
            Assert.That(MxFormat.Nvfp4.BlockBits / 16.0, Is.EqualTo(4.5));
        });
    }

    [Test]
    public void Mxfp8Example_ScaleFromTheMaximumThenEachElementRounded()
    {
        // max 300: floor(log2 300) = 8, X = 8 − emax 8 = 0 (E8M0 code 127). 300 lies in [256, 512), step 2^(8−3) = 32:
        // 300/32 = 9.375 → 9 → 288. 1.0 is exact. 0.1 lies in [2^−4, 2^−3), step 2^−7: 0.1·128 = 12.8 → 13 → 0.1015625.
        // 0.0006 is below the smallest normal 2^−6, step 2^−9: 0.0006·512 = 0.31 → 0.
        MxBlock block = Block(MxFormat.MxFp8E4M3, Spec, [300f, 1f, -0.1f, 0.0006f], out _);
        Assert.That(block.ScaleCode, Is.EqualTo(127));
        Assert.That(RoundTrip(MxFormat.MxFp8E4M3, Spec, 300f, 1f, -0.1f, 0.0006f), Is.EqualTo(new[] { 288, 1, -0.1015625, 0 }));
    }

    [Test]
    public void Ties_GoToEvenBySpecAndAwayFromZeroInTheLibraryMode()
    {
        // Block [17]: X = 4 − 8 = −4; 17·2^4 = 272 = 8.5 steps of 32: even → 256 (16 after scaling), away → 288 (18).
        Assert.That(RoundTrip(MxFormat.MxFp8E4M3, Spec, 17f), Is.EqualTo(new[] { 16.0 }));
        Assert.That(RoundTrip(MxFormat.MxFp8E4M3, Library, 17f), Is.EqualTo(new[] { 18.0 }));
        // MXFP4 [0.3, −2.5, 5, 1.1]: X = 2 − 2 = 0. 0.3 → 0.5; −2.5 halfway between 2 (mantissa bit 0) and 3 → −2;
        // 5 halfway between 4 (bit 0) and 6 → 4; 1.1 → 1. Away from zero: −3 and 6.
        Assert.That(RoundTrip(MxFormat.MxFp4E2M1, Spec, 0.3f, -2.5f, 5f, 1.1f), Is.EqualTo(new[] { 0.5, -2, 4, 1 }));
        Assert.That(RoundTrip(MxFormat.MxFp4E2M1, Library, 0.3f, -2.5f, 5f, 1.1f), Is.EqualTo(new[] { 0.5, -3, 6, 1 }));
    }

    [Test]
    public void BeyondTheLargestNormal_SaturatesAndIsCounted()
    {
        // [511, 1]: X = 8 − 8 = 0; 511/32 = 15.97 → 16 → 512 > 448: saturated to 448. 1 is exact.
        MxBlock block = Block(MxFormat.MxFp8E4M3, Spec, [511f, 1f], out long[] codes);
        Assert.That(block.Saturations, Is.EqualTo(1));
        Assert.That(MxConverter.Decode(codes[0], block), Is.EqualTo(448));
        // Toward zero never saturates: 511/32 → 15 → 480 would exceed 448 too, so 448 is the largest value ≤ 511.
        Assert.That(RoundTrip(MxFormat.MxFp8E4M3, new MxOptions(MxRounding.TowardZero), 511f, -511f), Is.EqualTo(new[] { 448.0, -448.0 }));
    }

    [Test]
    public void MaximumJustBelowAPowerOfTwo_SpecUsesTheExactExponentTheLibraryItsFloat32Log2()
    {
        float max = MathF.BitDecrement(512f); // 511.99997
        // Exact: floor(log2) = 8, X = 0, 511.99997 saturates to 448 (an error of 64). The library's float32 log2 is
        // 9 − 8.6e−8, which rounds to 9.0: X = 1, 255.99998 rounds up to 256, read back as 512 (an error of 3e−5).
        Assert.That(MxConverter.SharedExponent(max, MxElementFormat.E4M3, MxScaleRule.Spec), Is.EqualTo(0));
        Assert.That(MxConverter.SharedExponent(max, MxElementFormat.E4M3, MxScaleRule.Library), Is.EqualTo(1));
        Assert.That(RoundTrip(MxFormat.MxFp8E4M3, Spec, max), Is.EqualTo(new[] { 448.0 }));
        Assert.That(RoundTrip(MxFormat.MxFp8E4M3, Library, max), Is.EqualTo(new[] { 512.0 }));
    }

    [Test]
    public void AllZeroBlock_ScaleCodeZeroBySpec_LibraryTakesTheSmallestFloat32Normal()
    {
        float[] zeros = new float[32];
        // Spec: log2 0 = −∞, clamped to −127 (code 0). Library: floor(log2 2^−126) − emax: −126 for INT8 (code 1),
        // −134 for E4M3, clamped to −127 (code 0). Every element is 0 either way.
        Assert.Multiple(() =>
        {
            Assert.That(Block(MxFormat.MxInt8, Spec, zeros, out _).ScaleCode, Is.EqualTo(0));
            Assert.That(Block(MxFormat.MxInt8, Library, zeros, out _).ScaleCode, Is.EqualTo(1));
            Assert.That(Block(MxFormat.MxFp8E4M3, Library, zeros, out _).ScaleCode, Is.EqualTo(0));
            Assert.That(RoundTrip(MxFormat.MxFp4E2M1, Spec, zeros), Is.All.EqualTo(0));
        });
    }

    [Test]
    public void BlockMaximumAPowerOfTwo_IsExactAndSetsTheScale()
    {
        // MXINT8 [2, −0.3, 0.01]: floor(log2 2) = 1, X = 1 − 0 = 1; codes round(x/2·64): 64, −9.6 → −10, 0.32 → 0.
        Assert.That(RoundTrip(MxFormat.MxInt8, Spec, 2f, -0.3f, 0.01f), Is.EqualTo(new[] { 2, -0.3125, 0 }));
        // MXFP6 E3M2 [4]: X = 2 − 4 = −2, 4·4 = 16 = 2^4, exact.
        Assert.That(RoundTrip(MxFormat.MxFp6E3M2, Spec, 4f), Is.EqualTo(new[] { 4.0 }));
    }

    [Test]
    public void NaNOrInfinityInABlock_GivesTheNaNScaleAndNaNElements()
    {
        MxBlock block = Block(MxFormat.MxFp8E5M2, Spec, [1f, float.PositiveInfinity, 2f], out long[] codes);
        Assert.Multiple(() =>
        {
            Assert.That(block.IsNaN, Is.True);
            Assert.That(block.ScaleCode, Is.EqualTo(255));
            Assert.That(MxConverter.Decode(codes[0], block), Is.NaN);
        });
    }

    [Test]
    public void PartialLastBlock_HasItsOwnScale()
    {
        // 33 values: a block of 32 whose maximum is 64 (X = 6 − 2 = 4 for E2M1) and a block of one, 0.75 (X = −1 − 2 = −3):
        // 0.75·8 = 6, exact. Had it shared the first block's scale, it would have read back as 0.
        float[] row = [.. Enumerable.Repeat(64f, 32), 0.75f];
        double[] back = RoundTrip(MxFormat.MxFp4E2M1, Spec, row);
        Assert.That(back[31], Is.EqualTo(64));
        Assert.That(back[32], Is.EqualTo(0.75));
    }

    [Test]
    public void Nvfp4Example_TwoLevelScale()
    {
        // Tensor maximum 2688 = 6·448: s_T = 1. Block 1 [2688, 100]: S = E4M3(2688/6) = 448; 100/448 = 0.22 → 0.
        // Block 2 [30, 7, −12.5, 2]: S = E4M3(5) = 5 (1.25·2^2); elements 6, 1.4 → 1.5, −2.5 → −2 (tie, even), 0.4 → 0.5.
        // Block 3 [20]: S = E4M3(3.33): step 0.25 in [2, 4), 13.33 → 13 → 3.25; 20/3.25 = 6.15 saturates to 6 → 19.5.
        float[] tensor = new float[48];
        tensor[0] = 2688f;
        tensor[1] = 100f;
        float[] second = [30f, 7f, -12.5f, 2f];
        second.CopyTo(tensor, 16);
        tensor[32] = 20f;
        double[] back = MxConverter.RoundTrip(tensor, MxFormat.Nvfp4, Spec);
        Assert.Multiple(() =>
        {
            Assert.That(back[0..2], Is.EqualTo(new[] { 2688.0, 0 }));
            Assert.That(back[16..20], Is.EqualTo(new[] { 30, 7.5, -10, 2.5 }));
            Assert.That(back[32], Is.EqualTo(19.5));
            Assert.That(MxConverter.Nvfp4TensorScale(2688f), Is.EqualTo(1f));
        });
    }

    /// <summary>Every element format, every rounding mode: a scaled value on, between and beyond the element grid.</summary>
    [Test]
    public void ElementRounding_MatchesTheEnumeratedReference()
    {
        var random = new Random(1717);
        MxRounding[] modes = [MxRounding.NearestEven, MxRounding.NearestAway, MxRounding.TowardZero, MxRounding.TowardPositive, MxRounding.TowardNegative];
        foreach (MxReference.Spec spec in MxReference.All)
        {
            MxElementFormat element = MxFormat.All.First(f => f.Element.Name == spec.Name).Element;
            var values = MxReference.NonNegativeValues(spec).Select(v => v.Value).ToArray();
            var targets = new List<double>();
            for (int i = 0; i + 1 < values.Length; i++)
            {
                // Each value, each midpoint (a tie), and points a quarter of the way on either side of it.
                double mid = (values[i] + values[i + 1]) / 2;
                targets.AddRange([values[i], mid, (values[i] + mid) / 2, (mid + values[i + 1]) / 2]);
            }

            double max = values[^1];
            targets.AddRange([max * 1.01, max * 1.1, max * 1.9, max * 3.99, max * 100]);
            targets.AddRange(Enumerable.Range(0, 200).Select(_ => (random.NextDouble() * 2.2 * max) - (0.1 * max)));
            foreach (MxRounding mode in modes)
            {
                foreach (double t in targets.SelectMany(t => new[] { t, -t }))
                {
                    double expected = MxReference.Round(t, spec, mode);
                    double actual = element.Value(element.Quantize(t, mode, out _));
                    Assert.That(actual, Is.EqualTo(expected), $"{spec.Name} {mode} {t:R}");
                }
            }
        }
    }

    /// <summary>Whole blocks of every MX format against the reference: random magnitudes over a wide range, blocks
    /// with a power-of-two maximum, all-zero blocks, subnormal float32 inputs, partial blocks.</summary>
    [Test]
    public void MxBlocks_MatchTheReference()
    {
        var random = new Random(4242);
        foreach (MxFormat format in MxFormat.All.Where(f => !f.IsNvfp4))
        {
            MxReference.Spec spec = MxReference.All.First(s => s.Name == format.Element.Name);
            for (int trial = 0; trial < 60; trial++)
            {
                int length = trial % 5 == 0 ? random.Next(1, 32) : 32;
                int magnitude = random.Next(-140, 100);
                float[] block = Enumerable.Range(0, length)
                    .Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(2, magnitude + random.Next(-12, 2)))).ToArray();
                if (trial % 7 == 1)
                {
                    block[random.Next(length)] = (float)Math.Pow(2, magnitude); // maximum a power of two
                }

                if (trial % 11 == 2)
                {
                    Array.Clear(block);
                }

                foreach (MxRounding mode in new[] { MxRounding.NearestEven, MxRounding.NearestAway, MxRounding.TowardZero })
                {
                    (double[] expected, int exponent) = MxReference.ConvertMx(block, spec, mode);
                    var codes = new long[length];
                    MxBlock actual = MxConverter.ConvertMx(block, format.Element, new MxOptions(mode), codes);
                    Assert.That(actual.ScaleCode - MxConverter.ScaleBias, Is.EqualTo(exponent), $"{format.Name} trial {trial}");
                    Assert.That(codes.Select(c => MxConverter.Decode(c, actual)), Is.EqualTo(expected), $"{format.Name} trial {trial} {mode}");
                }
            }
        }
    }

    [Test]
    public void Nvfp4Tensors_MatchTheReference()
    {
        var random = new Random(99);
        for (int trial = 0; trial < 40; trial++)
        {
            int length = random.Next(1, 80);
            int magnitude = random.Next(-30, 30);
            float[] tensor = Enumerable.Range(0, length)
                .Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(2, magnitude + random.Next(-8, 2)))).ToArray();
            foreach (MxRounding mode in new[] { MxRounding.NearestEven, MxRounding.NearestAway })
            {
                Assert.That(MxConverter.RoundTrip(tensor, MxFormat.Nvfp4, new MxOptions(mode)), Is.EqualTo(MxReference.ConvertNvfp4(tensor, mode)),
                    $"trial {trial} {mode}");
            }
        }
    }
}
