using AccelSim.Hardware;
using AccelSim.Workloads;

namespace AccelSim.ScaleSim;

/// <summary>SCALE-Sim's memory settings: SRAM sizes in words (its kB × 1024, one word per operand) and the DRAM
/// bandwidth of each of its three interfaces.</summary>
/// <remarks><see cref="BandwidthWords"/>: USER mode, words per cycle per interface. Null: CALC mode, where the read
/// buffers always hit and only estimate their DRAM traffic, and the write buffer drains at the array width.</remarks>
public sealed record ScaleSimMemoryConfig
{
    public ScaleSimMemoryConfig(long ifmapWords, long filterWords, long ofmapWords, int? bandwidthWords)
    {
        // SCALE-Sim's smallest buffer is 1 kB = 1024 words; CALC mode needs at least 100 (one word per set).
        ArgumentOutOfRangeException.ThrowIfLessThan(ifmapWords, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(filterWords, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(ofmapWords, 100);
        if (bandwidthWords is int words)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(words, 1, nameof(bandwidthWords));
        }

        (IfmapWords, FilterWords, OfmapWords, BandwidthWords) = (ifmapWords, filterWords, ofmapWords, bandwidthWords);
    }

    public long IfmapWords { get; }

    public long FilterWords { get; }

    public long OfmapWords { get; }

    public int? BandwidthWords { get; }

    public bool UserBandwidth => BandwidthWords is not null;
}

/// <summary>What SCALE-Sim's memory system reports for one layer. Cycles are 0-based: Total Cycles is the cycle the last
/// demand line's outputs are written (SCALE-Sim's "Total Cycles"), stalls included. The stalls are also split by the
/// buffer that waited longest on each line (IFMAP before filter before OFMAP on a tie); SCALE-Sim reports only the sum.</summary>
public sealed record ScaleSimMemoryResult(
    long TotalCycles, long StallCycles, long IfmapStallCycles, long FilterStallCycles, long OfmapStallCycles,
    long SramIfmapStartCycle, long SramIfmapStopCycle, long SramFilterStartCycle, long SramFilterStopCycle,
    long SramOfmapStartCycle, long SramOfmapStopCycle,
    long DramIfmapStartCycle, long DramIfmapStopCycle, long DramIfmapReads,
    long DramFilterStartCycle, long DramFilterStopCycle, long DramFilterReads,
    long DramOfmapStartCycle, long DramOfmapStopCycle, long DramOfmapWrites);

/// <summary>A faithful reimplementation of SCALE-Sim v2's memory system (double-buffered IFMAP and filter read
/// buffers with their DRAM ports, the OFMAP write buffer), driven by its demand streams one array cycle at a time.</summary>
/// <remarks>
/// Line i is requested at cycle i + stalls so far. The IFMAP and filter buffers answer at request + 1 on a hit, the
/// write buffer at the request cycle unless it is full; the line's stall is max(IFMAP answer − request − 1, filter
/// answer − request − 1, OFMAP answer − request). SRAM start/stop cycles are the answer cycles of the first and last lines
/// with a request. Nothing is materialised beyond one demand line per operand, a count per operand address and, in USER
/// mode, each read buffer's index of its prefetch order up to a limit, beyond it only the buffer's window (the order is
/// then generated again as the window moves on), so memory stops growing with the number of folds.
/// </remarks>
public static class ScaleSimMemorySystem
{
    /// <summary>Runs one layer on a <paramref name="rows"/>×<paramref name="cols"/> array.</summary>
    /// <param name="shape">The layer as SCALE-Sim sees it (<see cref="ScaleSimShapes"/>).</param>
    /// <exception cref="ArgumentException">SCALE-Sim has no model of <paramref name="shape"/> (batch above 1, groups,
    /// dilation, or top/left padding).</exception>
    public static ScaleSimMemoryResult Run(Dataflow dataflow, int rows, int cols, ConvShape shape, ScaleSimMemoryConfig memory) =>
        Run(dataflow, rows, cols, shape, memory, ScaleSimUserReadBuffer.DefaultIndexLimitAddresses);

    /// <summary>Runs one layer, indexing the USER-mode prefetch orders of at most <paramref name="indexLimitAddresses"/>
    /// addresses and streaming longer ones (<see cref="ScaleSimUserReadBuffer"/>); the result does not depend on it.</summary>
    internal static ScaleSimMemoryResult Run(
        Dataflow dataflow, int rows, int cols, ConvShape shape, ScaleSimMemoryConfig memory, long indexLimitAddresses)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(memory);
        var operands = new ScaleSimOperands(shape);
        var demand = new ScaleSimDemand(dataflow, rows, cols, operands);

        IScaleSimReadBuffer ifmap;
        IScaleSimReadBuffer filter;
        ScaleSimWriteBuffer ofmap;
        if (memory.BandwidthWords is int bandwidth)
        {
            ifmap = new ScaleSimUserReadBuffer(memory.IfmapWords, bandwidth, demand.IfmapPrefetch(), operands.IfmapAddresses, indexLimitAddresses);
            filter = new ScaleSimUserReadBuffer(memory.FilterWords, bandwidth, demand.FilterPrefetch(), operands.FilterAddresses, indexLimitAddresses);
            ofmap = new ScaleSimWriteBuffer(memory.OfmapWords, bandwidth);
        }
        else
        {
            ifmap = new ScaleSimEstimatingReadBuffer(memory.IfmapWords, operands.IfmapAddresses);
            filter = new ScaleSimEstimatingReadBuffer(memory.FilterWords, operands.FilterAddresses);
            ofmap = new ScaleSimWriteBuffer(memory.OfmapWords, cols);
        }

        Span<int> ifmapLine = new int[demand.IfmapWidth];
        Span<int> filterLine = new int[demand.FilterWidth];
        var ifmapSram = new ServedRange();
        var filterSram = new ServedRange();
        var ofmapSram = new ServedRange();
        long stalls = 0;
        long ifmapStalls = 0;
        long filterStalls = 0;
        long ofmapStalls = 0;
        long line = 0;
        long lastWrite = 0;
        for (int fc = 0; fc < demand.ColFolds; fc++)
        {
            for (int fr = 0; fr < demand.RowFolds; fr++)
            {
                for (int t = 0; t < demand.LinesPerFold; t++, line++)
                {
                    long cycle = line + stalls;
                    int ni = demand.IfmapLine(fc, fr, t, ifmapLine);
                    long ifmapServed = ifmap.Service(ifmapLine[..ni], cycle);
                    int nf = demand.FilterLine(fc, fr, t, filterLine);
                    long filterServed = filter.Service(filterLine[..nf], cycle);
                    int no = demand.OfmapCount(fc, fr, t);
                    long ofmapServed = ofmap.Service(no, cycle);
                    long ifmapWait = ifmapServed - cycle - 1;
                    long filterWait = filterServed - cycle - 1;
                    long ofmapWait = ofmapServed - cycle;
                    long stall = Math.Max(Math.Max(ifmapWait, filterWait), ofmapWait);
                    if (stall > 0)
                    {
                        stalls += stall;
                        if (ifmapWait == stall)
                        {
                            ifmapStalls += stall;
                        }
                        else if (filterWait == stall)
                        {
                            filterStalls += stall;
                        }
                        else
                        {
                            ofmapStalls += stall;
                        }
                    }

                    ifmapSram.See(ni, ifmapServed);
                    filterSram.See(nf, filterServed);
                    ofmapSram.See(no, ofmapServed);
                    lastWrite = ofmapServed;
                }
            }
        }

        ifmap.Complete();
        filter.Complete();
        ofmap.Flush(lastWrite);
        return new ScaleSimMemoryResult(
            lastWrite, stalls, ifmapStalls, filterStalls, ofmapStalls,
            ifmapSram.Start, ifmapSram.Stop, filterSram.Start, filterSram.Stop, ofmapSram.Start, ofmapSram.Stop,
            ifmap.DramStartCycle, ifmap.DramStopCycle, ifmap.DramReads,
            filter.DramStartCycle, filter.DramStopCycle, filter.DramReads,
            ofmap.DramStartCycle, ofmap.DramStopCycle, ofmap.DramWrites);
    }

    // First and last served cycle of lines with at least one request.
    private struct ServedRange
    {
        private bool _seen;

        public long Start { get; private set; }

        public long Stop { get; private set; }

        public void See(int requests, long served)
        {
            if (requests == 0)
            {
                return;
            }

            if (!_seen)
            {
                Start = served;
                _seen = true;
            }

            Stop = served;
        }
    }
}
