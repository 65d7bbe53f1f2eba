namespace AccelSim.Numerics;

/// <summary>The four-stage error model of docs/numerics.md: a layer's NSR predicted from block statistics alone.</summary>
/// <remarks>
/// A rounding error spread uniformly over one step has mean square Δ²/12 (round to nearest); a directed mode adds a
/// mean of Δ/2, giving Δ²/3. Stochastic rounding is unbiased with mean square f(1−f)Δ² for a fractional part f, whose
/// mean over a uniform f is Δ²/6. Independent relative errors add: NSR_out ≈ NSR_in + NSR_w + NSR_mac + NSR_carried.
/// </remarks>
public static class ErrorModel
{
    /// <summary>c_R: the mean square rounding error in units of Δ².</summary>
    public static double RoundingConstant(RoundingMode mode) => mode switch
    {
        RoundingMode.NearestEven => 1.0 / 12,
        RoundingMode.Stochastic => 1.0 / 6,
        _ => 1.0 / 3,
    };

    /// <summary>Stage 1 or 2: Σ n_b·Δ_b²·c_R / Σ x² (0 for an all-zero tensor).</summary>
    public static double QuantizationNsr(double stepPower, double signalPower, RoundingMode mode) =>
        signalPower == 0 ? 0 : stepPower * RoundingConstant(mode) / signalPower;

    /// <summary>A measured ratio is flagged when it exceeds the prediction by more than this factor.</summary>
    public const double FlagFactor = 2.0;
}
