using AccelSim.Mapping;

namespace AccelSim.Tests.Mapping;

public sealed class RowStationaryPeModelTests
{
    // (array rows, array cols, r, S, e, F, Uh, Uw, Dh, Dw, q): square and rectangular arrays, sets that fill the array or
    // are replicated on it, one filter row, stride 2, dilation 2, stride beyond the taps, FC (1×1 on 1×1), several
    // channels per PE (q), including rows that stream slower than their MACs (W > F·S).
    private static readonly object[] Passes =
    [
        new object[] { 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1 },
        new object[] { 4, 4, 3, 3, 4, 6, 1, 1, 1, 1, 1 },
        new object[] { 4, 4, 4, 4, 4, 4, 1, 1, 1, 1, 1 },
        new object[] { 4, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1 },
        new object[] { 4, 4, 2, 3, 2, 5, 1, 1, 1, 1, 1 },
        new object[] { 3, 5, 3, 3, 5, 4, 2, 2, 1, 1, 1 },
        new object[] { 5, 3, 2, 3, 3, 4, 1, 1, 2, 2, 1 },
        new object[] { 6, 4, 3, 2, 2, 3, 1, 4, 1, 1, 1 },
        new object[] { 6, 4, 3, 3, 4, 3, 2, 1, 2, 1, 1 },
        new object[] { 12, 14, 11, 11, 14, 5, 4, 4, 1, 1, 1 },
        new object[] { 12, 14, 5, 5, 13, 7, 1, 1, 1, 1, 1 },
        new object[] { 2, 8, 1, 3, 8, 4, 2, 2, 1, 1, 1 },
        new object[] { 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 3 },
        new object[] { 4, 4, 1, 1, 1, 1, 1, 1, 1, 1, 5 },
        new object[] { 6, 4, 3, 2, 2, 3, 1, 4, 1, 1, 2 },
        new object[] { 5, 3, 2, 3, 3, 4, 2, 2, 2, 2, 4 },
        new object[] { 3, 5, 1, 2, 5, 3, 1, 5, 1, 1, 3 },
        new object[] { 3, 5, 3, 3, 5, 6, 1, 1, 1, 1, 2 },
    ];

    [TestCaseSource(nameof(Passes))]
    public void ClosedForm_EqualsThePeModel_CycleForCycle(int rows, int cols, int r, int s, int e, int f, int uh, int uw, int dh, int dw, int q)
    {
        var pass = new RowStationaryPass(r, s, e, f, uh, uw, dh, dw, q);
        int sets = pass.Replicas(rows, cols);

        RowStationaryPeModel.PassRun run = RowStationaryPeModel.Run(pass, rows, cols, Enumerable.Range(0, sets).Select(k => Operands(pass, k)).ToList());

        Assert.Multiple(() =>
        {
            Assert.That(run.Cycles, Is.EqualTo(pass.Cycles));
            Assert.That(RowStationaryPeModel.PassCycles(pass, rows, cols), Is.EqualTo(pass.Cycles));
            Assert.That(run.Macs, Is.EqualTo(sets * (long)r * e * q * f * s), "every PE does q·F·S MACs");
            Assert.That(run.RegisterFileAccesses, Is.EqualTo(sets * (long)r * e * pass.RegisterFileAccessesPerPe));
            for (int k = 0; k < sets; k++)
            {
                Assert.That(run.Outputs[k], Is.EqualTo(Reference(pass, Operands(pass, k))).Within(1e-9), $"set {k}'s output rows");
            }
        });
    }

    [Test]
    public void TinyPass_ByHand()
    {
        // r = S = 3, e = F = 2, unit stride and dilation, on a 4×4 array: one set (4/3 = 1 row of sets, 4/2 = 2 side by
        // side: 2 sets). Each PE makes 2 outputs × 3 taps = 6 MACs, one per cycle: its MACs end at cycle 5 + d, d its
        // diagonal position (PE(2, j) and PE(i, 0) are first on theirs, d = 0; PE(1, 1) and PE(0, 1) receive via one link,
        // d = 1). The bottom PE hands psum 1 up at cycle 6, PE(1, ·) adds at 7, PE(0, ·) at 8 (PE(0, 1), done at cycle 6,
        // is ready in time): the last output leaves at cycle 8, so the pass takes 9 cycles = F·S + 0 + r = 6 + 3.
        // RF per PE: 4·6 + 3 + 4 (stream (2−1)·1 + (3−1)·1 + 1 = 4) = 31; 2 sets × 6 PEs × 31 = 372.
        var pass = new RowStationaryPass(3, 3, 2, 2);

        RowStationaryPeModel.PassRun run = RowStationaryPeModel.Run(pass, 4, 4, [Operands(pass, 0), Operands(pass, 1)]);

        Assert.Multiple(() =>
        {
            Assert.That(pass.Replicas(4, 4), Is.EqualTo(2));
            Assert.That(pass.StreamLength, Is.EqualTo(4));
            Assert.That(run.Cycles, Is.EqualTo(9));
            Assert.That(pass.Cycles, Is.EqualTo(9));
            Assert.That(run.Macs, Is.EqualTo(2 * 6 * 6));
            Assert.That(run.RegisterFileAccesses, Is.EqualTo(372));
        });
    }

    [Test]
    public void StreamStalls_ByHand()
    {
        // Dilation 2, S = 3, F = 2: taps of output 0 need elements 0, 2, 4; the first PE gets element 4 at cycle 4 but
        // would do that MAC at cycle 2: (S−1)(D−1) = 2 stall cycles, then output 1 (elements 1, 3, 5) streams behind:
        // 6 MACs + 2 + r (1) = 9. Stride 5 over S = 2 taps, F = 3: each window waits for 5 new elements but does 2
        // MACs: (F−1)·(U−S) = 6 stall cycles: 6 + 6 + 1 = 13.
        var dilated = new RowStationaryPass(1, 3, 1, 2, DilationWidth: 2);
        var strided = new RowStationaryPass(1, 2, 1, 3, StrideWidth: 5);

        Assert.Multiple(() =>
        {
            Assert.That(dilated.Cycles, Is.EqualTo(9));
            Assert.That(RowStationaryPeModel.PassCycles(dilated, 1, 1), Is.EqualTo(9));
            Assert.That(strided.Cycles, Is.EqualTo(13));
            Assert.That(RowStationaryPeModel.PassCycles(strided, 1, 1), Is.EqualTo(13));
        });
    }

    [Test]
    public void SeveralChannelsPerPe_ByHand()
    {
        // q = 3 channels of a 1-row, 1-output, 3-tap set: 9 MACs; each channel's row is W = 3 = F·S elements, so the
        // stream keeps up (no stall): 9 + 0 + 1 = 10 cycles. With stride 5, S = 2, F = 2, q = 2: W = 7 elements a row
        // against 4 MACs: per row (F−1)(U−S) = 3 stall cycles, and the second row waits (q−1)(W−F·S) = 3 more:
        // 8 + 6 + 1 = 15.
        var keeps = new RowStationaryPass(1, 3, 1, 1, Channels: 3);
        var slow = new RowStationaryPass(1, 2, 1, 2, StrideWidth: 5, Channels: 2);

        Assert.Multiple(() =>
        {
            Assert.That(keeps.Cycles, Is.EqualTo(10));
            Assert.That(RowStationaryPeModel.PassCycles(keeps, 1, 1), Is.EqualTo(10));
            Assert.That(slow.StreamLength, Is.EqualTo(7));
            Assert.That(slow.Cycles, Is.EqualTo(15));
            Assert.That(RowStationaryPeModel.PassCycles(slow, 1, 1), Is.EqualTo(15));
        });
    }

    [Test]
    public void ASetLargerThanTheArray_IsRejected()
    {
        Assert.That(() => RowStationaryPeModel.Run(new RowStationaryPass(5, 3, 2, 2), 4, 4, []), Throws.ArgumentException);
    }

    /// <summary>Distinct, non-zero operands per set and channel, so a value that went to the wrong PE changes an output.</summary>
    private static RowStationaryPeModel.SetOperands Operands(RowStationaryPass pass, int set)
    {
        double[][][] filter = Enumerable.Range(0, pass.Channels).Select(c => Enumerable.Range(0, pass.FilterRows)
            .Select(i => Enumerable.Range(0, pass.FilterCols).Select(s => 1 + set + (0.5 * i) + (0.25 * s) + (0.125 * c)).ToArray()).ToArray()).ToArray();
        return new RowStationaryPeModel.SetOperands(filter,
            (c, h) => Enumerable.Range(0, pass.StreamLength).Select(w => ((h * 7) + (w * 3) + set + (c * 5)) % 11 - 5.0).ToArray());
    }

    /// <summary>The set's 2-D convolution computed directly: out[j][x] = Σ_c Σ_i Σ_s filter[c][i][s] · row(c, i·Dh + j·Uh)[x·Uw + s·Dw].</summary>
    private static double[][] Reference(RowStationaryPass pass, RowStationaryPeModel.SetOperands operands)
    {
        var result = new double[pass.OutRows][];
        for (int j = 0; j < pass.OutRows; j++)
        {
            result[j] = new double[pass.OutCols];
            for (int x = 0; x < pass.OutCols; x++)
            {
                for (int c = 0; c < pass.Channels; c++)
                {
                    for (int i = 0; i < pass.FilterRows; i++)
                    {
                        double[] row = operands.InputRow(c, (i * pass.DilationHeight) + (j * pass.StrideHeight));
                        for (int s = 0; s < pass.FilterCols; s++)
                        {
                            result[j][x] += operands.FilterRows[c][i][s] * row[(x * pass.StrideWidth) + (s * pass.DilationWidth)];
                        }
                    }
                }
            }
        }

        return result;
    }
}
