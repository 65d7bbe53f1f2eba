using AccelSim.Hardware;

namespace AccelSim.ScaleSim;

/// <summary>SCALE-Sim v2's compute model of one layer on an R×C systolic array, in closed form.</summary>
/// <remarks>
/// The layer is a GEMM with M = output pixels, K = window size, N = filters. Each dataflow maps two of them onto the
/// array and streams the third (T): os (Sr = M, Sc = N, T = K), ws (Sr = K, Sc = N, T = M), is (Sr = K, Sc = M, T = N).
/// Folds = ceil(Sr/R)·ceil(Sc/C) run back to back; a fold takes T + R + C − 2 cycles (os) or 2R + C + T − 2 (ws, is);
/// SCALE-Sim reports folds × that − 1 when nothing stalls. Its mapping efficiency is the mean over folds of the used
/// fraction of the array, and its compute utilization the mean of used·T / (R·C·cyc), where cyc is the os fold length
/// but, for ws and is, 2R + 2C + T − 3: (C − 1) longer than the fold, as SCALE-Sim's code computes it.
/// </remarks>
public static class ScaleSimCompute
{
    public sealed record Result(long Folds, long CyclesPerFold, long TotalCycles, double MappingEfficiencyPercent, double ComputeUtilizationPercent);

    public static Result Of(Dataflow dataflow, int rows, int cols, long m, long k, long n)
    {
        (long sr, long sc, long t) = dataflow switch
        {
            Dataflow.OutputStationary => (m, n, k),
            Dataflow.WeightStationary => (k, n, m),
            Dataflow.InputStationary => (k, m, n),
            _ => throw new ArgumentOutOfRangeException(nameof(dataflow), dataflow, "SCALE-Sim models os, ws and is"),
        };
        long rowFolds = (sr + rows - 1) / rows;
        long colFolds = (sc + cols - 1) / cols;
        bool outputStationary = dataflow == Dataflow.OutputStationary;
        long cyclesPerFold = outputStationary ? t + rows + cols - 2 : (2L * rows) + cols + t - 2;
        long utilizationCycles = outputStationary ? cyclesPerFold : (2L * rows) + (2L * cols) + t - 3;

        double mapping = 0;
        double compute = 0;
        for (long cf = 0; cf < colFolds; cf++)
        {
            long usedCols = Math.Min(cols, sc - (cf * cols));
            for (long rf = 0; rf < rowFolds; rf++)
            {
                long usedRows = Math.Min(rows, sr - (rf * rows));
                double used = (double)usedRows * usedCols / ((double)rows * cols);
                mapping += used;
                compute += used * t / utilizationCycles;
            }
        }

        long folds = rowFolds * colFolds;
        return new Result(folds, cyclesPerFold, (folds * cyclesPerFold) - 1, 100 * mapping / folds, 100 * compute / folds);
    }
}
