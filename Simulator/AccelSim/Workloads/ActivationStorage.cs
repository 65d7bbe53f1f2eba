namespace AccelSim.Workloads;

/// <summary>How a feature map is stored in SRAM and DRAM (docs/memory.md).</summary>
public enum ActivationStorage
{
    /// <summary>IEEE float32, 32 bits per element.</summary>
    Float32,

    /// <summary>IEEE float16 (round to nearest even), 16 bits per element.</summary>
    Float16,

    /// <summary>bfloat16 (float32's exponent, 8 significand bits; round to nearest even), 16 bits per element.</summary>
    Bfloat16,

    /// <summary>Symmetric int8 with one float32 scale per tensor (max |x| / 127), 8 bits per element.</summary>
    Int8,

    /// <summary>The layer's BFP input format (or its MX format): mantissas plus the shared exponents of its blocks.</summary>
    Bfp,
}
