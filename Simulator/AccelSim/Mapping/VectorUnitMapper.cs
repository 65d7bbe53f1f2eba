using System.Globalization;
using AccelSim.Hardware;
using AccelSim.Workloads;
using static AccelSim.Mapping.DataSizes;

namespace AccelSim.Mapping;

/// <summary>Maps the layers without MACs (pooling, residual add, ReLU, concat) onto the vector unit: a step reads a tile
/// of the input buffer and spends one cycle per <c>lanes</c> operations.</summary>
internal static class VectorUnitMapper
{
    /// <summary>Pooling: blocks of whole channel planes per step, or bands of output rows when a plane is too large.</summary>
    /// <exception cref="MappingException">Not even one output row's input rows fit half the ifmap buffer.</exception>
    public static TileSchedule MapPool(PoolLayer pool, int batch, AcceleratorConfig config, LayerContext context)
    {
        // Channels are independent: a step pools a block of whole channel planes of one batch item.
        PoolShape shape = pool.ShapeFor(batch);
        long planeInputs = shape.PlaneInputElements;
        long planeOutputs = shape.PlaneOutputs;
        long half = context.Buffers.Ifmap.HalfCapacityBytes;
        int channelsPerStep = (int)Fitting.Largest(shape.Channels,
            c => context.Input.Bytes(planeInputs * c) <= half && context.Output.Bytes(planeOutputs * c) <= context.Buffers.Ofmap.CapacityBytes);
        if (channelsPerStep < 1)
        {
            return MapPoolByRows(pool.Name, shape, config, context);
        }

        long windowOps = shape.WindowElements;
        IEnumerable<ScheduleEntry> Emit()
        {
            var tiles = new TileNumbers();
            for (int item = 0; item < shape.Batch; item++)
            {
                for (int c0 = 0; c0 < shape.Channels; c0 += channelsPerStep)
                {
                    int channels = Math.Min(channelsPerStep, shape.Channels - c0);
                    long outputs = planeOutputs * channels;
                    long bytes = context.Input.Bytes(planeInputs * channels);
                    yield return tiles.Ifmap(bytes);
                    yield return ScheduleEntry.Compute(VectorStep(tiles.LastIfmap, outputs * windowOps, outputs, bytes, config, context));
                }
            }
        }

        var schedule = new TileSchedule(Emit, EngineKind.VectorUnit, string.Empty);
        return schedule.WithDescription(
            string.Create(CultureInfo.InvariantCulture, $"vector unit, {config.VectorUnit.Lanes} lanes: {schedule.Steps.Length} step(s) of up to {channelsPerStep} channel plane(s)"));
    }

    /// <summary>A channel plane too large for half the buffer is pooled in bands of output rows, each fetching the input
    /// rows its windows read (neighbouring bands re-read the rows they share when windows overlap).</summary>
    private static TileSchedule MapPoolByRows(string layerName, PoolShape shape, AcceleratorConfig config, LayerContext context)
    {
        long half = context.Buffers.Ifmap.HalfCapacityBytes;
        long RowBytes(long rows) => context.Input.Bytes(rows * shape.InWidth);
        long InputRows(int first, int count)
        {
            long top = Math.Max(0, ((long)first * shape.StrideHeight) - shape.PadTop);
            long bottom = Math.Min(shape.InHeight - 1, ((long)(first + count - 1) * shape.StrideHeight) - shape.PadTop + shape.KernelHeight - 1);
            return Math.Max(0, bottom - top + 1);
        }

        // The most input rows any band of `count` output rows reads (bands next to the padding read fewer).
        long MostInputRows(int count)
        {
            long most = 0;
            for (int first = 0; first < shape.OutHeight; first += count)
            {
                most = Math.Max(most, InputRows(first, Math.Min(count, shape.OutHeight - first)));
            }

            return most;
        }

        int rowsPerStep = 0;
        while (rowsPerStep < shape.OutHeight
            && RowBytes(MostInputRows(rowsPerStep + 1)) <= half
            && context.Output.Bytes((long)(rowsPerStep + 1) * shape.OutWidth) <= context.Buffers.Ofmap.CapacityBytes)
        {
            rowsPerStep++;
        }

        if (rowsPerStep == 0)
        {
            throw new MappingException(string.Create(CultureInfo.InvariantCulture,
                $"layer '{layerName}': the input rows of one output row ({RowBytes(MostInputRows(1))} bytes) do not fit half the ifmap buffer ({half} bytes); enlarge the buffer"));
        }

        long windowOps = shape.WindowElements;
        IEnumerable<ScheduleEntry> Emit()
        {
            var tiles = new TileNumbers();
            for (int plane = 0; plane < shape.Planes; plane++)
            {
                for (int first = 0; first < shape.OutHeight; first += rowsPerStep)
                {
                    int rows = Math.Min(rowsPerStep, shape.OutHeight - first);
                    long bytes = RowBytes(InputRows(first, rows));
                    long outputs = (long)rows * shape.OutWidth;
                    yield return tiles.Ifmap(bytes);
                    yield return ScheduleEntry.Compute(VectorStep(tiles.LastIfmap, outputs * windowOps, outputs, bytes, config, context));
                }
            }
        }

        var schedule = new TileSchedule(Emit, EngineKind.VectorUnit, string.Empty);
        return schedule.WithDescription(
            string.Create(CultureInfo.InvariantCulture, $"vector unit, {config.VectorUnit.Lanes} lanes: {schedule.Steps.Length} step(s) of up to {rowsPerStep} output row(s) of one channel plane"));
    }

    /// <summary>An elementwise layer of <paramref name="elements"/> outputs in steps as large as the buffers allow.</summary>
    /// <param name="inputs">Input elements read per output element.</param>
    /// <param name="what">The layer's kind, for the schedule's description.</param>
    /// <exception cref="MappingException">Not even one element fits the buffers.</exception>
    public static TileSchedule MapElementwise(long elements, int inputs, int opsPerElement, AcceleratorConfig config, LayerContext context, string what)
    {
        // Bounded by the bits of half the buffer (no element takes less than a bit), so the step size does not depend on the layer's size.
        long perStep = Fitting.Largest(context.Buffers.Ifmap.HalfCapacityBytes * 8,
            n => context.Input.Bytes(n * inputs) <= context.Buffers.Ifmap.HalfCapacityBytes && context.Output.Bytes(n) <= context.Buffers.Ofmap.CapacityBytes);
        if (perStep < 1)
        {
            throw new MappingException("the ifmap and ofmap buffers are too small for even one element");
        }

        IEnumerable<ScheduleEntry> Emit()
        {
            var tiles = new TileNumbers();
            for (long first = 0; first < elements; first += perStep)
            {
                long count = Math.Min(perStep, elements - first);
                long bytes = context.Input.Bytes(count * inputs);
                yield return tiles.Ifmap(bytes);
                yield return ScheduleEntry.Compute(VectorStep(tiles.LastIfmap, count * opsPerElement, count, bytes, config, context));
            }
        }

        var schedule = new TileSchedule(Emit, EngineKind.VectorUnit, string.Empty);
        return schedule.WithDescription(
            string.Create(CultureInfo.InvariantCulture, $"vector unit, {config.VectorUnit.Lanes} lanes: {what} in {schedule.Steps.Length} step(s) of up to {perStep} element(s)"));
    }

    /// <remarks>The vector unit computes in float32: reading a stored format widens it and writing rounds it, within its
    /// lanes' operation; only a BFP output is formatted by the converter (its blocks' exponents).</remarks>
    private static ComputeStep VectorStep(int tile, long ops, long outputs, long readBytes, AcceleratorConfig config, LayerContext context) => new()
    {
        IfmapTile = tile,
        WeightTile = -1,
        ComputeCycles = CeilDiv(ops, config.VectorUnit.Lanes),
        FillDrainCycles = 0,
        Macs = 0,
        IfmapReadBytes = readBytes,
        WeightReadBytes = 0,
        OutputBytes = context.Output.Bytes(outputs),
        InputConversions = context.Conversions(0, outputs),
        OutputConversions = 0,
        VectorOps = ops,
    };
}
