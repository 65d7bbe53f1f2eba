using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Statistics;
using AccelSim.ScaleSim;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Execution;

/// <summary>Rules every layer timing must obey, checked over a seeded sample of shapes and memory sizes.</summary>
public sealed class TimingInvariantTests
{
    private static IEnumerable<TestCaseData> RandomLayers()
    {
        var random = new Random(20261128);
        for (int i = 0; i < 40; i++)
        {
            int channels = random.Next(1, 24);
            int size = random.Next(3, 20);
            int kernel = random.Next(1, 4);
            int stride = random.Next(1, 3);
            int pad = random.Next(0, kernel);
            int filters = random.Next(1, 20);
            long capacity = 1L << random.Next(11, 15);
            double bandwidth = new[] { 0.5, 2, 4, 16 }[random.Next(4)];
            int rows = random.Next(2, 9);
            int cols = random.Next(2, 9);
            ConvLayer conv = TestNetworks.SquareConv(channels, size, filters, kernel, stride, pad);
            AcceleratorConfig config = TestHardware.TinyWith(rows, cols, capacity, bandwidth, random.Next(0, 50));
            yield return new TestCaseData(conv, config).SetName($"Layer{i:00}_{channels}x{size}x{size}_k{kernel}s{stride}p{pad}_f{filters}_{rows}x{cols}_{capacity}B_{bandwidth}Bpc");
        }
    }

    [TestCaseSource(nameof(RandomLayers))]
    public void Timing_ObeysConservationAndTheObviousBounds(ConvLayer conv, AcceleratorConfig config)
    {
        LayerTiming t = LayerSimulator.Run(conv, 1, config);

        long folds = ((conv.OutputShape.Height * conv.OutputShape.Width) + config.PeArray.Rows - 1) / config.PeArray.Rows
            * ((conv.OutputChannels + config.PeArray.Cols - 1) / config.PeArray.Cols);
        long uniqueInputBytes = conv.InputShape.Elements * 4;
        Assert.Multiple(() =>
        {
            // Every cycle is compute or a stall of one cause.
            Assert.That(t.ComputeCycles + t.StallCycles, Is.EqualTo(t.TotalCycles));
            // The array time is exactly the folds' closed form, K + R + C − 2 each: K computing, R + C − 2 filling and draining.
            Assert.That(t.ComputeCycles, Is.EqualTo(folds * conv.ReductionLength));
            Assert.That(t.StallCyclesByCause[StallCause.FillDrain], Is.EqualTo(folds * (config.PeArray.Rows + config.PeArray.Cols - 2)));
            // The channel cannot move data faster than its bandwidth.
            Assert.That(t.TotalCycles, Is.GreaterThanOrEqualTo((long)Math.Floor((t.DramReadBytes + t.DramWriteBytes) / config.Dram.BandwidthBytesPerCycle)));
            // Every result is written once; every input row that a window reads is fetched at least once.
            Assert.That(t.DramWriteBytes, Is.EqualTo(conv.OutputShape.Elements * 4));
            Assert.That(t.DramReadBytes, Is.GreaterThan(0));
            Assert.That(t.Activity.Of(ComputeEngine.Macs), Is.EqualTo(conv.MacsPerItem));
            Assert.That(t.DramReadBytes, Is.LessThanOrEqualTo(uniqueInputBytes * 64 + (conv.Parameters * 8)), "no runaway refetching");
        });
    }

    /// <summary>Layers where not even one input channel of one fold fits half the ifmap buffer, so output-stationary
    /// streams K in pieces of a channel: GEMMs in SCALE-Sim's form (one channel, a 1×K filter) and wide 3×3 convs.</summary>
    private static IEnumerable<TestCaseData> LayersWithChannelsLargerThanTheBuffer()
    {
        var random = new Random(20261129);
        for (int i = 0; i < 24; i++)
        {
            bool gemm = i % 2 == 0;
            int rows = random.Next(2, 9);
            int cols = random.Next(2, 9);
            int filters = random.Next(1, 20);
            int height = gemm ? random.Next(4, 40) : random.Next(3, 7);
            int width = gemm ? random.Next(64, 300) : random.Next(100, 400);
            int channels = gemm ? 1 : random.Next(1, 3);
            int kernelWidth = gemm ? width : 3;
            int pad = gemm ? 0 : random.Next(0, 2);
            var conv = TestNetworks.TinyConv() with
            {
                InputShape = new TensorShape(channels, height, width),
                OutputShape = gemm ? new TensorShape(filters, height, 1) : new TensorShape(filters, height + (2 * pad) - 2, width + (2 * pad) - 2),
                OutputChannels = filters,
                KernelHeight = gemm ? 1 : 3,
                KernelWidth = kernelWidth,
                PadTop = pad,
                PadLeft = pad,
                PadBottom = pad,
                PadRight = pad,
            };

            // Half the buffer is below the fold's input rows of one channel (at least 2 rows for a conv, `rows` for a
            // GEMM, every row `width` wide) and at least two reduction steps (2 · rows · 4 B) of a fold.
            long rowsOfAFold = gemm ? rows : 2;
            long capacity = Math.Max(16L * rows, 1L << (int)Math.Floor(Math.Log2(rowsOfAFold * width * 4)));
            double bandwidth = new[] { 0.5, 2, 4, 16 }[random.Next(4)];
            AcceleratorConfig config = TestHardware.TinyWith(rows, cols, capacity, bandwidth, random.Next(0, 50));
            yield return new TestCaseData(conv, config).SetName(
                $"Layer{i:00}_{(gemm ? "gemm" : "conv")}_{channels}x{height}x{width}_k{conv.KernelHeight}x{kernelWidth}p{pad}_f{filters}_{rows}x{cols}_{capacity}B_{bandwidth}Bpc");
        }
    }

    [TestCaseSource(nameof(LayersWithChannelsLargerThanTheBuffer))]
    public void OutputStationary_StreamsKInPiecesOfAChannel_ObeyingConservation(ConvLayer conv, AcceleratorConfig config)
    {
        LayerTiming t = LayerSimulator.Run(conv, 1, config);
        LayerTiming compat = LayerSimulator.Run(conv, 1, config, ScaleSimContext(config));

        long m = (long)conv.OutputShape.Height * conv.OutputShape.Width;
        var closed = ScaleSimCompute.Of(Dataflow.OutputStationary, config.PeArray.Rows, config.PeArray.Cols, m, conv.ReductionLength, conv.OutputChannels);
        // Unique data: every input element is read by some window (stride 1, the kernel spans the padded input), and the
        // weights' BFP storage (8-bit mantissas, one 5-bit exponent per filter row) at least once.
        long uniqueBytes = (conv.InputShape.Elements * 4) + (((conv.OutputChannels * conv.ReductionLength * 8) + (conv.OutputChannels * 5) + 7) / 8);
        Assert.Multiple(() =>
        {
            Assert.That(t.Mapping, Does.Contain(", fetched per fold"), "the layer's folds gather their operands");
            Assert.That(t.ComputeCycles + t.StallCycles, Is.EqualTo(t.TotalCycles));
            Assert.That(ArrayCycles(t), Is.EqualTo(closed.TotalCycles + 1), "pieces follow one another: folds × (K + R + C − 2)");
            Assert.That(ArrayCycles(compat), Is.EqualTo(closed.TotalCycles + 1), "SCALE-Sim's closed form");
            Assert.That(t.Activity.Of(ComputeEngine.Macs), Is.EqualTo(conv.MacsPerItem));
            Assert.That(t.DramWriteBytes, Is.EqualTo(conv.OutputShape.Elements * 4), "every result written once");
            Assert.That(t.DramReadBytes, Is.GreaterThanOrEqualTo(uniqueBytes), "every input element and weight fetched at least once");
            Assert.That(t.TotalCycles, Is.GreaterThanOrEqualTo((long)Math.Floor((t.DramReadBytes + t.DramWriteBytes) / config.Dram.BandwidthBytesPerCycle)));
        });
    }

    [TestCaseSource(nameof(RandomLayers))]
    public void StationaryDataflows_ObeyConservation_AndMatchTheClosedFormInCompatibilityMode(ConvLayer conv, AcceleratorConfig config)
    {
        foreach (Dataflow dataflow in new[] { Dataflow.WeightStationary, Dataflow.InputStationary })
        {
            var native = config with { PeArray = config.PeArray with { Dataflow = dataflow } };
            long m = (long)conv.OutputShape.Height * conv.OutputShape.Width;
            var closed = ScaleSimCompute.Of(dataflow, config.PeArray.Rows, config.PeArray.Cols, m, conv.ReductionLength, conv.OutputChannels);
            LayerTiming t;
            LayerTiming c;
            try
            {
                t = LayerSimulator.Run(conv, 1, native);
                c = LayerSimulator.Run(conv, 1, native, ScaleSimContext(native));
            }
            catch (AccelSim.Mapping.MappingException e)
            {
                // Small buffers may not hold one fold's stationary block: that must be said, not mis-simulated.
                Assert.That(e.Message, Does.Contain("not fit"));
                continue;
            }

            Assert.Multiple(() =>
            {
                Assert.That(t.ComputeCycles + t.StallCycles, Is.EqualTo(t.TotalCycles), $"{dataflow}");
                // Natively, passes limited by the output buffer may each pay a fill; never fewer cycles than the closed form.
                Assert.That(ArrayCycles(t), Is.GreaterThanOrEqualTo(closed.TotalCycles + 1), $"{dataflow}");
                Assert.That(ArrayCycles(c), Is.EqualTo(closed.TotalCycles + 1), $"{dataflow}: SCALE-Sim's folds × (2R + C + T − 2)");
                long streamed = dataflow == Dataflow.WeightStationary ? m : conv.OutputChannels;
                Assert.That(c.ComputeCycles, Is.EqualTo(closed.Folds * streamed), $"{dataflow}: T per fold computing, the rest fill and drain");
                Assert.That(t.DramWriteBytes, Is.EqualTo(conv.OutputShape.Elements * 4), $"{dataflow}: every result written once");
                Assert.That(t.Activity.Of(ComputeEngine.Macs), Is.EqualTo(conv.MacsPerItem), $"{dataflow}");
                Assert.That(t.TotalCycles, Is.GreaterThanOrEqualTo((long)Math.Floor((t.DramReadBytes + t.DramWriteBytes) / config.Dram.BandwidthBytesPerCycle)));
            });
        }
    }

    /// <summary>Cycles the array held a fold: computing, filling and draining.</summary>
    private static long ArrayCycles(LayerTiming timing) => timing.ComputeCycles + timing.StallCyclesByCause[StallCause.FillDrain];

    /// <summary>A layer context that counts as SCALE-Sim does.</summary>
    private static LayerContext ScaleSimContext(AcceleratorConfig config) =>
        LayerContext.Of(config, new RunSettings { Counting = ScaleSimRunner.Conventions });
}
