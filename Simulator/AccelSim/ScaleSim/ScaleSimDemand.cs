using AccelSim.Hardware;

namespace AccelSim.ScaleSim;

/// <summary>SCALE-Sim v2's demand streams, one array cycle (one demand line) at a time, and its prefetch orders.</summary>
/// <remarks>
/// <para>Folds run column fold outer, row fold inner; every fold has the same number of lines (os T + R + C − 2,
/// ws/is 2R + C + T − 2). Within a fold SCALE-Sim builds each operand's demand from the fold's block of the operand
/// matrix, pads unused rows/columns with empty slots, adds the idle lines before or after it, and skews it (slot c
/// delayed by c lines) where the operand enters the array through a skewed edge:</para>
/// <list type="bullet">
/// <item>os (Sr = M, Sc = N, T = K): IFMAP slot c (array row) reads (m = fr·R + c, k = t − c); filter slot c (column)
/// reads (k = t − c, n = fc·C + c); OFMAP slot c writes after T − 1 idle lines the fold's R output rows bottom row
/// first, skewed.</item>
/// <item>ws (Sr = K, Sc = N, T = M): filter lines 0..R−1 load the fold's weight block bottom row first (no skew); IFMAP
/// slot c reads (m = t − R − c, k = fr·R + c); OFMAP slot c writes (m = t − (2R − 1) − c, n = fc·C + c).</item>
/// <item>is (Sr = K, Sc = M, T = N): IFMAP lines 0..R−1 load the fold's input block bottom row first (no skew); filter
/// slot c reads (k = fr·R + c, n = t − R − c); OFMAP slot c writes (m = fc·C + c, n = t − (2R − 1) − c).</item>
/// </list>
/// <para>Only the occupied slots of a line are produced (in slot order, as SCALE-Sim visits them); for the OFMAP only
/// their number matters to the write buffer.</para>
/// </remarks>
internal sealed class ScaleSimDemand
{
    private readonly ScaleSimOperands _operands;
    private readonly int _r;
    private readonly int _c;
    private readonly int _m;
    private readonly int _k;
    private readonly int _n;

    public ScaleSimDemand(Dataflow dataflow, int rows, int cols, ScaleSimOperands operands)
    {
        ArgumentNullException.ThrowIfNull(operands);
        Dataflow = dataflow;
        _operands = operands;
        _r = rows;
        _c = cols;
        _m = operands.Shape.PixelsPerItem;
        _k = operands.Shape.Reduction;
        _n = operands.Shape.OutChannels;
        (int sr, int sc, int t) = dataflow switch
        {
            Dataflow.OutputStationary => (_m, _n, _k),
            Dataflow.WeightStationary => (_k, _n, _m),
            Dataflow.InputStationary => (_k, _m, _n),
            _ => throw new ArgumentOutOfRangeException(nameof(dataflow), dataflow, "SCALE-Sim models os, ws and is"),
        };
        Sr = sr;
        Sc = sc;
        T = t;
        RowFolds = (sr + rows - 1) / rows;
        ColFolds = (sc + cols - 1) / cols;
        LinesPerFold = dataflow == Dataflow.OutputStationary ? t + rows + cols - 2 : (2 * rows) + cols + t - 2;
    }

    public Dataflow Dataflow { get; }

    public int Sr { get; }

    public int Sc { get; }

    public int T { get; }

    public int RowFolds { get; }

    public int ColFolds { get; }

    public int LinesPerFold { get; }

    /// <summary>Slots per IFMAP demand line (the width of its SRAM port).</summary>
    public int IfmapWidth => Dataflow == Dataflow.InputStationary ? _c : _r;

    /// <summary>Slots per filter demand line.</summary>
    public int FilterWidth => Dataflow == Dataflow.InputStationary ? _r : _c;

    private int UsedRows(int fr) => Math.Min(_r, Sr - (fr * _r));

    private int UsedCols(int fc) => Math.Min(_c, Sc - (fc * _c));

    /// <summary>Writes the IFMAP addresses of line <paramref name="t"/> of fold (fc, fr) into <paramref name="into"/>;
    /// returns how many.</summary>
    public int IfmapLine(int fc, int fr, int t, Span<int> into)
    {
        int count = 0;
        switch (Dataflow)
        {
            case Dataflow.OutputStationary:
            {
                // slot c holds k = t − c, for 0 ≤ k < K and the fold's used rows.
                int lo = Math.Max(0, t - _k + 1);
                int hi = Math.Min(UsedRows(fr) - 1, t);
                int m0 = fr * _r;
                for (int c = lo; c <= hi; c++)
                {
                    Add(into, ref count, _operands.Ifmap(m0 + c, t - c));
                }

                break;
            }

            case Dataflow.WeightStationary:
            {
                // slot c holds m = t − R − c after R idle lines.
                int lo = Math.Max(0, t - _r - _m + 1);
                int hi = Math.Min(UsedRows(fr) - 1, t - _r);
                int k0 = fr * _r;
                for (int c = lo; c <= hi; c++)
                {
                    Add(into, ref count, _operands.Ifmap(t - _r - c, k0 + c));
                }

                break;
            }

            default:
            {
                // lines 0..R−1 load the block's rows bottom first: line t is block row R − 1 − t.
                int q = _r - 1 - t;
                if (t < _r && q < UsedRows(fr))
                {
                    int k = (fr * _r) + q;
                    int m0 = fc * _c;
                    int used = UsedCols(fc);
                    for (int c = 0; c < used; c++)
                    {
                        Add(into, ref count, _operands.Ifmap(m0 + c, k));
                    }
                }

                break;
            }
        }

        return count;
    }

    /// <summary>Writes the filter addresses of line <paramref name="t"/> of fold (fc, fr); returns how many.</summary>
    public int FilterLine(int fc, int fr, int t, Span<int> into)
    {
        int count = 0;
        switch (Dataflow)
        {
            case Dataflow.OutputStationary:
            {
                int lo = Math.Max(0, t - _k + 1);
                int hi = Math.Min(UsedCols(fc) - 1, t);
                int n0 = fc * _c;
                for (int c = lo; c <= hi; c++)
                {
                    into[count++] = _operands.Filter(t - c, n0 + c);
                }

                break;
            }

            case Dataflow.WeightStationary:
            {
                int q = _r - 1 - t;
                if (t < _r && q < UsedRows(fr))
                {
                    int k = (fr * _r) + q;
                    int n0 = fc * _c;
                    int used = UsedCols(fc);
                    for (int c = 0; c < used; c++)
                    {
                        into[count++] = _operands.Filter(k, n0 + c);
                    }
                }

                break;
            }

            default:
            {
                int lo = Math.Max(0, t - _r - _n + 1);
                int hi = Math.Min(UsedRows(fr) - 1, t - _r);
                int k0 = fr * _r;
                for (int c = lo; c <= hi; c++)
                {
                    into[count++] = _operands.Filter(k0 + c, t - _r - c);
                }

                break;
            }
        }

        return count;
    }

    /// <summary>How many OFMAP elements line <paramref name="t"/> of fold (fc, fr) writes.</summary>
    public int OfmapCount(int fc, int fr, int t)
    {
        int lo;
        int hi;
        int used;
        if (Dataflow == Dataflow.OutputStationary)
        {
            // unskewed line u = t − c: T − 1 idle lines, then the R output rows bottom first; the unused rows
            // (R − used of them) come first after the flip, so data lines are u ∈ [T − 1 + R − used, T − 1 + R).
            int usedRows = UsedRows(fr);
            lo = t - (T - 1 + _r) + 1;
            hi = t - (T - 1 + _r - usedRows);
            used = UsedCols(fc);
        }
        else
        {
            // 2R − 1 idle lines, then T output lines.
            lo = t - ((2 * _r) - 1) - T + 1;
            hi = t - ((2 * _r) - 1);
            used = UsedCols(fc);
        }

        lo = Math.Max(lo, 0);
        hi = Math.Min(hi, used - 1);
        return Math.Max(0, hi - lo + 1);
    }

    private static void Add(Span<int> into, ref int count, int address)
    {
        if (address >= 0)
        {
            into[count++] = address;
        }
    }

    /// <summary>The IFMAP prefetch order as SCALE-Sim builds it: every fold's block listed once (os: the IFMAP block of
    /// each row fold, T × R; ws: the same, M × R; is: each column fold's K × C block), read anti-diagonally (os, ws) or
    /// row by row (is).</summary>
    public IPrefetchOrder IfmapPrefetch() => Dataflow switch
    {
        // row fr·K + k, column c → (m = fr·R + c, k)
        Dataflow.OutputStationary => Build(RowFolds * _k, _r, diagonal: true, new Element(_operands, _k, _r, _m, ElementKind.IfmapColumnIsM)),
        // row fr·M + m, column c → (m, k = fr·R + c)
        Dataflow.WeightStationary => Build(RowFolds * _m, _r, diagonal: true, new Element(_operands, _m, _r, _k, ElementKind.IfmapColumnIsK)),
        // row fc·K + k, column c → (m = fc·C + c, k)
        _ => Build(ColFolds * _k, _c, diagonal: false, new Element(_operands, _k, _c, _m, ElementKind.IfmapColumnIsM)),
    };

    /// <summary>The filter prefetch order: os each column fold's K × C block, anti-diagonally; ws the same, row by row;
    /// is each row fold's N × R block (transposed filter), anti-diagonally.</summary>
    public IPrefetchOrder FilterPrefetch() => Dataflow switch
    {
        // row fc·K + k, column c → (k, n = fc·C + c)
        Dataflow.OutputStationary or Dataflow.WeightStationary => Build(ColFolds * _k, _c, diagonal: Dataflow == Dataflow.OutputStationary,
            new Element(_operands, _k, _c, _n, ElementKind.FilterColumnIsN)),
        // row fr·N + n, column c → (k = fr·R + c, n)
        _ => Build(RowFolds * _n, _r, diagonal: true, new Element(_operands, _n, _r, _k, ElementKind.FilterColumnIsK)),
    };

    private static GeneratedPrefetchOrder Build(int rows, int cols, bool diagonal, Element at) => new(rows, cols, diagonal, at);

    internal enum ElementKind
    {
        IfmapColumnIsM,
        IfmapColumnIsK,
        FilterColumnIsN,
        FilterColumnIsK,
    }

    // Element (row, col) of a prefetch matrix made of folds stacked vertically: fold = row / inner, r = row mod inner,
    // x = fold · foldWidth + col, empty when x is past the operand's extent.
    internal readonly struct Element(ScaleSimOperands operands, int inner, int foldWidth, int limit, ElementKind kind)
    {
        public int At(int row, int col)
        {
            int fold = row / inner;
            int r = row - (fold * inner);
            int x = (fold * foldWidth) + col;
            if (x >= limit)
            {
                return -1;
            }

            return kind switch
            {
                ElementKind.IfmapColumnIsM => operands.Ifmap(x, r),
                ElementKind.IfmapColumnIsK => operands.Ifmap(r, x),
                ElementKind.FilterColumnIsN => operands.Filter(r, x),
                _ => operands.Filter(x, r),
            };
        }
    }
}

/// <summary>A read buffer's prefetch order: its addresses in order (empty slots left out), read front to back as often
/// as needed, and the length of the order with the empty slots (SCALE-Sim cuts the whole order, empty slots included,
/// into DRAM lines).</summary>
internal interface IPrefetchOrder
{
    /// <summary>How many addresses the order has (empty slots left out).</summary>
    long Count { get; }

    /// <summary>The length of the order, empty slots included.</summary>
    long TotalSlots { get; }

    /// <summary>A reader at the start of the order.</summary>
    IPrefetchReader Open();
}

/// <summary>Reads a prefetch order front to back, one address at a time.</summary>
internal interface IPrefetchReader
{
    /// <summary>The next address; false past the end of the order.</summary>
    bool TryNext(out int address);
}

/// <summary>A prefetch order given as a list: the first <paramref name="Count"/> of <paramref name="Addresses"/> and the
/// length of the order with its empty slots.</summary>
internal sealed record PrefetchOrder(int[] Addresses, int Count, long TotalSlots) : IPrefetchOrder
{
    long IPrefetchOrder.Count => Count;

    public IPrefetchReader Open() => new Reader(this);

    private sealed class Reader(PrefetchOrder order) : IPrefetchReader
    {
        private int _next;

        public bool TryNext(out int address)
        {
            if (_next < order.Count)
            {
                address = order.Addresses[_next++];
                return true;
            }

            address = -1;
            return false;
        }
    }
}

/// <summary>A prefetch order generated as it is read, so that it takes no memory however many folds the layer has: the
/// elements of a rows × cols matrix of folds, by anti-diagonals (d = row + col increasing, each from its bottom row
/// up) or row by row, empty elements left out.</summary>
internal sealed class GeneratedPrefetchOrder : IPrefetchOrder
{
    private readonly int _rows;
    private readonly int _cols;
    private readonly bool _diagonal;
    private readonly ScaleSimDemand.Element _at;

    public GeneratedPrefetchOrder(int rows, int cols, bool diagonal, ScaleSimDemand.Element at)
    {
        (_rows, _cols, _diagonal, _at) = (rows, cols, diagonal, at);
        TotalSlots = (long)rows * cols;

        // One pass to count the addresses: the read buffer's set count depends on it before anything is read.
        long count = 0;
        IPrefetchReader reader = Open();
        while (reader.TryNext(out _))
        {
            count++;
        }

        Count = count;
    }

    public long Count { get; }

    public long TotalSlots { get; }

    public IPrefetchReader Open() => new Reader(this);

    private sealed class Reader(GeneratedPrefetchOrder order) : IPrefetchReader
    {
        // Diagonal: _major = d, _minor = row (walking down from min(d, rows − 1)); else _major = row, _minor = col.
        private int _major;
        private int _minor = order._diagonal ? 0 : -1;
        private bool _started;
        private bool _done;

        public bool TryNext(out int address)
        {
            while (!_done && Advance())
            {
                int a = order._diagonal ? order._at.At(_minor, _major - _minor) : order._at.At(_major, _minor);
                if (a >= 0)
                {
                    address = a;
                    return true;
                }
            }

            _done = true;
            address = -1;
            return false;
        }

        // Moves to the next element of the matrix; false past the last one.
        private bool Advance()
        {
            int rows = order._rows;
            int cols = order._cols;
            if (rows == 0 || cols == 0)
            {
                return false;
            }

            if (!order._diagonal)
            {
                if (++_minor < cols)
                {
                    return _major < rows;
                }

                _minor = 0;
                return ++_major < rows;
            }

            if (!_started)
            {
                _started = true;
                _major = 0;
                _minor = 0;
                return true;
            }

            if (_minor - 1 >= Math.Max(0, _major - cols + 1))
            {
                _minor--;
                return true;
            }

            if (++_major >= rows + cols - 1)
            {
                return false;
            }

            _minor = Math.Min(_major, rows - 1);
            return true;
        }
    }
}
