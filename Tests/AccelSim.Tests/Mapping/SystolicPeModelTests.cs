using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.ScaleSim;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Mapping;

/// <summary>The literal per-PE model against the closed form, the event model's schedules and a plain GEMM.</summary>
public sealed class SystolicPeModelTests
{
    private static readonly Dataflow[] Dataflows = [Dataflow.OutputStationary, Dataflow.WeightStationary, Dataflow.InputStationary];

    // Square and rectangular arrays, including a single PE and arrays taller or wider than the GEMM.
    private static readonly (int Rows, int Cols)[] Arrays = [(1, 1), (4, 4), (3, 5), (5, 2), (8, 3)];

    // (M, K, N): smaller than every array, equal to one, larger in one or all dimensions, not multiples of the array.
    private static readonly (int M, int K, int N)[] Gemms = [(1, 1, 1), (3, 2, 4), (4, 4, 4), (7, 9, 5), (20, 13, 11), (2, 30, 3)];

    private static IEnumerable<TestCaseData> Grid() =>
        from dataflow in Dataflows
        from array in Arrays
        from gemm in Gemms
        select new TestCaseData(dataflow, array.Rows, array.Cols, gemm.M, gemm.K, gemm.N)
            .SetName($"{dataflow} {array.Rows}x{array.Cols} M{gemm.M} K{gemm.K} N{gemm.N}");

    [TestCaseSource(nameof(Grid))]
    public void EveryFold_LastsExactlyTheClosedForm_AndTheArrayComputesTheGemm(Dataflow dataflow, int rows, int cols, int m, int k, int n)
    {
        (double[,] a, double[,] b) = Operands(m, k, n);

        var run = SystolicPeModel.Gemm(dataflow, rows, cols, a, b);
        var closed = ScaleSimCompute.Of(dataflow, rows, cols, m, k, n);

        Assert.Multiple(() =>
        {
            Assert.That(run.FoldCycles, Has.Count.EqualTo(closed.Folds));
            Assert.That(run.FoldCycles, Is.All.EqualTo(closed.CyclesPerFold));

            // SCALE-Sim reports the 0-based index of the last cycle: one less than the cycles the folds take.
            Assert.That(run.Cycles, Is.EqualTo(closed.TotalCycles + 1));
            Assert.That(run.Output, Is.EqualTo(PlainGemm(a, b)), "small integers: every sum is exact in double");
        });
    }

    [TestCaseSource(nameof(Grid))]
    public void TheEventModelsSchedule_TakesThePeModelsCycles_InBothDetails(Dataflow dataflow, int rows, int cols, int m, int k, int n)
    {
        // An FC layer of K inputs and N outputs at batch M is exactly the GEMM M×K·K×N.
        var fc = TestNetworks.TinyFc() with { InputShape = new TensorShape(k, 1, 1), OutputShape = new TensorShape(n, 1, 1), OutputFeatures = n };
        var config = LargeBuffers(dataflow, rows, cols);
        (double[,] a, double[,] b) = Operands(m, k, n);
        long peCycles = SystolicPeModel.Gemm(dataflow, rows, cols, a, b).Cycles;

        TileSchedule closedForm = Mapper.Map(fc, m, config);
        TileSchedule peLevel = Mapper.Map(fc, m, config, LayerContext.Of(config, new RunSettings { Detail = TimingDetail.PeLevel }));

        Assert.Multiple(() =>
        {
            Assert.That(closedForm.Steps.Sum(s => s.ComputeCycles), Is.EqualTo(peCycles));
            Assert.That(peLevel.Steps.Sum(s => s.ComputeCycles), Is.EqualTo(peCycles));
            Assert.That(closedForm.Steps.Sum(s => s.Macs), Is.EqualTo((long)m * k * n));
        });
    }

    private static IEnumerable<TestCaseData> Convs()
    {
        // (name, input C×H×W, filters, kernel, stride, pad, dilation, groups, batch)
        var shapes = new (string Name, int C, int H, int W, int Filters, int Kernel, int Stride, int Pad, int Dilation, int Groups, int Batch)[]
        {
            ("3x3 pad 1", 3, 6, 5, 4, 3, 1, 1, 1, 1, 1),
            ("3x3 stride 2", 2, 7, 7, 5, 3, 2, 0, 1, 1, 1),
            ("3x3 dilation 2 pad 2", 2, 6, 6, 3, 3, 1, 2, 2, 1, 1),
            ("groups 2", 4, 5, 5, 6, 3, 1, 1, 1, 2, 1),
            ("depthwise", 3, 5, 4, 3, 3, 1, 1, 1, 3, 1),
            ("1x1 batch 3", 5, 3, 3, 7, 1, 1, 0, 1, 1, 3),
        };
        return from dataflow in Dataflows
               from array in new[] { (4, 4), (3, 5) }
               from s in shapes
               select new TestCaseData(dataflow, array.Item1, array.Item2, s.C, s.H, s.W, s.Filters, s.Kernel, s.Stride, s.Pad, s.Dilation, s.Groups, s.Batch)
                   .SetName($"{dataflow} {array.Item1}x{array.Item2} {s.Name}");
    }

    [TestCaseSource(nameof(Convs))]
    public void ConvLayers_TakeThePeModelsCyclesOfTheirIm2colGemmPerGroup(
        Dataflow dataflow, int rows, int cols, int channels, int height, int width, int filters, int kernel, int stride, int pad, int dilation, int groups, int batch)
    {
        var conv = Conv(channels, height, width, filters, kernel, stride, pad, dilation, groups);
        long m = (long)conv.OutputShape.Height * conv.OutputShape.Width * batch;
        long k = conv.ReductionLength;
        long n = filters / groups;
        (double[,] a, double[,] b) = Operands((int)m, (int)k, (int)n);
        long perGroup = SystolicPeModel.Gemm(dataflow, rows, cols, a, b).Cycles;

        TileSchedule schedule = Mapper.Map(conv, batch, LargeBuffers(dataflow, rows, cols));

        Assert.Multiple(() =>
        {
            Assert.That(schedule.Steps.Sum(s => s.ComputeCycles), Is.EqualTo(groups * perGroup));
            Assert.That(schedule.Steps.Sum(s => s.Macs), Is.EqualTo(conv.MacsPerItem * batch));
            Assert.That(schedule.Steps.Sum(s => s.OutputBytes), Is.EqualTo(conv.OutputShape.Elements * batch * 4), "every output written once");
        });
    }

    [Test]
    public void PeLevelDetail_RefusesArraysTooLargeToSimulate()
    {
        var config = LargeBuffers(Dataflow.WeightStationary, 1024, 1024);
        var fc = TestNetworks.TinyFc() with { InputShape = new TensorShape(4096, 1, 1), OutputShape = new TensorShape(1024, 1, 1), OutputFeatures = 1024 };

        var error = Assert.Throws<MappingException>(() => Mapper.Map(fc, 1, config, LayerContext.Of(config, new RunSettings { Detail = TimingDetail.PeLevel })));

        Assert.That(error!.Message, Does.StartWith("the PE-level model would simulate"));
    }

    internal static ConvLayer Conv(int channels, int height, int width, int filters, int kernel, int stride, int pad, int dilation, int groups)
    {
        int Out(int size) => ((size + (2 * pad) - (dilation * (kernel - 1)) - 1) / stride) + 1;
        return ConvLayer.Square("c", Network.InputName, new TensorShape(channels, height, width), filters, kernel, stride, pad, relu: false, new SyntheticWeights(1)) with
        {
            OutputShape = new TensorShape(filters, Out(height), Out(width)),
            DilationHeight = dilation,
            DilationWidth = dilation,
            Groups = groups,
        };
    }

    internal static AcceleratorConfig LargeBuffers(Dataflow dataflow, int rows, int cols)
    {
        var tiny = TestHardware.Tiny();
        return tiny with
        {
            PeArray = new PeArrayConfig(rows, cols, dataflow),
            Buffers = new BufferSetConfig(
                new SramConfig("ifmap", 1 << 20, 128, 1, 1), new SramConfig("weights", 1 << 20, 128, 1, 1), new SramConfig("ofmap", 1 << 20, 128, 1, 1)),
        };
    }

    private static (double[,] A, double[,] B) Operands(int m, int k, int n)
    {
        var random = new Random(m * 1_000_003 + k * 1009 + n);
        var a = new double[m, k];
        var b = new double[k, n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < k; j++)
            {
                a[i, j] = random.Next(-8, 9);
            }
        }

        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < n; j++)
            {
                b[i, j] = random.Next(-8, 9);
            }
        }

        return (a, b);
    }

    private static double[,] PlainGemm(double[,] a, double[,] b)
    {
        var o = new double[a.GetLength(0), b.GetLength(1)];
        for (int i = 0; i < a.GetLength(0); i++)
        {
            for (int j = 0; j < b.GetLength(1); j++)
            {
                for (int t = 0; t < a.GetLength(1); t++)
                {
                    o[i, j] += a[i, t] * b[t, j];
                }
            }
        }

        return o;
    }
}
