namespace AccelSim.Mapping;

/// <summary>The shape of one row-stationary pass: every logical PE set on the array does one unit of this shape.</summary>
/// <param name="FilterRows">r: filter rows of the pass (PE rows of a set).</param>
/// <param name="FilterCols">S: taps of a filter row.</param>
/// <param name="OutRows">e: output rows of the strip (PE columns of a set).</param>
/// <param name="OutCols">F: outputs of a row.</param>
/// <param name="Channels">q: input channels a PE convolves one after another in the pass, accumulating their psums in its
/// register file (Eyeriss's q; one filter per PE, p = 1).</param>
public readonly record struct RowStationaryPass(
    int FilterRows, int FilterCols, int OutRows, int OutCols, int StrideHeight = 1, int StrideWidth = 1, int DilationHeight = 1, int DilationWidth = 1,
    int Channels = 1)
{
    /// <summary>MACs one PE does in a pass: q channels × F outputs × S taps, one per cycle.</summary>
    public long MacsPerPe => (long)Channels * OutCols * FilterCols;

    /// <summary>Elements of the ifmap row streamed to a PE: the span its F windows cover, (F−1)·U + (S−1)·D + 1.</summary>
    public int StreamLength => ((OutCols - 1) * StrideWidth) + ((FilterCols - 1) * DilationWidth) + 1;

    /// <summary>Cycles a PE waits for ifmap elements beyond its MAC cycles: (S−1)(D−1) for a dilated row (the last tap
    /// of the first window arrives after the first S MAC slots), plus (F−1)·max(0, U−S) when the stride outruns the
    /// taps (each window waits for U new elements but does only S MACs), plus (q−1)·max(0, W−F·S) when a channel's row
    /// of W elements takes longer to stream than its F·S MACs.</summary>
    public long StreamStallCycles => ((long)(FilterCols - 1) * (DilationWidth - 1)) + ((long)(OutCols - 1) * Math.Max(0, StrideWidth - FilterCols))
        + ((long)(Channels - 1) * Math.Max(0, StreamLength - ((long)OutCols * FilterCols)));

    /// <summary>Cycles of one pass, closed form: q·F·S + stall + r.</summary>
    /// <remarks>
    /// Derivation (checked against <see cref="RowStationaryPeModel"/>): the q channels' rows stream back to back; element
    /// w of the stream enters the first PE of its diagonal at cycle w and reaches a PE d links further at w + d. MAC
    /// n = c·F·S + x·S + s of a PE needs element c·W + x·U + s·D, so PE(i, j)'s last MAC is at N − 1 + d + max over n of
    /// (element(n) − n) = N − 1 + d + stall (N = q·F·S; the maximum is separable in c, x and s).
    /// The psum of output x climbs the set's column: the bottom PE hands it on the cycle after it completes, each PE
    /// above adds its own the cycle after both are ready, so the top PE has the last output at max_i(last MAC_i + i + 1).
    /// Along a diagonal the row index falls by at least one per link, so d + i ≤ r − 1, with equality for the bottom
    /// PE (d = 0): the last output is at N − 1 + stall + r, and the pass takes one cycle more.
    /// </remarks>
    public long Cycles => MacsPerPe + StreamStallCycles + FilterRows;

    /// <summary>Cycles of a pass in which no MAC completes on a PE (psum climb and stream stalls): what fill and drain cost.</summary>
    public long FillDrainCycles => Cycles - MacsPerPe;

    /// <summary>Register-file accesses of one PE in a pass.</summary>
    /// <remarks>q·S filter writes and q streamed rows' writes fill the RF; each MAC reads a weight, an ifmap element and
    /// writes its psum, and reads the psum except for an output's very first tap; each of the F finished psums is read
    /// once to climb the column: 4·N − F + F + q·S + q·W = 4·N + q·(S + W).</remarks>
    public long RegisterFileAccessesPerPe => (4 * MacsPerPe) + ((long)Channels * (FilterCols + StreamLength));

    /// <summary>Logical sets of this shape that fit on an arrayRows × arrayCols array side by side.</summary>
    public int Replicas(int arrayRows, int arrayCols) => (arrayRows / FilterRows) * (arrayCols / OutRows);
}

/// <summary>A literal model of a row-stationary PE array (Eyeriss): PEs with register files, filter rows broadcast along
/// PE rows, ifmap rows moving along diagonals one PE per cycle, psums climbing the columns. Every cycle is simulated and
/// the values are real, as the check on <see cref="RowStationaryPass.Cycles"/>.</summary>
/// <remarks>
/// A logical set is r × e PEs; PE(i, j) (i the filter row, j the output row of the strip) keeps filter row i and
/// computes the 1-D convolution of ifmap row h = i·Dh + j·Uh with it: F outputs × S taps, one MAC per cycle, output by
/// output. Filter element s reaches all PEs of a set row at cycle s (a row bus). The PEs that use the same ifmap row
/// form a diagonal: ordered by column, the row index falls along it (PE(i, j) → PE(i − 1, j + 1) for unit stride and
/// dilation); the row's elements enter its first PE one per cycle from the buffer (padding zeros generated at the edge)
/// and hop one link per cycle. A PE does its next MAC when its operands have arrived. Psums of output x climb the column:
/// the bottom PE hands its psum on the cycle after it completes; a PE above adds its own psum to the one from below with
/// its accumulate adder the cycle after both are there, and the top PE's sum leaves the array. Sets placed side by side
/// run the same schedule on their own operands.
/// </remarks>
public static class RowStationaryPeModel
{
    /// <summary>The operands of one logical set: its filter rows per channel (q × r × S) and the ifmap rows it reads,
    /// (channel, local row h = i·Dh + j·Uh), each as streamed (<see cref="RowStationaryPass.StreamLength"/> elements,
    /// padding as zeros).</summary>
    public sealed record SetOperands(double[][][] FilterRows, Func<int, int, double[]> InputRow);

    /// <summary>What a pass did.</summary>
    /// <param name="Cycles">Cycles from the first injection to the cycle the last output leaves the array, inclusive.</param>
    /// <param name="Outputs">Per set, the e × F output-row psums of its unit.</param>
    /// <param name="Macs">MACs performed.</param>
    /// <param name="RegisterFileAccesses">RF reads and writes, as <see cref="RowStationaryPass.RegisterFileAccessesPerPe"/> counts them.</param>
    public sealed record PassRun(long Cycles, double[][][] Outputs, long Macs, long RegisterFileAccesses);

    /// <summary>The cycles of a pass with every set of the array busy (values zero).</summary>
    public static long PassCycles(RowStationaryPass pass, int arrayRows, int arrayCols)
    {
        int sets = pass.Replicas(arrayRows, arrayCols);
        var zeros = new SetOperands(
            Enumerable.Range(0, pass.Channels).Select(_ => Enumerable.Range(0, pass.FilterRows).Select(_ => new double[pass.FilterCols]).ToArray()).ToArray(),
            (_, _) => new double[pass.StreamLength]);
        return Run(pass, arrayRows, arrayCols, Enumerable.Repeat(zeros, Math.Max(1, sets)).ToList()).Cycles;
    }

    /// <summary>Runs one pass: each of <paramref name="sets"/> on its own block of r × e PEs of the array, all in lock-step.</summary>
    public static PassRun Run(RowStationaryPass pass, int arrayRows, int arrayCols, IReadOnlyList<SetOperands> sets)
    {
        ArgumentNullException.ThrowIfNull(sets);
        int r = pass.FilterRows;
        int s = pass.FilterCols;
        int e = pass.OutRows;
        int f = pass.OutCols;
        if (r > arrayRows || e > arrayCols)
        {
            throw new ArgumentException($"a {r}x{e} set does not fit a {arrayRows}x{arrayCols} array", nameof(pass));
        }

        if (sets.Count > pass.Replicas(arrayRows, arrayCols))
        {
            throw new ArgumentException($"{sets.Count} sets do not fit: at most {pass.Replicas(arrayRows, arrayCols)}", nameof(sets));
        }

        int q = pass.Channels;
        int rowLength = pass.StreamLength;
        int stream = q * rowLength;
        var pes = new Pe[sets.Count, r, e];
        for (int k = 0; k < sets.Count; k++)
        {
            for (int i = 0; i < r; i++)
            {
                for (int j = 0; j < e; j++)
                {
                    int row = (i * pass.DilationHeight) + (j * pass.StrideHeight);
                    int setIndex = k;

                    // The previous PE on this row's diagonal: the nearest column to the left whose PE reads the same row.
                    int predecessor = -1;
                    for (int jj = j - 1; jj >= 0 && predecessor < 0; jj--)
                    {
                        int rest = row - (jj * pass.StrideHeight);
                        if (rest % pass.DilationHeight == 0 && rest / pass.DilationHeight < r)
                        {
                            predecessor = rest / pass.DilationHeight;
                            pes[k, i, j] = new Pe(f, q * s, stream) { FromRow = predecessor, FromCol = jj };
                        }
                    }

                    if (predecessor < 0)
                    {
                        // The entry PE streams the q channels' rows back to back.
                        double[] rows = Enumerable.Range(0, q).SelectMany(c => sets[setIndex].InputRow(c, row)).ToArray();
                        pes[k, i, j] = new Pe(f, q * s, stream) { FromRow = -1, InputRow = rows };
                    }
                }
            }
        }

        var outputs = new double[sets.Count][][];
        for (int k = 0; k < sets.Count; k++)
        {
            outputs[k] = Enumerable.Range(0, e).Select(_ => new double[f]).ToArray();
        }

        long macs = 0;
        long rf = 0;
        long emitted = 0;
        long expected = (long)sets.Count * e * f;
        long cycle = 0;
        for (; emitted < expected; cycle++)
        {
            if (cycle > 10L * (pass.Cycles + stream))
            {
                throw new InvalidOperationException($"row-stationary pass stuck at cycle {cycle}");
            }

            for (int k = 0; k < sets.Count; k++)
            {
                // Ifmap movement first: the links carry last cycle's arrivals (read before this cycle's are written).
                for (int j = e - 1; j >= 0; j--)
                {
                    for (int i = 0; i < r; i++)
                    {
                        Pe pe = pes[k, i, j];
                        (bool valid, double value) incoming = pe.FromRow < 0
                            ? cycle < stream ? (true, pe.InputRow![cycle]) : (false, 0)
                            : pes[k, pe.FromRow, pe.FromCol].Link;
                        pe.NextLink = incoming;
                        if (incoming.valid)
                        {
                            pe.Ifmap[pe.Received++] = incoming.value;
                            rf++;
                        }
                    }
                }

                for (int i = 0; i < r; i++)
                {
                    for (int j = 0; j < e; j++)
                    {
                        Pe pe = pes[k, i, j];
                        pe.Link = pe.NextLink;

                        // Filter element `cycle` (channel cycle / S, tap cycle mod S) arrives on the row bus.
                        if (cycle < q * s)
                        {
                            pe.Filter[cycle] = sets[k].FilterRows[(int)cycle / s][i][cycle % s];
                            pe.FilterReceived++;
                            rf++;
                        }

                        if (pe.NextMac < q * f * s)
                        {
                            int channel = pe.NextMac / (f * s);
                            int x = pe.NextMac % (f * s) / s;
                            int tap = pe.NextMac % s;
                            int element = (channel * rowLength) + (x * pass.StrideWidth) + (tap * pass.DilationWidth);
                            int weight = (channel * s) + tap;
                            if (weight < pe.FilterReceived && element < pe.Received)
                            {
                                double product = pe.Filter[weight] * pe.Ifmap[element];
                                bool first = channel == 0 && tap == 0;
                                pe.Psum[x] = first ? product : pe.Psum[x] + product;
                                rf += first ? 3 : 4;
                                macs++;
                                if (channel == q - 1 && tap == s - 1)
                                {
                                    pe.DoneAt[x] = cycle;
                                }

                                pe.NextMac++;
                            }
                        }
                    }
                }

                // Psums climb, bottom first, so a value handed up this cycle is seen above only next cycle.
                for (int j = 0; j < e; j++)
                {
                    for (int i = r - 1; i >= 0; i--)
                    {
                        Pe pe = pes[k, i, j];
                        int x = pe.NextUp;
                        if (x >= f || pe.DoneAt[x] < 0 || pe.DoneAt[x] >= cycle)
                        {
                            continue;
                        }

                        Pe? below = i < r - 1 ? pes[k, i + 1, j] : null;
                        if (below is not null && (below.SentAt.Count <= x || below.SentAt[x] >= cycle))
                        {
                            continue;
                        }

                        double sum = pe.Psum[x] + (below?.Sent[x] ?? 0);
                        rf++;
                        pe.Sent.Add(sum);
                        pe.SentAt.Add(cycle);
                        pe.NextUp++;
                        if (i == 0)
                        {
                            outputs[k][j][x] = sum;
                            emitted++;
                        }
                    }
                }
            }
        }

        return new PassRun(cycle, outputs, macs, rf);
    }

    private sealed class Pe(int outputs, int taps, int stream)
    {
        public int FromRow { get; init; }

        public int FromCol { get; init; }

        public double[]? InputRow { get; init; }

        public double[] Filter { get; } = new double[taps];

        public int FilterReceived { get; set; }

        public double[] Ifmap { get; } = new double[stream];

        public int Received { get; set; }

        public (bool Valid, double Value) Link { get; set; }

        public (bool Valid, double Value) NextLink { get; set; }

        public double[] Psum { get; } = new double[outputs];

        public long[] DoneAt { get; } = Enumerable.Repeat(-1L, outputs).ToArray();

        public int NextMac { get; set; }

        public int NextUp { get; set; }

        public List<double> Sent { get; } = [];

        public List<long> SentAt { get; } = [];
    }
}
