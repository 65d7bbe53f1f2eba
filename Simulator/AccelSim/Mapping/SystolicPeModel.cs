using AccelSim.Hardware;

namespace AccelSim.Mapping;

/// <summary>A literal model of an R×C systolic array: a register per PE, operands moving one PE per cycle, every cycle
/// simulated. It computes real GEMM values and counts the cycles of each fold, as the check on the closed form.</summary>
/// <remarks>
/// The GEMM is <c>O (M×N) = A (M×K) · B (K×N)</c> (A the im2col input, B the weights). Every fold drives the whole array:
/// PEs outside the used rows and columns receive zeros, exactly as SCALE-Sim pads its operand matrices, so the fold lasts
/// as long whatever part of the array is used.
/// <list type="bullet">
/// <item>Output stationary: A's rows enter from the left, row i delayed by i cycles; B's columns enter from the top,
/// column j delayed by j cycles; PE(i,j) accumulates its output in place. The fold ends the cycle the last operands leave
/// PE(R−1,C−1); the accumulators are read out in parallel with the next fold, which is SCALE-Sim's accounting.</item>
/// <item>Weight and input stationary: first the stationary block is shifted in from the top, one row per cycle, R cycles.
/// Then the streamed operand enters from the left (row i delayed by i cycles) and moves right; partial sums move down one
/// PE per cycle and leave the bottom of each column. The fold ends the cycle the last partial sum leaves the array.</item>
/// </list>
/// A fold's cycle count is the number of cycles from its first injection to the last cycle any operand or partial sum is
/// still inside the array. Operands that should meet in a PE but do not (a skew error) throw.
/// </remarks>
public static class SystolicPeModel
{
    /// <summary>The result of a GEMM run fold by fold.</summary>
    /// <param name="Cycles">The sum of every fold's cycles (folds run back to back).</param>
    /// <param name="FoldCycles">Each fold's cycles, in execution order (column folds outer, row folds inner).</param>
    /// <param name="Output">O = A·B as the array computed it.</param>
    public sealed record GemmRun(long Cycles, IReadOnlyList<long> FoldCycles, double[,] Output);

    /// <summary>Runs <c>A·B</c> on a <paramref name="rows"/>×<paramref name="cols"/> array with SCALE-Sim's mapping of
    /// each dataflow (os: M on rows, N on columns, K streamed; ws: K on rows, N on columns, M streamed; is: K on rows,
    /// M on columns, N streamed).</summary>
    public static GemmRun Gemm(Dataflow dataflow, int rows, int cols, double[,] a, double[,] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        int m = a.GetLength(0);
        int k = a.GetLength(1);
        int n = b.GetLength(1);
        if (b.GetLength(0) != k)
        {
            throw new ArgumentException($"A is {m}x{k} but B has {b.GetLength(0)} rows", nameof(b));
        }

        var output = new double[m, n];
        var folds = new List<long>();
        switch (dataflow)
        {
            case Dataflow.OutputStationary:
                for (int n0 = 0; n0 < n; n0 += cols)
                {
                    for (int m0 = 0; m0 < m; m0 += rows)
                    {
                        int usedRows = Math.Min(rows, m - m0);
                        int usedCols = Math.Min(cols, n - n0);
                        var acc = new double[rows, cols];
                        int rowOffset = m0;
                        int colOffset = n0;
                        folds.Add(OutputStationaryFold(rows, cols, k, acc,
                            (i, t) => i < usedRows ? a[rowOffset + i, t] : 0,
                            (t, j) => j < usedCols ? b[t, colOffset + j] : 0));
                        for (int i = 0; i < usedRows; i++)
                        {
                            for (int j = 0; j < usedCols; j++)
                            {
                                output[m0 + i, n0 + j] = acc[i, j];
                            }
                        }
                    }
                }

                break;
            case Dataflow.WeightStationary:
                for (int n0 = 0; n0 < n; n0 += cols)
                {
                    for (int k0 = 0; k0 < k; k0 += rows)
                    {
                        int usedRows = Math.Min(rows, k - k0);
                        int usedCols = Math.Min(cols, n - n0);
                        int kOffset = k0;
                        int nOffset = n0;
                        folds.Add(StationaryFold(rows, cols, m,
                            (i, j) => i < usedRows && j < usedCols ? b[kOffset + i, nOffset + j] : 0,
                            (t, i) => i < usedRows ? a[t, kOffset + i] : 0,
                            (t, j, value) =>
                            {
                                if (j < usedCols)
                                {
                                    output[t, nOffset + j] += value;
                                }
                            }));
                    }
                }

                break;
            case Dataflow.InputStationary:
                for (int m0 = 0; m0 < m; m0 += cols)
                {
                    for (int k0 = 0; k0 < k; k0 += rows)
                    {
                        int usedRows = Math.Min(rows, k - k0);
                        int usedCols = Math.Min(cols, m - m0);
                        int kOffset = k0;
                        int mOffset = m0;
                        folds.Add(StationaryFold(rows, cols, n,
                            (i, j) => i < usedRows && j < usedCols ? a[mOffset + j, kOffset + i] : 0,
                            (t, i) => i < usedRows ? b[kOffset + i, t] : 0,
                            (t, j, value) =>
                            {
                                if (j < usedCols)
                                {
                                    output[mOffset + j, t] += value;
                                }
                            }));
                    }
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dataflow), dataflow, "the PE model runs os, ws and is");
        }

        return new GemmRun(folds.Sum(), folds, output);
    }

    /// <summary>The cycles of one fold with <paramref name="streamed"/> operand rows, simulated PE by PE (values zero).</summary>
    public static long FoldCycles(Dataflow dataflow, int rows, int cols, long streamed)
    {
        int t = checked((int)streamed);
        return dataflow switch
        {
            Dataflow.OutputStationary => OutputStationaryFold(rows, cols, t, new double[rows, cols], (_, _) => 0, (_, _) => 0),
            Dataflow.WeightStationary or Dataflow.InputStationary => StationaryFold(rows, cols, t, (_, _) => 0, (_, _) => 0, (_, _, _) => { }),
            _ => throw new ArgumentOutOfRangeException(nameof(dataflow), dataflow, "the PE model runs os, ws and is"),
        };
    }

    /// <summary>One output-stationary fold: <paramref name="left"/>(i, k) enters row i at cycle k + i,
    /// <paramref name="top"/>(k, j) enters column j at cycle k + j; PE(i,j) accumulates in <paramref name="acc"/>.</summary>
    private static long OutputStationaryFold(
        int rows, int cols, int streamed, double[,] acc, Func<int, int, double> left, Func<int, int, double> top)
    {
        // Registers: the operand each PE latched this cycle (value and whether one is there), double-buffered.
        var a = new Register[rows, cols];
        var b = new Register[rows, cols];
        var nextA = new Register[rows, cols];
        var nextB = new Register[rows, cols];
        long lastBusy = -1;
        long lastInjection = streamed - 1 + Math.Max(rows, cols) - 1;
        for (long cycle = 0; ; cycle++)
        {
            bool busy = false;
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < cols; j++)
                {
                    long leftIndex = cycle - i;
                    long topIndex = cycle - j;
                    nextA[i, j] = j == 0
                        ? leftIndex >= 0 && leftIndex < streamed ? new Register(true, left(i, (int)leftIndex)) : default
                        : a[i, j - 1];
                    nextB[i, j] = i == 0
                        ? topIndex >= 0 && topIndex < streamed ? new Register(true, top((int)topIndex, j)) : default
                        : b[i - 1, j];
                    if (nextA[i, j].Valid != nextB[i, j].Valid)
                    {
                        throw new InvalidOperationException($"operands out of step at PE({i},{j}), cycle {cycle}");
                    }

                    if (nextA[i, j].Valid)
                    {
                        acc[i, j] += nextA[i, j].Value * nextB[i, j].Value;
                        busy = true;
                    }
                }
            }

            (a, nextA) = (nextA, a);
            (b, nextB) = (nextB, b);
            if (busy)
            {
                lastBusy = cycle;
            }
            else if (cycle > lastInjection)
            {
                return lastBusy + 1;
            }
        }
    }

    /// <summary>One weight- or input-stationary fold: <paramref name="stationary"/>(i, j) is shifted in from the top in
    /// <c>rows</c> cycles; then <paramref name="streamedAt"/>(t, i) enters row i at cycle rows + t + i, partial sums move
    /// down and leave the bottom of column j, where <paramref name="emit"/>(t, j, sum) receives them.</summary>
    private static long StationaryFold(
        int rows, int cols, int streamed, Func<int, int, double> stationary, Func<int, int, double> streamedAt, Action<int, int, double> emit)
    {
        var held = new Register[rows, cols];
        var nextHeld = new Register[rows, cols];
        long cycle = 0;
        long lastBusy = -1;

        // Load: each cycle the column shift registers move down one PE; row (rows − 1 − cycle) enters at the top, so after
        // `rows` cycles PE(i,j) holds stationary(i, j).
        for (; cycle < rows; cycle++)
        {
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < cols; j++)
                {
                    nextHeld[i, j] = i == 0 ? new Register(true, stationary(rows - 1 - (int)cycle, j)) : held[i - 1, j];
                }
            }

            (held, nextHeld) = (nextHeld, held);
            lastBusy = cycle;
        }

        var operand = new Register[rows, cols];
        var sum = new Register[rows, cols];
        var nextOperand = new Register[rows, cols];
        var nextSum = new Register[rows, cols];
        long start = rows;
        long lastInjection = start + streamed - 1 + rows - 1;
        for (; ; cycle++)
        {
            bool busy = false;
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < cols; j++)
                {
                    long index = cycle - start - i;
                    Register x = j == 0
                        ? index >= 0 && index < streamed ? new Register(true, streamedAt((int)index, i)) : default
                        : operand[i, j - 1];
                    Register above = i == 0 ? default : sum[i - 1, j];
                    if (i > 0 && above.Valid != x.Valid)
                    {
                        throw new InvalidOperationException($"partial sum and operand out of step at PE({i},{j}), cycle {cycle}");
                    }

                    nextOperand[i, j] = x;
                    nextSum[i, j] = x.Valid ? new Register(true, above.Value + (x.Value * held[i, j].Value)) : default;
                    if (x.Valid)
                    {
                        busy = true;
                        if (i == rows - 1)
                        {
                            emit((int)(cycle - start - (rows - 1) - j), j, nextSum[i, j].Value);
                        }
                    }
                }
            }

            (operand, nextOperand) = (nextOperand, operand);
            (sum, nextSum) = (nextSum, sum);
            if (busy)
            {
                lastBusy = cycle;
            }
            else if (cycle > lastInjection)
            {
                return lastBusy + 1;
            }
        }
    }

    private readonly record struct Register(bool Valid, double Value);
}
