namespace AccelSim.ScaleSim;

/// <summary>An IFMAP or filter SRAM as SCALE-Sim v2 models it: serves one demand line per call and keeps the DRAM
/// figures of its backing port.</summary>
internal interface IScaleSimReadBuffer
{
    /// <summary>Serves the addresses of one demand line requested at <paramref name="cycle"/>; returns the cycle the
    /// line is served (cycle + 1 on a hit, later when it waited for DRAM).</summary>
    long Service(ReadOnlySpan<int> addresses, long cycle);

    /// <summary>Called once after the last line.</summary>
    void Complete();

    long DramReads { get; }

    /// <summary>First and last cycle of the DRAM trace (responses); 0 when nothing was fetched.</summary>
    long DramStartCycle { get; }

    long DramStopCycle { get; }
}

/// <summary>SCALE-Sim's read buffer in USER bandwidth mode: double-buffered (half active, half prefetch), filled from
/// DRAM in the operand's prefetch order at Bandwidth words per cycle.</summary>
/// <remarks>
/// <para>The prefetch order is cut into DRAM lines of Bandwidth slots (empty slots included) and its addresses into
/// sets of ⌈words/100⌉ (a set counts repeats of an address). The active window holds ⌈active/set⌉ sets, the prefetch
/// half ⌈prefetch/set⌉; they are a circular window over the sets.</para>
/// <list type="bullet">
/// <item>Before cycle 0 the active half is fetched: min(⌈active/BW⌉, lines) lines ending at cycle −1 (1-cycle port
/// latency), so the DRAM start cycle is minus that line count.</item>
/// <item>An address is a hit when a set in the window holds it: served at request + 1.</item>
/// <item>On a miss the window moves on by the prefetch sets (wrapping round to the start of the order, which re-fetches
/// data used again in later folds) and ⌈prefetch/BW⌉ lines are fetched, one per cycle, starting the cycle after the
/// previous fetch ended, whenever that was; the line waits until that fetch ends (plus 1). This repeats until the address
/// is in the window.</item>
/// <item>DRAM reads count whole lines × BW, empty slots included.</item>
/// </list>
/// </remarks>
internal sealed class ScaleSimUserReadBuffer : IScaleSimReadBuffer
{
    private const int HitLatencyCycles = 1;
    private const int PortLatencyCycles = 1;

    private readonly int _bandwidth;
    private readonly long _activeWords;
    private readonly long _prefetchWords;
    private readonly long _fetchLines;
    private readonly int _sets;
    private readonly IWindow _window;

    private bool _filled;
    private long _lastFetchCycle;

    /// <param name="indexLimitAddresses">Orders of at most this many addresses are indexed (address → sets, fast to
    /// look up, memory growing with the order); longer ones are streamed (read again as the window moves on, memory
    /// bounded by the window). Both give the same results.</param>
    public ScaleSimUserReadBuffer(long capacityWords, int bandwidthWords, IPrefetchOrder order, int addressCount,
        long indexLimitAddresses = DefaultIndexLimitAddresses)
    {
        ArgumentNullException.ThrowIfNull(order);
        _bandwidth = bandwidthWords;
        _activeWords = (capacityWords + 1) / 2; // ⌈words · 0.5⌉
        _prefetchWords = capacityWords - _activeWords;
        _fetchLines = (order.TotalSlots + bandwidthWords - 1) / bandwidthWords;
        long perSet = (capacityWords + 99) / 100;

        // The last set may be empty (SCALE-Sim keeps it): floor(valid / per set) + 1 sets.
        _sets = checked((int)((order.Count / perSet) + 1));
        int maxActive = (int)((_activeWords + perSet - 1) / perSet);
        int maxPrefetch = (int)((_prefetchWords + perSet - 1) / perSet);
        int activeSets = Math.Min(_sets, maxActive);
        int prefetchSets = Math.Min(_sets - activeSets, maxPrefetch);
        var shape = new WindowShape(_sets, activeSets, prefetchSets, perSet, order.Count);
        _window = order.Count <= indexLimitAddresses
            ? new IndexedWindow(shape, order, addressCount)
            : new StreamedWindow(shape, order, addressCount);
    }

    /// <summary>The longest prefetch order indexed rather than streamed: 8 M addresses, an index of at most 64 MB
    /// (the order and its set ids, 4 bytes each) per read buffer.</summary>
    public const long DefaultIndexLimitAddresses = 8L << 20;

    public long DramReads { get; private set; }

    public long DramStartCycle { get; private set; }

    public long DramStopCycle => _filled ? _lastFetchCycle : 0;

    public long Service(ReadOnlySpan<int> addresses, long cycle)
    {
        if (!_filled)
        {
            FillActive(cycle);
        }

        long offset = HitLatencyCycles;
        foreach (int a in addresses)
        {
            int guard = 0;
            while (!InWindow(a))
            {
                if (++guard > _sets + 1)
                {
                    throw new InvalidOperationException($"address {a} is not in the prefetch order");
                }

                Prefetch();
                long wait = _lastFetchCycle - (cycle + offset);
                if (wait > 0)
                {
                    offset += wait;
                }
            }
        }

        return cycle + offset;
    }

    public void Complete()
    {
    }

    private void FillActive(long startCycle)
    {
        long lines = Math.Min((_activeWords + _bandwidth - 1) / _bandwidth, _fetchLines);
        DramReads += lines * _bandwidth;

        // Requests are timed so that the last response arrives the cycle before the first demand.
        DramStartCycle = startCycle - lines;
        _lastFetchCycle = startCycle - 1;
        _filled = true;
    }

    private void Prefetch()
    {
        _window.MoveOn();
        long lines = (_prefetchWords + _bandwidth - 1) / _bandwidth;
        DramReads += lines * _bandwidth;

        // Lines go out one per cycle from the cycle after the previous fetch's last response; each answers 1 later.
        _lastFetchCycle += lines + PortLatencyCycles;
    }

    private bool InWindow(int address) => _window.Contains(address);

    // The sets of the order: Sets of PerSet addresses (the last one shorter, maybe empty); the window holds ActiveSets
    // of them, circularly, and moves on by PrefetchSets.
    private readonly record struct WindowShape(int Sets, int ActiveSets, int PrefetchSets, long PerSet, long Count);

    // Which addresses the window's sets hold; it starts at set 0.
    private interface IWindow
    {
        bool Contains(int address);

        void MoveOn();
    }

    // Each address's distinct sets, indexed once: a look-up is a binary search; memory grows with the order.
    private sealed class IndexedWindow : IWindow
    {
        private readonly WindowShape _shape;

        // For address a, the distinct sets holding it are _setIds[_firstSet[a] .. _firstSet[a + 1]), ascending.
        private readonly int[] _firstSet;
        private readonly int[] _setIds;
        private int _windowStart;
        private int _windowEnd;

        public IndexedWindow(WindowShape shape, IPrefetchOrder order, int addressCount)
        {
            _shape = shape;
            int count = checked((int)shape.Count);
            int[] addresses = order is PrefetchOrder list ? list.Addresses : ReadAll(order, count);

            // Counting pass, then fill: each address's distinct set ids, in order.
            _firstSet = new int[addressCount + 1];
            FirstReadsInSets(addresses, count, shape.PerSet, addressCount, (a, _) => _firstSet[a + 1]++);
            for (int a = 0; a < addressCount; a++)
            {
                _firstSet[a + 1] += _firstSet[a];
            }

            _setIds = new int[_firstSet[addressCount]];
            var next = new int[addressCount];
            Array.Copy(_firstSet, next, addressCount);
            FirstReadsInSets(addresses, count, shape.PerSet, addressCount, (a, set) => _setIds[next[a]++] = set);
            _windowEnd = shape.ActiveSets;
        }

        public void MoveOn()
        {
            _windowStart = (_windowStart + _shape.PrefetchSets) % _shape.Sets;
            _windowEnd = (_windowStart + _shape.ActiveSets) % _shape.Sets;
        }

        public bool Contains(int address)
        {
            int from = _firstSet[address];
            int to = _firstSet[address + 1];
            if (from == to)
            {
                return false;
            }

            if (_windowStart < _windowEnd)
            {
                int i = LowerBound(_setIds, from, to, _windowStart);
                return i < to && _setIds[i] < _windowEnd;
            }

            // The window wraps: sets ≥ start or < end.
            return _setIds[to - 1] >= _windowStart || _setIds[from] < _windowEnd;
        }

        private static int[] ReadAll(IPrefetchOrder order, int count)
        {
            var addresses = new int[count];
            IPrefetchReader reader = order.Open();
            for (int i = 0; i < count; i++)
            {
                if (!reader.TryNext(out addresses[i]))
                {
                    throw new InvalidOperationException("the prefetch order is shorter than it said");
                }
            }

            return addresses;
        }

        /// <summary>Calls <paramref name="visit"/>(address, set) for each of the first <paramref name="count"/> reads that
        /// is its address's first read in its set of <paramref name="perSet"/> reads, in read order (so each address's
        /// sets ascend).</summary>
        private static void FirstReadsInSets(int[] addresses, int count, long perSet, int addressCount, Action<int, int> visit)
        {
            var lastSet = new int[addressCount];
            Array.Fill(lastSet, -1);
            for (int i = 0; i < count; i++)
            {
                int set = (int)(i / perSet);
                int a = addresses[i];
                if (lastSet[a] != set)
                {
                    lastSet[a] = set;
                    visit(a, set);
                }
            }
        }

        private static int LowerBound(int[] values, int from, int to, int key)
        {
            while (from < to)
            {
                int mid = (from + to) >>> 1;
                if (values[mid] < key)
                {
                    from = mid + 1;
                }
                else
                {
                    to = mid;
                }
            }

            return from;
        }
    }

    // The window's sets only, read from the order as the window moves on (wrapping round to its start): memory is a
    // count per address and the window, whatever the length of the order; moving on costs reading the sets that come in.
    private sealed class StreamedWindow : IWindow
    {
        private readonly WindowShape _shape;
        private readonly IPrefetchOrder _order;

        // How many times each address occurs in the window's sets (> 0: in the window).
        private readonly int[] _inWindow;

        // The window's sets, oldest first, as a ring of ActiveSets slots of PerSet addresses; _setLength[slot] of each used.
        private readonly int[] _windowAddresses;
        private readonly int[] _setLength;
        private int _oldestSlot;

        // The set read next (the one after the window's last), from _reader.
        private int _nextSet;
        private IPrefetchReader _reader;

        public StreamedWindow(WindowShape shape, IPrefetchOrder order, int addressCount)
        {
            _shape = shape;
            _order = order;
            _inWindow = new int[addressCount];
            _windowAddresses = new int[checked((int)Math.Min(shape.ActiveSets * shape.PerSet, shape.Count))];
            _setLength = new int[shape.ActiveSets];
            _reader = order.Open();
            for (int slot = 0; slot < shape.ActiveSets; slot++)
            {
                Load(slot);
            }
        }

        public bool Contains(int address) => _inWindow[address] > 0;

        public void MoveOn()
        {
            // The oldest sets leave, the next ones in the order come in.
            for (int i = 0; i < _shape.PrefetchSets; i++)
            {
                int slot = _oldestSlot;
                foreach (int a in _windowAddresses.AsSpan(checked((int)(slot * _shape.PerSet)), _setLength[slot]))
                {
                    _inWindow[a]--;
                }

                Load(slot);
                _oldestSlot = (slot + 1) % _shape.ActiveSets;
            }
        }

        // Reads set _nextSet into ring slot <paramref name="slot"/>; after the last set the order starts again.
        private void Load(int slot)
        {
            long setStart = _nextSet * _shape.PerSet;
            int length = (int)Math.Min(_shape.PerSet, _shape.Count - setStart);
            Span<int> into = _windowAddresses.AsSpan(checked((int)(slot * _shape.PerSet)), length);
            for (int i = 0; i < length; i++)
            {
                if (!_reader.TryNext(out int a))
                {
                    throw new InvalidOperationException("the prefetch order is shorter than it said");
                }

                into[i] = a;
                _inWindow[a]++;
            }

            _setLength[slot] = length;
            if (++_nextSet == _shape.Sets)
            {
                _nextSet = 0;
                _reader = _order.Open();
            }
        }
    }
}

/// <summary>SCALE-Sim's read buffer in CALC mode ("estimate bandwidth"): it always hits and only records the DRAM
/// traffic that would have been needed.</summary>
/// <remarks>
/// <para>New addresses (not in the tracked window) are grouped into sets of ⌊words/100⌋; 50 sets are half the buffer.
/// When the 50th set of a half fills, a prefetch is recorded: the first one (the active half) is placed before the first
/// request at 10 words per cycle, ending at first request − 2 (responses 1 later); each later one covers the cycles
/// since the previous one at ⌈elements / cycles⌉ words per cycle. The tracked window then moves on by 50 sets, so an
/// address is new again once it falls out of the last half's worth of new data. After the last line the rest is
/// recorded the same way (before cycle 0 when the first half never filled).</para>
/// <para>DRAM reads are the number of new addresses; the DRAM start and stop cycles are the first and last response of
/// those prefetches.</para>
/// </remarks>
internal sealed class ScaleSimEstimatingReadBuffer : IScaleSimReadBuffer
{
    private const int HitLatencyCycles = 1;
    private const int PortLatencyCycles = 1;
    private const int DefaultBandwidthWords = 10;
    private const int SetsPerHalf = 50;

    private readonly long _perSet;
    private readonly int[] _lastSet;

    private long _currentSet;
    private long _inCurrentSet;
    private long _windowStart;
    private long _windowEnd = SetsPerHalf - 1;
    private bool _activeFetched;
    private bool _firstSeen;
    private long _firstRequestCycle;
    private long _fetchStart = -2;
    private long _fetchEnd = -1;
    private bool _traced;

    public ScaleSimEstimatingReadBuffer(long capacityWords, int addressCount)
    {
        _perSet = capacityWords / 100;
        if (_perSet < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(capacityWords), capacityWords, "SCALE-Sim's CALC mode needs at least 100 words");
        }

        _lastSet = new int[addressCount];
        Array.Fill(_lastSet, -1);
    }

    public long DramReads { get; private set; }

    public long DramStartCycle { get; private set; }

    public long DramStopCycle { get; private set; }

    public long Service(ReadOnlySpan<int> addresses, long cycle)
    {
        if (!_firstSeen && addresses.Length > 0)
        {
            _firstRequestCycle = cycle;
            _firstSeen = true;
        }

        foreach (int a in addresses)
        {
            // A hit: in a set of the tracked window or in the set being filled (both are ≥ the window start).
            if (_lastSet[a] >= _windowStart)
            {
                continue;
            }

            _lastSet[a] = checked((int)_currentSet);
            DramReads++;
            if (++_inCurrentSet < _perSet)
            {
                continue;
            }

            _inCurrentSet = 0;
            _currentSet++;
            if (_currentSet != _windowEnd + 1)
            {
                continue;
            }

            if (!_activeFetched)
            {
                _fetchEnd = _firstRequestCycle - 1 - PortLatencyCycles;
                _fetchStart = _fetchEnd - CeilDiv(SetsPerHalf * _perSet, DefaultBandwidthWords) + 1;
                Record();
                _activeFetched = true;
            }
            else
            {
                Record();
            }

            _windowStart += SetsPerHalf;
            _windowEnd += SetsPerHalf;
            _fetchStart = _fetchEnd + 1;
            _fetchEnd = cycle;
        }

        return cycle + HitLatencyCycles;
    }

    public void Complete()
    {
        if (!_activeFetched)
        {
            // Everything fits the first half: fetched before cycle 0, ending at −2 (responses at −1).
            long sets = _inCurrentSet > 0 ? _currentSet + 1 : _currentSet;
            if (sets == 0)
            {
                return;
            }

            _fetchEnd = -1 - PortLatencyCycles;
            _fetchStart = _fetchEnd - CeilDiv(sets * _perSet, DefaultBandwidthWords) + 1;
        }

        Record();
    }

    // One prefetch over [_fetchStart, _fetchEnd]; its responses arrive one cycle later.
    private void Record()
    {
        if (!_traced)
        {
            DramStartCycle = _fetchStart + PortLatencyCycles;
            _traced = true;
        }

        DramStopCycle = _fetchEnd + PortLatencyCycles;
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;
}
