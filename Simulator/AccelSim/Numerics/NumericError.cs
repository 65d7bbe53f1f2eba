namespace AccelSim.Numerics;

/// <summary>Error figures of an output against its reference (docs/numerics.md): SQNR (dB), NSR, max and mean absolute error,
/// relative RMSE = sqrt(NSR). SQNR is +∞ when the outputs are identical; NSR is NaN when the reference is all zero.</summary>
public sealed record NumericError(double SqnrDb, double Nsr, double MaxAbsError, double MeanAbsError, double RelativeRmse)
{
    public static NumericError Compare(ReadOnlySpan<float> output, ReadOnlySpan<float> reference)
    {
        if (output.Length != reference.Length)
        {
            throw new ArgumentException($"output has {output.Length} values, reference {reference.Length}", nameof(output));
        }

        double signal = 0;
        double noise = 0;
        double maxAbs = 0;
        double sumAbs = 0;
        for (int i = 0; i < output.Length; i++)
        {
            double r = reference[i];
            double e = (double)output[i] - r;
            signal += r * r;
            noise += e * e;
            maxAbs = Math.Max(maxAbs, Math.Abs(e));
            sumAbs += Math.Abs(e);
        }

        double nsr = noise / signal;
        double sqnr = noise == 0 ? double.PositiveInfinity : 10 * Math.Log10(signal / noise);
        return new NumericError(sqnr, nsr, maxAbs, output.Length == 0 ? 0 : sumAbs / output.Length, Math.Sqrt(nsr));
    }
}
