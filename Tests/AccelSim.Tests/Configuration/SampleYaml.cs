namespace AccelSim.Tests.Configuration;

/// <summary>Valid files in block or one-line-per-item style, so that each invalid case can name a line and a column.</summary>
public static class SampleYaml
{
    /// <summary>A valid hardware file: 32x16 weight-stationary, 12.8 GB/s at 1000 MHz, bfp(6, 10), the default scheme.</summary>
    public const string HardwareYaml = """
        version: 1
        name: test
        clock_mhz: 1000
        pe_array:
          rows: 32
          cols: 16
          dataflow: weight_stationary
        buffers:
          ifmap:
            capacity_bytes: 65536
            word_bits: 512
            read_ports: 2
            write_ports: 1
          weights: { capacity_bytes: 32768, word_bits: 256, read_ports: 1, write_ports: 1 }
          ofmap: { capacity_bytes: 16384, word_bits: 128, read_ports: 1, write_ports: 2 }
        dram:
          bandwidth_gb_per_s: 12.8
          latency_cycles: 50
        vector_unit:
          lanes: 16
        bfp:
          exponent_bits: 6
          mantissa_bits: 10
        energy_table: energy/horowitz_45nm.yaml
        """;

    /// <summary>A valid workload: conv1 8x8x8, conv2 8x8x8, pool1 8x4x4, fc1 10x1x1.</summary>
    public const string WorkloadYaml = """
        version: 1
        name: test
        input: { channels: 4, height: 8, width: 8 }
        inputs: { synthetic: { seed: 7 } }
        weights: { synthetic: { seed: 42 } }
        layers:
          - { name: conv1, type: conv, filters: 8, kernel: 3, padding: 1, relu: true }
          - { name: conv2, type: conv, filters: 8, kernel: 3, padding: 1 }
          - { name: pool1, type: max_pool, kernel: 2 }
          - { name: fc1, type: fc, outputs: 10 }
        """;

    /// <summary>A complete energy table; sram_access uses points.</summary>
    public const string EnergyTableYaml = """
        version: 1
        name: test_table
        technology_nm: 45
        entries:
          int_mult: { pj: 0.2, reference_bits: 8, scaling: quadratic, source: "paper A" }
          int_add: { pj: 0.1, reference_bits: 32, scaling: linear, source: "paper A" }
          fp32_add: { pj: 0.9, reference_bits: 32, scaling: none, source: "paper A" }
          fp32_mult: { pj: 3.7, reference_bits: 32, scaling: none, source: "paper A" }
          sram_access:
            points:
              - { capacity_bytes: 8192, pj: 10 }
              - { capacity_bytes: 32768, pj: 20 }
            reference_bits: 64
            scaling: linear
            source: "paper B"
          dram_access: { pj: 1300, reference_bits: 64, scaling: linear, source: "paper A" }
          bfp_input_convert: { pj: 0.13, reference_bits: 8, scaling: linear, source: "derived" }
          bfp_output_convert: { pj: 0.9, reference_bits: 32, scaling: none, source: "derived" }
          fp16_mult: { pj: 1.1, reference_bits: 16, scaling: none, source: "paper A" }
          fp16_add: { pj: 0.4, reference_bits: 16, scaling: none, source: "paper A" }
          register_access: { pj: 0.1, reference_bits: 32, scaling: linear, source: "derived" }
          leakage_sram: { microwatts: 8, reference_bits: 8192, scaling: linear, source: "assumed" }
          leakage_logic: { microwatts: 5, reference_bits: 1, scaling: none, source: "assumed" }
        """;
}
