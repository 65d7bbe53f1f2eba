namespace AccelSim.ScaleSim;

/// <summary>SCALE-Sim v2's OFMAP write buffer: outputs are packed into DRAM lines of Bandwidth words and drained half a
/// buffer at a time.</summary>
/// <remarks>
/// <list type="bullet">
/// <item>Each written element takes one word of free space and a slot of the line being packed.</item>
/// <item>When no drain is running and more than half the buffer is occupied, the partly packed line is closed (its empty
/// slots travel with it) and a drain starts at the current cycle: up to ⌈half/BW⌉ of the packed lines, one per cycle
/// (write latency 0). Its words are freed at once; a partly filled line counts its empty slots as data unless it is the
/// drain's last line.</item>
/// <item>While a drain runs, writing into a completely full buffer waits until it ends (the only write stall).</item>
/// <item>After the last demand line the rest is drained in back-to-back drains from the last write's cycle; that tail
/// is not part of the layer's cycles but is in the DRAM stop cycle.</item>
/// </list>
/// </remarks>
internal sealed class ScaleSimWriteBuffer
{
    private readonly int _bandwidth;
    private readonly long _capacityWords;
    private readonly long _activeWords;
    private readonly long _drainWords;
    private readonly Queue<(long Line, int Valid)> _partialLines = new();

    private long _free;
    private int _inLine;
    private long _closedLines;
    private long _drainedLines;
    private long _drainEnd;
    private bool _traced;

    public ScaleSimWriteBuffer(long capacityWords, int bandwidthWords)
    {
        _bandwidth = bandwidthWords;
        _capacityWords = capacityWords;
        _activeWords = (capacityWords + 1) / 2;
        _drainWords = capacityWords - _activeWords;
        _free = capacityWords;
    }

    public long DramWrites { get; private set; }

    public long DramStartCycle { get; private set; }

    public long DramStopCycle { get; private set; }

    /// <summary>Writes <paramref name="count"/> elements requested at <paramref name="cycle"/>; returns the cycle the
    /// line is accepted.</summary>
    public long Service(int count, long cycle)
    {
        long current = cycle;
        for (int e = 0; e < count; e++)
        {
            _free--;
            if (++_inLine == _bandwidth)
            {
                _closedLines++;
                _inLine = 0;
            }

            if (current < _drainEnd)
            {
                if (_free <= 0)
                {
                    current = _drainEnd;
                }
            }
            else if (_free < _capacityWords - _drainWords)
            {
                CloseLine();
                _drainEnd = Drain(current);
            }
        }

        return current;
    }

    /// <summary>Drains everything left, starting at <paramref name="cycle"/> (the last line's write cycle).</summary>
    public void Flush(long cycle)
    {
        CloseLine();
        while (_drainedLines < _closedLines)
        {
            _drainEnd = Drain(cycle);
            cycle = _drainEnd + 1;
        }
    }

    private void CloseLine()
    {
        if (_inLine > 0)
        {
            _partialLines.Enqueue((_closedLines, _inLine));
            _closedLines++;
            _inLine = 0;
        }
    }

    private long Drain(long start)
    {
        long lines = Math.Min((_drainWords + _bandwidth - 1) / _bandwidth, _closedLines - _drainedLines);
        long end = _drainedLines + lines;
        int lastValid = _bandwidth;
        while (_partialLines.Count > 0 && _partialLines.Peek().Line < end)
        {
            var (line, valid) = _partialLines.Dequeue();
            if (line == end - 1)
            {
                lastValid = valid;
            }
        }

        long words = (lines * _bandwidth) - (_bandwidth - lastValid);
        DramWrites += words;
        if (!_traced)
        {
            DramStartCycle = start;
            _traced = true;
        }

        long stop = start + lines - 1;
        DramStopCycle = stop;
        _free += words;
        _drainedLines = end;
        return stop;
    }
}
