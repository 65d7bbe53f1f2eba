using AccelSim.Hardware;

namespace AccelSim.Hardware;

/// <summary>Adds up a schedule's totals from its tiles and steps, each with how many times the schedule holds it: a
/// walk adds every entry once (<see cref="ScheduleTotals.Walk"/>); a plan whose loops repeat the same step (the same
/// column fold in every group, every full column fold alike) counts it once and multiplies.</summary>
/// <remarks>A plan's counts must equal the walk of its entries field for field; the plans' tests hold the two together
/// over the zoo's layers and a grid of small layers and arrays. Sums are checked: a product overflows exactly when the
/// walk's sum would.</remarks>
public sealed class TotalsCounter
{
    private long _ifmapTiles;
    private long _ifmapBytes;
    private long _largestIfmap;
    private long _weightTiles;
    private long _weightBytes;
    private long _largestWeight;
    private long _steps;
    private long _outputBytes;
    private long _largestOutput;
    private long _largestLine;
    private long _computeCycles;
    private long _macs;
    private long _ifmapReads;
    private long _weightReads;
    private long _partialSums;
    private long _registerFile;
    private long _inputConversions;
    private long _outputConversions;

    public long IfmapTiles => _ifmapTiles;

    public long WeightTiles => _weightTiles;

    public long Steps => _steps;

    /// <summary>Adds the input tiles counted here to <paramref name="totals"/>, as its input tiles or, with
    /// <paramref name="weights"/>, as its weight tiles (a plan that counts its stationary and streamed tiles apart).</summary>
    public void AddIfmapTo(TotalsCounter totals, bool weights)
    {
        ref long count = ref weights ? ref totals._weightTiles : ref totals._ifmapTiles;
        ref long bytes = ref weights ? ref totals._weightBytes : ref totals._ifmapBytes;
        ref long largest = ref weights ? ref totals._largestWeight : ref totals._largestIfmap;
        count = checked(count + _ifmapTiles);
        bytes = checked(bytes + _ifmapBytes);
        largest = Math.Max(largest, _largestIfmap);
    }

    /// <summary><paramref name="times"/> input tiles of <paramref name="bytes"/> bytes each.</summary>
    public void Ifmap(long times, long bytes)
    {
        if (times > 0)
        {
            _ifmapTiles = checked(_ifmapTiles + times);
            _ifmapBytes = checked(_ifmapBytes + checked(times * bytes));
            _largestIfmap = Math.Max(_largestIfmap, bytes);
        }
    }

    /// <summary><paramref name="times"/> weight tiles of <paramref name="bytes"/> bytes each.</summary>
    public void Weight(long times, long bytes)
    {
        if (times > 0)
        {
            _weightTiles = checked(_weightTiles + times);
            _weightBytes = checked(_weightBytes + checked(times * bytes));
            _largestWeight = Math.Max(_largestWeight, bytes);
        }
    }

    /// <summary><paramref name="times"/> steps equal to <paramref name="step"/> in everything that is summed.</summary>
    public void Step(in ComputeStep step, long times)
    {
        if (times <= 0)
        {
            return;
        }

        _steps = checked(_steps + times);
        _outputBytes = checked(_outputBytes + checked(times * step.OutputBytes));
        _largestOutput = Math.Max(_largestOutput, step.OutputBytes);
        _largestLine = Math.Max(_largestLine, step.LineBufferBytes);
        _computeCycles = checked(_computeCycles + checked(times * step.ComputeCycles));
        _macs = checked(_macs + checked(times * step.Macs));
        _ifmapReads = checked(_ifmapReads + checked(times * step.IfmapReadBytes));
        _weightReads = checked(_weightReads + checked(times * step.WeightReadBytes));
        _partialSums = checked(_partialSums + checked(times * step.PartialSumBytes));
        _registerFile = checked(_registerFile + checked(times * step.RegisterFileAccesses));
        _inputConversions = checked(_inputConversions + checked(times * step.InputConversions));
        _outputConversions = checked(_outputConversions + checked(times * step.OutputConversions));
    }

    /// <summary>The totals, with the first step and first tiles read from the head of <paramref name="entries"/> (only as
    /// far as they appear) and the last step as the plan builds it.</summary>
    /// <param name="last">The schedule's last step (null when it has none).</param>
    public ScheduleTotals Build(IEnumerable<ScheduleEntry> entries, ComputeStep? last)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return Build(Head(entries), last);
    }

    private ScheduleTotals Build((ComputeStep? First, long? FirstIfmap, long? FirstWeight) head, ComputeStep? last) =>
        Build(head.First, head.First is null ? null : last, head.FirstIfmap ?? 0, head.FirstWeight ?? 0);

    /// <summary>The first step and the first tile of each kind, read only as far as they appear.</summary>
    private (ComputeStep? First, long? FirstIfmap, long? FirstWeight) Head(IEnumerable<ScheduleEntry> entries)
    {
        ComputeStep? first = null;
        long? firstIfmap = _ifmapTiles == 0 ? 0 : null;
        long? firstWeight = _weightTiles == 0 ? 0 : null;
        bool needStep = _steps > 0;
        foreach (ScheduleEntry entry in entries)
        {
            if (!needStep && firstIfmap is not null && firstWeight is not null)
            {
                break;
            }

            switch (entry.Kind)
            {
                case ScheduleEntryKind.IfmapTile:
                    firstIfmap ??= entry.TileBytes;
                    break;
                case ScheduleEntryKind.WeightTile:
                    firstWeight ??= entry.TileBytes;
                    break;
                default:
                    first ??= entry.Step;
                    needStep = false;
                    break;
            }
        }

        return (first, firstIfmap, firstWeight);
    }

    /// <summary>The totals, with the schedule's first and last steps and the bytes of its first tiles.</summary>
    public ScheduleTotals Build(ComputeStep? first, ComputeStep? last, long firstIfmapBytes, long firstWeightBytes) => new()
    {
        IfmapTiles = _ifmapTiles,
        IfmapBytes = _ifmapBytes,
        LargestIfmapBytes = _largestIfmap,
        WeightTiles = _weightTiles,
        WeightBytes = _weightBytes,
        LargestWeightBytes = _largestWeight,
        Steps = _steps,
        OutputBytes = _outputBytes,
        LargestOutputBytes = _largestOutput,
        LargestLineBufferBytes = _largestLine,
        StepSums = new StepTotals
        {
            ComputeCycles = _computeCycles,
            Macs = _macs,
            IfmapReadBytes = _ifmapReads,
            WeightReadBytes = _weightReads,
            PartialSumBytes = _partialSums,
            RegisterFileAccesses = _registerFile,
            InputConversions = _inputConversions,
            OutputConversions = _outputConversions,
            First = first,
            Last = last,
            FirstIfmapTileBytes = firstIfmapBytes,
            FirstWeightTileBytes = firstWeightBytes,
        },
    };
}
