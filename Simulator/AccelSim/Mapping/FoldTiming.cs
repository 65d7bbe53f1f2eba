using AccelSim.Hardware;

namespace AccelSim.Mapping;

/// <summary>The length of one fold of the PE array: the closed form, or the literal PE model when the run asks for it.</summary>
public static class FoldTiming
{
    /// <summary>Largest PE-cycles (PEs × cycles of one fold) the PE-level model is allowed to simulate per layer.</summary>
    public const long MaxPeLevelWork = 200_000_000;

    /// <summary>Cycles of one fold that streams <paramref name="streamed"/> operand rows through the array.</summary>
    /// <remarks>Closed form (as SCALE-Sim): os T + R + C − 2 (R−1 skew, C−1 drain); ws and is 2R + C + T − 2 (R cycles
    /// loading the stationary block, then T + R + C − 2 as for os).</remarks>
    /// <param name="detail">The run's timing detail: the closed form, or the literal PE model.</param>
    public static long CyclesPerFold(AcceleratorConfig config, TimingDetail detail, long streamed)
    {
        int rows = config.PeArray.Rows;
        int cols = config.PeArray.Cols;
        Dataflow dataflow = config.PeArray.Dataflow;
        if (detail == TimingDetail.PeLevel)
        {
            long work = (long)rows * cols * (streamed + (2L * rows) + cols);
            if (work > MaxPeLevelWork)
            {
                throw new MappingException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"the PE-level model would simulate {work:N0} PE-cycles for one fold ({rows}x{cols} array, {streamed} streamed rows); " +
                    $"it is limited to {MaxPeLevelWork:N0}: use the closed form (--detail fold) for arrays or layers this large"));
            }

            return SystolicPeModel.FoldCycles(dataflow, rows, cols, streamed);
        }

        return dataflow == Dataflow.OutputStationary ? streamed + rows + cols - 2 : (2L * rows) + cols + streamed - 2;
    }
}
