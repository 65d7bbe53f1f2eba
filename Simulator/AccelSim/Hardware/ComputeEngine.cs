using System.Collections.Immutable;
using AccelSim.Kernel;
using AccelSim.Statistics;
using AccelSim.Tracing;

namespace AccelSim.Hardware;

/// <summary>The PE array (or the vector unit): runs a layer's steps one after another as their operands arrive.</summary>
/// <remarks>
/// A step starts when its input tile and weight tile are in their buffers and the output buffer has room for its results.
/// While it cannot start, the time is charged to the first unmet condition, in the order ifmap, weights, output room;
/// when that condition changes, the charge moves with it. A tile whose DRAM request still waits in the channel's queue
/// charges DRAM bandwidth; once its transfer starts, the charge moves to its tensor. A step's systolic fill and drain
/// are a stall of their own. A step lasts its compute cycles, or longer if the buffers'
/// read ports cannot deliver its operands that fast (the excess is an SRAM-bandwidth stall). After the last step the
/// engine waits for the output buffer to drain. So compute plus stalls covers the layer exactly, cycle for cycle.
/// <para>Port cycles come from the addresses a step touches: its tile's words from the tile's first word in the buffer
/// half it sits in (wrapping within the tile when operands are read more than once), interleaved over the banks; the
/// busiest bank sets the cycles (<see cref="SramBanks"/>). Reads from separate buffers proceed in parallel; the ifmap and
/// weight reads of a unified buffer share its banks and ports. The step's results are written at the output buffer's
/// write ports and banks. Cycles beyond what perfectly spread accesses would need are bank conflicts.</para>
/// </remarks>
public sealed class ComputeEngine : Component
{
    /// <summary>Cycles computing: a new wave of MACs (or vector operations) every cycle.</summary>
    public static readonly StatKey ComputeCycles = new("compute_cycles", StatUnit.Cycles, "Cycles computing: a new wave of MACs (or vector operations) every cycle");

    /// <summary>Multiply-accumulates performed.</summary>
    public static readonly StatKey Macs = new("macs", StatUnit.Macs, "Multiply-accumulates performed");

    /// <summary>Multiply-accumulates a skipping array left out.</summary>
    public static readonly StatKey SkippedMacs = new("skipped_macs", StatUnit.Macs, "Multiply-accumulates skipped: every weight of the array's columns was zero at that reduction step");

    /// <summary>Steps completed.</summary>
    public static readonly StatKey Steps = new("steps", StatUnit.Events, "Steps (fold chunks or vector batches) completed");

    /// <summary>Words the engine read from the ifmap buffer; registered under the ifmap loader's path.</summary>
    public static readonly StatKey IfmapReadWords = new("read_words", StatUnit.Words, "Words read from the buffer by the engine");

    /// <summary>Words the engine read from the weight buffer.</summary>
    public static readonly StatKey WeightReadWords = new("weight_read_words", StatUnit.Words, "Words read from the weight buffer by the engine");

    /// <summary>Float elements converted into the array's number format on their way in.</summary>
    public static readonly StatKey InputConversions = new("input_conversions", StatUnit.Elements, "Float elements converted to BFP mantissas on their way into the array");

    /// <summary>Accumulator values converted to float32 on their way out.</summary>
    public static readonly StatKey OutputConversions = new("output_conversions", StatUnit.Elements, "Accumulator values converted to float32 on their way out");

    /// <summary>float32 operations on the vector unit.</summary>
    public static readonly StatKey VectorOps = new("vector_ops", StatUnit.Events, "float32 operations on the vector unit");

    /// <summary>Input BFP blocks the converters format at run time, each with its shared exponent (BFP arithmetic, conv
    /// and FC). The layer's shape fixes it, so it is counted in closed form beside the simulation (under the BFP
    /// converter's path in the layer's activity), not registered by the engine.</summary>
    public static readonly StatKey InputBlocks = new("input_blocks", StatUnit.Events, "Input BFP blocks formatted at run time, each with its shared exponent");

    /// <summary>E-bit exponent comparisons that find the maxima of <see cref="InputBlocks"/>; counted in closed form
    /// like them.</summary>
    public static readonly StatKey ExponentComparisons = new("exponent_comparisons", StatUnit.Events, "Exponent comparisons that found the input blocks' shared exponents");

    /// <summary>PE register-file reads and writes (row stationary).</summary>
    /// <summary>Block products of an MX or NVFP4 array: per output value, one per segment of the reduction that one weight
    /// block and one input block share (ceil(K / the smaller block size)); counted in closed form from the layer's shape.
    /// Each is scaled once and, with float32 accumulation, added once into the float32 accumulator.</summary>
    public static readonly StatKey MxBlockProducts = new("mx_block_products", StatUnit.Events, "MX/NVFP4 block products: per output value, one per reduction segment of one weight block and one input block");

    /// <summary>Output values of an MX or NVFP4 array; NVFP4's float32 per-tensor scales multiply each once.</summary>
    public static readonly StatKey MxOutputs = new("mx_outputs", StatUnit.Elements, "Output values of an MX/NVFP4 array, each multiplied once by NVFP4's float32 per-tensor scales");

    public static readonly StatKey RegisterFileAccesses = new("register_file_accesses", StatUnit.Events, "Reads and writes of the PEs' register files (row stationary: filter rows, ifmap rows, psums)");

    /// <summary>The part of the SRAM-bandwidth stall due to bank conflicts.</summary>
    public static readonly StatKey BankConflictCycles = new("bank_conflict_cycles", StatUnit.Cycles,
        "Part of the sram_bandwidth stall due to bank conflicts: cycles beyond what the same accesses spread evenly over the banks would take");

    private static readonly ImmutableArray<StatKey> StallKeys = [.. StallCauses.All.Select(
        cause => new StatKey($"stall_cycles.{StallCauses.Name(cause)}", StatUnit.Cycles, StallDescription(cause)))];

    private readonly IEnumerator<ComputeStep> _steps;
    private readonly long _stepCount;
    private readonly TileLoader _ifmap;
    private readonly TileLoader? _weights;
    private readonly OutputBuffer _ofmap;
    private readonly SramConfig _ifmapSram;
    private readonly SramConfig _weightSram;
    private readonly SramConfig _ofmapSram;
    private readonly bool _unified;
    private readonly long _weightRegionWords;
    private readonly Counter _bankConflictCycles;
    private readonly ConverterConfig? _converters;
    private readonly long _inputLookAheadElements;
    private readonly int _vectorLanes;
    private readonly Action _onStepDone;
    private readonly Action _advance;
    private readonly Counter _computeCycles;
    private readonly Counter _macs;
    private readonly Counter _skippedMacs;
    private readonly Counter _stepsDone;
    private readonly Counter _ifmapReadWords;
    private readonly Counter _weightReadWords;
    private readonly Counter _inputConversions;
    private readonly Counter _outputConversions;
    private readonly Counter _vectorOps;
    private readonly Counter _registerFileAccesses;
    private readonly Counter[] _stallCycles;
    private readonly ITraceSink? _trace;
    private long _next;
    private ComputeStep _current;
    private bool _hasCurrent;
    private bool _busy;
    private StallCause? _blockedBy;
    private Cycle _blockedSince;

    public ComputeEngine(
        Simulation simulation, ComponentId id, IEnumerable<ComputeStep> steps, TileLoader ifmap, TileLoader? weights,
        OutputBuffer ofmap, BufferSetConfig buffers, ConverterConfig? converters = null, long inputLookAheadElements = 0, int vectorLanes = 1)
        : base(simulation, id.Path)
    {
        _vectorLanes = Math.Max(1, vectorLanes);
        string path = id.Path;
        _ifmapSram = buffers.Ifmap;
        _weightSram = buffers.Weights;
        _ofmapSram = buffers.Ofmap;
        _unified = buffers.Unified is not null;

        // In a unified buffer the weights' part follows the ifmap's: its words start where the ifmap part ends.
        _weightRegionWords = _unified ? buffers.Ifmap.CapacityWords : 0;
        _converters = converters;
        _inputLookAheadElements = inputLookAheadElements;
        // Steps are pulled one ahead of the one running (its successor decides which tiles it releases), so the
        // engine's memory does not depend on the number of steps.
        _stepCount = steps is StepSequence sequence ? sequence.Length : steps.LongCount();
        _steps = steps.GetEnumerator();
        PullNext();
        _ifmap = ifmap;
        _weights = weights;
        _ofmap = ofmap;
        _onStepDone = OnStepDone;
        _advance = Advance;
        var stats = simulation.Stats;
        _computeCycles = stats.Register(path, ComputeCycles);
        _macs = stats.Register(path, Macs);
        _skippedMacs = stats.Register(path, SkippedMacs);
        _stepsDone = stats.Register(path, Steps);
        _ifmapReadWords = stats.Register(ifmap.Id.Path, IfmapReadWords);
        _weightReadWords = stats.Register(path, WeightReadWords);
        _inputConversions = stats.Register(path, InputConversions);
        _outputConversions = stats.Register(path, OutputConversions);
        _vectorOps = stats.Register(path, VectorOps);
        _registerFileAccesses = stats.Register(path, RegisterFileAccesses);
        _bankConflictCycles = stats.Register(path, BankConflictCycles);
        _stallCycles = StallCauses.All.Select(cause => stats.Register(path, StallCycles(cause))).ToArray();
        ifmap.OnTileReady(_advance);
        weights?.OnTileReady(_advance);
        ofmap.OnSpaceFreed(_advance);
        _trace = simulation.Trace;
    }

    /// <summary>Cycle at which the last result reached DRAM; null while running.</summary>
    public Cycle? FinishedAt { get; private set; }

    /// <inheritdoc/>
    public override string? PendingWork => FinishedAt is not null ? null
        : _busy ? $"step {_next} of {_stepCount} computing"
        : $"step {_next} of {_stepCount} waiting for {(_blockedBy is { } cause ? StallCauses.Name(cause) : "a wake-up")}";

    /// <summary>The statistic counting the cycles the engine stalled for <paramref name="cause"/>.</summary>
    public static StatKey StallCycles(StallCause cause) => StallKeys[(int)cause];

    /// <summary>Starts the layer at the current cycle.</summary>
    public void Start() => Simulation.Schedule(0, _advance);

    private static string StallDescription(StallCause cause) => cause switch
    {
        StallCause.Ifmap => "Cycles waiting for input feature maps from DRAM",
        StallCause.Weights => "Cycles waiting for weights from DRAM",
        StallCause.OutputDrain => "Cycles waiting for output-buffer room or for the final results to reach DRAM",
        StallCause.SramBandwidth => "Cycles a step ran longer because the buffers' ports and banks could not keep up (operand reads, result writes)",
        StallCause.Converter => "Cycles a step ran longer because the BFP converters (lanes, pipeline latency) could not keep up",
        StallCause.DramBandwidth => "Cycles waiting for a tile whose DRAM request was queued behind other transfers",
        StallCause.FillDrain => "Cycles the systolic array spent filling with operands and draining results",
        StallCause.VectorUnit => "Cycles a step ran longer because the vector unit on the output path (fused ReLU or pooling) took its results slower than the array made them",
        _ => throw new ArgumentOutOfRangeException(nameof(cause)),
    };

    private void Advance()
    {
        if (_busy || FinishedAt is not null)
        {
            return;
        }

        if (!_hasCurrent)
        {
            if (_ofmap.IsDrained)
            {
                ChargeWait();
                FinishedAt = Simulation.Now;
            }
            else
            {
                Block(StallCause.OutputDrain);
            }

            return;
        }

        ComputeStep step = _current;
        StallCause? cause =
            !_ifmap.IsReady(step.IfmapTile) ? (_ifmap.IsQueued(step.IfmapTile) ? StallCause.DramBandwidth : StallCause.Ifmap)
            : step.WeightTile >= 0 && !_weights!.IsReady(step.WeightTile) ? (_weights.IsQueued(step.WeightTile) ? StallCause.DramBandwidth : StallCause.Weights)
            : !_ofmap.HasRoom(step.OutputBytes) ? StallCause.OutputDrain
            : null;
        if (cause is { } blocking)
        {
            Block(blocking);
            return;
        }

        ChargeWait();
        long ifmapWords = DivideRoundingUp(step.IfmapReadBytes * 8, _ifmapSram.WordBits);
        long weightWords = DivideRoundingUp(step.WeightReadBytes * 8, _weightSram.WordBits);
        (long portCycles, long conflictFreeCycles) = PortCycles(step, ifmapWords, weightWords);
        long converterCycles = ConverterCycles(step);
        // Fused layers run beside the step on the output path at the vector unit's lanes per cycle.
        long vectorCycles = DivideRoundingUp(step.FusedVectorOps, _vectorLanes);
        long durationCycles = Math.Max(Math.Max(step.ComputeCycles, vectorCycles), Math.Max(portCycles, converterCycles));

        // The excess over the compute time goes to the read ports first, then to the converters, then to the vector unit.
        long sramExcess = Math.Max(0, portCycles - step.ComputeCycles);
        long converterExcess = Math.Max(0, Math.Max(portCycles, converterCycles) - step.ComputeCycles - sramExcess);
        long vectorExcess = durationCycles - step.ComputeCycles - sramExcess - converterExcess;
        _bankConflictCycles.Add(Math.Max(0, portCycles - Math.Max(step.ComputeCycles, conflictFreeCycles)));

        // Fill and drain are part of the step's time but no MAC wave completes in them: a stall of their own.
        _computeCycles.Add(step.ComputeCycles - step.FillDrainCycles);
        _stallCycles[(int)StallCause.FillDrain].Add(step.FillDrainCycles);
        _stallCycles[(int)StallCause.SramBandwidth].Add(sramExcess);
        _stallCycles[(int)StallCause.Converter].Add(converterExcess);
        _stallCycles[(int)StallCause.VectorUnit].Add(vectorExcess);
        _macs.Add(step.Macs);
        _skippedMacs.Add(step.SkippedMacs);
        _ifmapReadWords.Add(ifmapWords);
        _weightReadWords.Add(weightWords);
        _inputConversions.Add(step.InputConversions);
        _outputConversions.Add(step.OutputConversions);
        _vectorOps.Add(step.VectorOps);
        _registerFileAccesses.Add(step.RegisterFileAccesses);
        _ofmap.AccumulatePartialSums(step.PartialSumBytes);
        _busy = true;
        if (_trace is not null)
        {
            TraceStep(_trace, step, durationCycles, sramExcess, converterExcess, ifmapWords, weightWords);
        }

        Simulation.Schedule(durationCycles, _onStepDone);
    }

    private void OnStepDone()
    {
        ComputeStep step = _current;
        _busy = false;
        _stepsDone.Increment();
        _next++;
        PullNext();
        bool last = !_hasCurrent;
        if (last || _current.IfmapTile != step.IfmapTile)
        {
            _ifmap.Release(step.IfmapTile);
        }

        if (step.WeightTile >= 0 && (last || _current.WeightTile != step.WeightTile))
        {
            _weights!.Release(step.WeightTile);
        }

        _ofmap.PassThrough(step.LineBufferBytes, step.FusedReadBytes);
        _ofmap.Store(step.OutputBytes);
        Advance();
    }

    private void PullNext()
    {
        _hasCurrent = _steps.MoveNext();
        _current = _hasCurrent ? _steps.Current : default;
    }

    private void Block(StallCause cause)
    {
        if (_blockedBy == cause)
        {
            return;
        }

        ChargeWait();
        _blockedBy = cause;
        _blockedSince = Simulation.Now;
    }

    private void ChargeWait()
    {
        if (_blockedBy is { } cause)
        {
            _stallCycles[(int)cause].Add(Simulation.Now - _blockedSince);
            _trace?.Slice(new TraceSlice(Path, StallCauses.Name(cause), TraceCategory.Stall, _blockedSince.Value, Simulation.Now - _blockedSince));
            _blockedBy = null;
        }
    }

    /// <summary>Cycles the buffers' ports need for a step's reads and its results' writes, and the cycles the same
    /// accesses would need spread evenly over the banks.</summary>
    private (long Cycles, long ConflictFree) PortCycles(in ComputeStep step, long ifmapWords, long weightWords)
    {
        WordRun ifmapRun = ReadRun(_ifmap, _ifmapSram, 0, step.IfmapTile, ifmapWords);
        WordRun weightRun = step.WeightTile >= 0 && _weights is not null
            ? ReadRun(_weights, _weightSram, _weightRegionWords, step.WeightTile, weightWords)
            : default;
        long readCycles;
        long conflictFree;
        if (_unified)
        {
            // One set of banks and ports serves both streams: they compete, bank by bank.
            readCycles = SramBanks.Cycles(SramBanks.BusiestBankWords([ifmapRun, weightRun], _ifmapSram.Banks), _ifmapSram.ReadPorts);
            conflictFree = SramBanks.ConflictFreeCycles(ifmapWords + weightWords, _ifmapSram.Banks, _ifmapSram.ReadPorts);
        }
        else
        {
            readCycles = Math.Max(
                SramBanks.Cycles(SramBanks.BusiestBankWords(ifmapRun, _ifmapSram.Banks), _ifmapSram.ReadPorts),
                SramBanks.Cycles(SramBanks.BusiestBankWords(weightRun, _weightSram.Banks), _weightSram.ReadPorts));
            conflictFree = Math.Max(
                SramBanks.ConflictFreeCycles(ifmapWords, _ifmapSram.Banks, _ifmapSram.ReadPorts),
                SramBanks.ConflictFreeCycles(weightWords, _weightSram.Banks, _weightSram.ReadPorts));
        }

        // Results go into the output buffer's ring in address order: a contiguous run spreads evenly over its banks.
        // Partial sums added into the buffer are read at its read ports and written back at its write ports.
        // A fused layer's line buffer is written by the array and read by the vector unit at the same ports.
        long outputWords = _ofmapSram.Words(step.OutputBytes) + _ofmapSram.Words(step.LineBufferBytes);
        long psumWords = _ofmapSram.Words(step.PartialSumBytes);
        long writeCycles = SramBanks.ConflictFreeCycles(outputWords + psumWords, _ofmapSram.Banks, _ofmapSram.WritePorts);
        long psumReadCycles = SramBanks.ConflictFreeCycles(psumWords + _ofmapSram.Words(step.FusedReadBytes), _ofmapSram.Banks, _ofmapSram.ReadPorts);
        long ofmapCycles = Math.Max(writeCycles, psumReadCycles);
        return (Math.Max(readCycles, ofmapCycles), Math.Max(conflictFree, ofmapCycles));
    }

    /// <summary>A step's reads of its tile: from the tile's first word in its buffer half (tile i sits in half i mod 2).</summary>
    private static WordRun ReadRun(TileLoader loader, SramConfig sram, long regionWords, int tile, long words)
    {
        long halfWords = sram.HalfCapacityBytes * 8 / sram.WordBits;
        long tileWords = Math.Max(1, DivideRoundingUp(loader.TileBytes(tile) * 8, sram.WordBits));
        return new WordRun(regionWords + ((tile % 2) * halfWords), tileWords, words);
    }

    /// <summary>Cycles the converters need for a step: their pipeline latency, the look-ahead over a block whose exponent
    /// must be found before its first mantissa is aligned (column and group input partitions), then the elements at their
    /// lanes per cycle (comparing and aligning are two pipeline stages, so later blocks overlap).</summary>
    private long ConverterCycles(in ComputeStep step)
    {
        if (_converters is not { } c)
        {
            return 0;
        }

        long input = step.InputConversions == 0 ? 0
            : c.LatencyCycles + DivideRoundingUp(_inputLookAheadElements, c.InputLanes) + DivideRoundingUp(step.InputConversions, c.InputLanes);
        long output = step.OutputConversions == 0 || c.OutputLanes == int.MaxValue ? 0 : c.LatencyCycles + DivideRoundingUp(step.OutputConversions, c.OutputLanes);
        return Math.Max(input, output);
    }

    private static long DivideRoundingUp(long numerator, long denominator) => (numerator + denominator - 1) / denominator;

    /// <summary>The step as a trace sees it: compute, then fill and drain, then any SRAM-bandwidth and converter excess on
    /// the engine's track (so the slices add up to the compute and stall counters), the conversions it makes, and the
    /// buffer words it reads.</summary>
    private void TraceStep(ITraceSink trace, in ComputeStep step, long durationCycles, long sramExcess, long converterExcess, long ifmapWords, long weightWords)
    {
        long now = Simulation.Now.Value;
        bool array = step.Macs > 0;
        string name = step.WeightTile >= 0 ? $"ifmap {step.IfmapTile} weights {step.WeightTile}" : $"ifmap {step.IfmapTile}";
        long busy = step.ComputeCycles - step.FillDrainCycles;
        trace.Slice(new TraceSlice(Path, name, TraceCategory.Compute, now, busy, array ? step.Macs : step.VectorOps, array ? "macs" : "vector_ops",
            step.Loop.IsEmpty ? null : step.Loop.ToString()));
        trace.Slice(new TraceSlice(Path, StallCauses.Name(StallCause.FillDrain), TraceCategory.Stall, now + busy, step.FillDrainCycles));
        trace.Slice(new TraceSlice(
            Path, StallCauses.Name(StallCause.SramBandwidth), TraceCategory.Stall, now + step.ComputeCycles, sramExcess));
        trace.Slice(new TraceSlice(
            Path, StallCauses.Name(StallCause.Converter), TraceCategory.Stall, now + step.ComputeCycles + sramExcess, converterExcess));
        trace.Slice(new TraceSlice(
            Path, StallCauses.Name(StallCause.VectorUnit), TraceCategory.Stall, now + step.ComputeCycles + sramExcess + converterExcess,
            durationCycles - step.ComputeCycles - sramExcess - converterExcess));
        long conversions = step.InputConversions + step.OutputConversions;
        if (conversions > 0)
        {
            trace.Slice(new TraceSlice(ComponentId.BfpConverter.Path, "convert", TraceCategory.Conversion, now, durationCycles, conversions, "elements"));
        }

        TraceReads(trace, _ifmap, _ifmapSram, 0, step.IfmapTile, ifmapWords, now);
        if (step.WeightTile >= 0 && _weights is not null)
        {
            TraceReads(trace, _weights, _weightSram, _weightRegionWords, step.WeightTile, weightWords, now);
        }
    }

    /// <summary>Word reads from a tile's buffer half (tile i sits in half i mod 2), the ports' worth of every bank per
    /// cycle, wrapping within the tile when the step reads its operands more than once.</summary>
    private static void TraceReads(ITraceSink trace, TileLoader loader, SramConfig sram, long regionWords, int tile, long words, long now)
    {
        WordRun run = ReadRun(loader, sram, regionWords, tile, words);
        trace.Access(new TraceAccess($"{loader.Path}.sram_read", now, words, sram.ReadPorts * sram.Banks, run.BaseWord, 0, run.SpanWords));
    }
}
