using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Numerics;
using AccelSim.Reports;
using AccelSim.Sweeps;
using AccelSim.Workloads;
using Spectre.Console;

namespace AccelSim.Cli;

/// <summary><c>accelsim bench</c>: times the main scenarios end to end and reports medians over repeated runs.</summary>
/// <remarks>Machines are shared and noisy, so each scenario runs several times and the median is reported, with the
/// spread; figures are only comparable within one bench run.</remarks>
internal static class BenchCommand
{
    /// <summary>A named scenario: config, workload, whether numerics run; or a sweep spec, run whole into a temporary folder.</summary>
    /// <param name="Search">When set: the scenario times the mapping search of every conv/FC layer (one thread, each layer
    /// in its run's context) and reports mappings simulated per second.</param>
    internal sealed record Scenario(string Name, string Config, string Workload, bool Numerics, string What, string? Sweep = null, MapperSearch? Search = null);

    /// <summary>The sweep benchmark: 1,000 timing-only points of ResNet-50.</summary>
    public const string SweepSpec = "Configs/sweeps/resnet50_1000.yaml";

    /// <summary>The same 1,000 points with the pruned mapping search in every layer of every point.</summary>
    public const string SearchSweepSpec = "Configs/sweeps/resnet50_1000_search.yaml";

    internal static readonly Scenario[] Scenarios =
    [
        // VGG-16 stays the benchmark (its figures are comparable across versions) though run's default is now ResNet-18.
        new("default", Commands.DefaultConfig, "Workloads/vgg16.yaml", true, "VGG-16 with numerics on the default accelerator"),
        new("vgg16-timing", Commands.DefaultConfig, "Workloads/vgg16.yaml", false, "VGG-16, timing and energy only"),

        // Whole networks, timing only, on the default 32x32 array: what SCALE-Sim users compare against.
        new("resnet18-timing", Commands.DefaultConfig, "Workloads/resnet18_synthetic.yaml", false, "ResNet-18 (shape-only), timing and energy only"),
        new("alexnet-timing", Commands.DefaultConfig, "Workloads/alexnet.yaml", false, "AlexNet, timing and energy only"),
        new("googlenet-timing", Commands.DefaultConfig, "Workloads/googlenet.yaml", false, "GoogLeNet, timing and energy only"),
        new("resnet50-timing", Commands.DefaultConfig, "Workloads/resnet50.yaml", false, "ResNet-50, timing and energy only"),
        new("resnet50-search", Commands.DefaultConfig, "Workloads/resnet50.yaml", false,
            "ResNet-50: the pruned mapping search (objective cycles) of every conv/FC layer, one thread", Search: MapperSearch.Pruned),
        new("sweep", "", "", false, $"{SweepSpec}: 1,000 timing-only points of ResNet-50, one job per thread", SweepSpec),
        new("sweep-search", "", "", false, $"{SearchSweepSpec}: the same points with the pruned mapping search, one job per thread", SearchSweepSpec),
    ];

    /// <summary>A datapath shape timed against a float32 GEMM of the same shape, in the same process.</summary>
    internal sealed record DatapathScenario(string Name, ConvShape Geometry, string What);

    internal static readonly DatapathScenario[] DatapathScenarios =
    [
        new("datapath-conv4_2", new ConvShape(1, 512, 28, 28, 512, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1), "VGG-16 conv4_2: 512→512, 3×3, 28×28 (1.85 G MACs)"),
        new("datapath-fc6", ConvShape.FullyConnected(1, 25088, 4096), "VGG-16 fc6: 25,088→4,096, batch 1 (103 M MACs)"),
    ];

    /// <summary>A network's numerics alone (no timing simulation), timed whole beside the sum of its per-layer datapath times.</summary>
    internal sealed record NumericsScenario(string Name, string Config, string Workload, string What);

    internal static readonly NumericsScenario[] NumericsScenarios =
    [
        new("numerics-vgg16", Commands.DefaultConfig, "Workloads/vgg16.yaml", "VGG-16 numerics: BFP pass, local-error pass and double reference of every layer"),
    ];

    /// <summary>A truncated SVD timed on its own: a He-normal matrix of a layer's shape, to the given rank.</summary>
    internal sealed record SvdScenario(string Name, int Rows, int Columns, int Rank, string What);

    internal static readonly SvdScenario[] SvdScenarios =
    [
        new("svd-fc6", 4096, 25088, 512, "VGG-16 fc6 (4,096 x 25,088) to rank 512, as accelsim compress --low-rank-* does it"),
    ];

    /// <summary>An evaluation over seeded images, timed whole, beside one <c>run</c> with numerics of the same network.</summary>
    internal sealed record EvalScenario(string Name, string Config, string Workload, int Images, string What);

    internal static readonly EvalScenario[] EvalScenarios =
    [
        new("eval-resnet18", Commands.DefaultConfig, Commands.DefaultWorkload, 4, "accelsim eval of the trained ResNet-18 over synthetic:4"),
    ];

    public static Command Build(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var repeat = new Option<int>("--repeat", "-n") { Description = "Runs per scenario (the median is reported).", DefaultValueFactory = _ => 5 };
        var only = new Option<string[]>("--scenario", "-s")
        {
            Description = $"Run only these scenarios (repeatable): {string.Join(", ", AllNames)}.",
        };
        var threads = new Option<int>("--threads", "-j") { Description = "Worker threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var maxMemory = MemoryBudget.MaxMemoryOption();
        var force = MemoryBudget.ForceOption();
        var command = new Command("bench", "Time the main scenarios (medians over repeated runs) and print events per second.") { repeat, only, threads, maxMemory, force };
        command.SetAction(parse =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            return Commands.Guard(stderr, log, () =>
            {
                int runs = parse.GetValue(repeat);
                if (runs < 1)
                {
                    throw new UsageException($"--repeat must be at least 1, was {runs}");
                }

                string[] selected = parse.GetValue(only) ?? [];
                var unknown = selected.Where(s => !AllNames.Contains(s)).ToList();
                if (unknown.Count > 0)
                {
                    throw new UsageException($"unknown scenario '{unknown[0]}'; known: {string.Join(", ", AllNames)}");
                }

                var scenarios = Scenarios.Where(s => selected.Length == 0 || selected.Contains(s.Name)).ToList();
                CheckBudget(scenarios, parse.GetValue(threads), MemoryBudget.Read(parse, maxMemory), parse.GetValue(force), log);
                var table = BenchTable($"accelsim bench: {runs} run(s) per scenario, {parse.GetValue(threads)} thread(s)", "scenario", "median s", "min s", "max s", "work", "per second (median)", "what");

                foreach (Scenario scenario in scenarios)
                {
                    if (scenario.Sweep is { } spec)
                    {
                        var sweepSeconds = new List<double>();
                        int points = 0;
                        for (int i = 0; i < runs; i++)
                        {
                            // Each run starts with nothing memoised (each sweep has its own memo): the figure is one sweep's.
                            (double elapsed, points) = RunSweep(Commands.ResolveDefault(spec, spec), parse.GetValue(threads));
                            sweepSeconds.Add(elapsed);
                            log.Information("{Scenario} run {Run}: {Seconds:F3} s for {Points} points", scenario.Name, i + 1, elapsed, points);
                        }

                        sweepSeconds.Sort();
                        double sweepMedian = Median(sweepSeconds);
                        table.AddRow(scenario.Name, F(sweepMedian), F(sweepSeconds[0]), F(sweepSeconds[^1]), $"{points:N0} points",
                            $"{points / sweepMedian:N1} points", Markup.Escape(scenario.What));
                        continue;
                    }

                    var config = ConfigLoader.LoadAcceleratorWithEnergy(Commands.ResolveDefault(scenario.Config, scenario.Config));
                    var network = ConfigLoader.LoadWorkload(Commands.ResolveDefault(scenario.Workload, scenario.Workload));
                    if (scenario.Search is { } search)
                    {
                        var searchSeconds = new List<double>();
                        long simulated = 0;
                        for (int i = 0; i < runs; i++)
                        {
                            var clock = Stopwatch.StartNew();
                            // A fresh memo per run: each run starts with nothing memoised.
                            simulated = SearchEveryLayer(config, network, new MapperConfig(search, MapperObjective.Cycles, null), new SearchMemo());
                            searchSeconds.Add(clock.Elapsed.TotalSeconds);
                            log.Information("{Scenario} run {Run}: {Seconds:F3} s", scenario.Name, i + 1, searchSeconds[^1]);
                        }

                        searchSeconds.Sort();
                        double searchMedian = Median(searchSeconds);
                        table.AddRow(scenario.Name, F(searchMedian), F(searchSeconds[0]), F(searchSeconds[^1]), $"{simulated.ToString("N0", CultureInfo.InvariantCulture)} mappings",
                            $"{(simulated / searchMedian).ToString("N0", CultureInfo.InvariantCulture)} mappings", Markup.Escape(scenario.What));
                        continue;
                    }

                    var seconds = new List<double>();
                    long events = 0;
                    for (int i = 0; i < runs; i++)
                    {
                        var clock = Stopwatch.StartNew();
                        // The heuristic mappings: these scenarios time the simulator and stay comparable across versions
                        // (a searched run would time a warm memo after its first run); the search has scenarios of its own.
                        RunResult result = NetworkRunner.Run(config.Hardware with { Mapper = MapperConfig.Heuristic }, config.Energy, network, new RunOptions(scenario.Numerics, parse.GetValue(threads)));
                        seconds.Add(clock.Elapsed.TotalSeconds);
                        events = result.Layers.Sum(l => l.Events);
                        log.Information("{Scenario} run {Run}: {Seconds:F3} s", scenario.Name, i + 1, seconds[^1]);
                    }

                    seconds.Sort();
                    double median = Median(seconds);
                    table.AddRow(scenario.Name, F(median), F(seconds[0]), F(seconds[^1]), $"{events.ToString("N0", CultureInfo.InvariantCulture)} events",
                        $"{(events / median).ToString("N0", CultureInfo.InvariantCulture)} events", Markup.Escape(scenario.What));
                }

                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
                console.Profile.Width = 200;
                if (table.Rows.Count > 0)
                {
                    console.Write(table);
                }

                var datapath = DatapathScenarios.Where(d => selected.Length == 0 || selected.Contains(d.Name)).ToList();
                if (datapath.Count > 0)
                {
                    console.Write(DatapathTable(datapath, runs, parse.GetValue(threads), log));
                }

                var numerics = NumericsScenarios.Where(d => selected.Length == 0 || selected.Contains(d.Name)).ToList();
                if (numerics.Count > 0)
                {
                    console.Write(NumericsTable(numerics, runs, parse.GetValue(threads), log));
                }

                var evals = EvalScenarios.Where(d => selected.Length == 0 || selected.Contains(d.Name)).ToList();
                if (evals.Count > 0)
                {
                    console.Write(EvalTable(evals, runs, parse.GetValue(threads), log));
                }

                var svd = SvdScenarios.Where(d => selected.Length == 0 || selected.Contains(d.Name)).ToList();
                if (svd.Count > 0)
                {
                    console.Write(SvdTable(svd, runs, log));
                }

                return ExitCodes.Success;
            });
        });
        return command;
    }

    /// <summary>Refuses, before the first is timed, scenarios predicted to need more memory than the limit.</summary>
    /// <exception cref="UsageException">A scenario would exceed the limit (unless forced).</exception>
    private static void CheckBudget(List<Scenario> scenarios, int threads, long? limit, bool force, Serilog.ILogger log)
    {
        foreach (Scenario scenario in scenarios)
        {
            if (scenario.Sweep is { } spec)
            {
                if (SweepRunner.Estimate(Commands.ResolveDefault(spec, spec), Shard.All, threads) is { } sweep)
                {
                    int atOnce = Math.Min(threads, sweep.Runnable);
                    MemoryBudget.Check(sweep.Largest, sweep.Numerics, limit, force, log, atOnce,
                        $"bench scenario '{scenario.Name}' ({atOnce} point(s) at once, the largest {sweep.PointId})", ", or fewer --threads");
                }

                continue;
            }

            var config = ConfigLoader.LoadAccelerator(Commands.ResolveDefault(scenario.Config, scenario.Config));
            var network = ConfigLoader.LoadWorkload(Commands.ResolveDefault(scenario.Workload, scenario.Workload));
            MemoryBudget.Check(RunEstimate.Of(config, network), scenario.Numerics, limit, force, log, subject: $"bench scenario '{scenario.Name}'");
        }
    }

    private static IEnumerable<string> AllNames =>
        Scenarios.Select(s => s.Name).Concat(DatapathScenarios.Select(d => d.Name)).Concat(SvdScenarios.Select(d => d.Name)).Concat(EvalScenarios.Select(d => d.Name))
            .Concat(NumericsScenarios.Select(d => d.Name));

    /// <summary>A bench table with its title and column headings.</summary>
    private static Table BenchTable(string title, params string[] headings)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(title);
        foreach (string heading in headings)
        {
            table.AddColumn(heading);
        }

        return table;
    }

    /// <summary>Times an evaluation (loading excluded, the timing of one inference included) and, as its anchor in the
    /// same run, one <c>run</c> with numerics of the same network (batch 1), which an evaluation repeats per image.</summary>
    private static Table EvalTable(List<EvalScenario> scenarios, int runs, int threads, Serilog.ILogger log)
    {
        var table = BenchTable($"Evaluation over many inputs, {runs} run(s), {threads} thread(s)", "scenario", "eval median s", "min s", "max s", "images/s (median)", "one run with numerics, median s", "what");

        foreach (EvalScenario scenario in scenarios)
        {
            var config = ConfigLoader.LoadAcceleratorWithEnergy(Commands.ResolveDefault(scenario.Config, scenario.Config));
            var network = ConfigLoader.LoadWorkload(Commands.ResolveDefault(scenario.Workload, scenario.Workload));
            var evaluation = new Evaluation(config.Hardware, config.Energy, network) { Threads = threads };
            var inputs = EvalInputs.Find($"synthetic:{scenario.Images}", evaluation.Network, null);
            var evalSeconds = new List<double>();
            var runSeconds = new List<double>();
            for (int i = 0; i < runs; i++)
            {
                var clock = Stopwatch.StartNew();
                evaluation.Run(inputs);
                evalSeconds.Add(clock.Elapsed.TotalSeconds);
                clock.Restart();
                NetworkRunner.Run(config.Hardware, config.Energy, evaluation.Network, new RunOptions(true, threads));
                runSeconds.Add(clock.Elapsed.TotalSeconds);
                log.Information("{Scenario} run {Run}: eval {Eval:F3} s, one run {One:F3} s", scenario.Name, i + 1, evalSeconds[^1], runSeconds[^1]);
            }

            evalSeconds.Sort();
            runSeconds.Sort();
            double median = Median(evalSeconds);
            table.AddRow(scenario.Name, F(median), F(evalSeconds[0]), F(evalSeconds[^1]),
                (scenario.Images / median).ToString("F2", CultureInfo.InvariantCulture), F(Median(runSeconds)), Markup.Escape(scenario.What));
        }

        return table;
    }

    /// <summary>Times a network's numerics whole and, from the same runs, the sum of its per-layer datapath times; the
    /// difference is the time outside the kernels (conversions between passes, statistics, allocation).</summary>
    private static Table NumericsTable(List<NumericsScenario> scenarios, int runs, int threads, Serilog.ILogger log)
    {
        var table = BenchTable($"Whole-network numerics against the sum of their kernels, {runs} run(s), {threads} thread(s)", "scenario", "whole median s", "min s", "max s", "kernels median s", "whole / kernels", "what");

        foreach (NumericsScenario scenario in scenarios)
        {
            var config = ConfigLoader.LoadAcceleratorWithEnergy(Commands.ResolveDefault(scenario.Config, scenario.Config));
            var network = ConfigLoader.LoadWorkload(Commands.ResolveDefault(scenario.Workload, scenario.Workload));
            var wholeSeconds = new List<double>();
            var kernelSeconds = new List<double>();
            for (int i = 0; i < runs; i++)
            {
                var numerics = new NetworkNumerics(network, config.Hardware, threads);
                var clock = Stopwatch.StartNew();
                numerics.Run();
                wholeSeconds.Add(clock.Elapsed.TotalSeconds);
                kernelSeconds.Add(numerics.KernelSeconds);
                log.Information("{Scenario} run {Run}: whole {Whole:F3} s, kernels {Kernels:F3} s", scenario.Name, i + 1, wholeSeconds[^1], kernelSeconds[^1]);
            }

            wholeSeconds.Sort();
            kernelSeconds.Sort();
            double whole = Median(wholeSeconds);
            double kernels = Median(kernelSeconds);
            table.AddRow(scenario.Name, F(whole), F(wholeSeconds[0]), F(wholeSeconds[^1]), F(kernels),
                (whole / kernels).ToString("F2", CultureInfo.InvariantCulture), Markup.Escape(scenario.What));
        }

        return table;
    }

    /// <summary>Times <see cref="AccelSim.Compression.TruncatedSvd.Compute"/>; the matrix is drawn before the clock starts.</summary>
    private static Table SvdTable(List<SvdScenario> scenarios, int runs, Serilog.ILogger log)
    {
        var table = BenchTable($"Truncated SVD, {runs} run(s)", "scenario", "median s", "min s", "max s", "method", "what");

        foreach (SvdScenario scenario in scenarios)
        {
            var matrix = new float[(long)scenario.Rows * scenario.Columns];
            SyntheticTensors.HeNormal(3, scenario.Columns, matrix);
            var seconds = new List<double>();
            string method = "";
            for (int i = 0; i < runs; i++)
            {
                var clock = Stopwatch.StartNew();
                var factors = AccelSim.Compression.TruncatedSvd.Compute(matrix, scenario.Rows, scenario.Columns, scenario.Rank);
                seconds.Add(clock.Elapsed.TotalSeconds);
                method = factors.Implementation;
                log.Information("{Scenario} run {Run}: {Seconds:F3} s", scenario.Name, i + 1, seconds[^1]);
            }

            seconds.Sort();
            table.AddRow(scenario.Name, F(Median(seconds)), F(seconds[0]), F(seconds[^1]), Markup.Escape(method), Markup.Escape(scenario.What));
        }

        return table;
    }

    /// <summary>Times the BFP datapath (input conversion, im2col and integer GEMM, the fastest kernel this CPU has)
    /// against im2col plus a float32 GEMM of the same shape, and the earlier int16-pair kernel as a second anchor;
    /// weights are converted (BFP) or laid out (float) before the clock starts, as offline work.</summary>
    private static Table DatapathTable(List<DatapathScenario> scenarios, int runs, int threads, Serilog.ILogger log)
    {
        var table = BenchTable($"BFP datapath ({IntegerGemm.Best} kernel) against float32 GEMM ({FloatGemm.Implementation}), {runs} run(s), {threads} thread(s)", "scenario", "BFP median s", "BFP G MAC/s", "float32 median s", "float32 G MAC/s", "BFP / float32 speed", $"{IntegerKernel.Pairs16} median s", $"{IntegerKernel.Vnni} median s", "what");

        foreach (DatapathScenario scenario in scenarios)
        {
            ConvShape g = scenario.Geometry;
            var input = new float[g.InputLength];
            var weights = new float[g.WeightLength];
            SyntheticTensors.StandardNormal(1, input);
            SyntheticTensors.HeNormal(2, g.Reduction, weights);
            var settings = new BfpSettings(new BfpFormat(5, 8), new BfpFormat(5, 8), BlockPartition.Row, BlockPartition.Tensor, RoundingMode.NearestEven, null, 1);
            var quantized = BfpDatapath.QuantizeWeights(g, weights, settings, scenario.Name);
            int n = g.Batch * g.PixelsPerItem;
            int k = g.Reduction;
            var columns = new float[(long)k * n];
            var output = new float[(long)g.OutChannels * n];
            var bfpSeconds = new List<double>();
            var floatSeconds = new List<double>();
            var pairSeconds = new List<double>();
            var vnniSeconds = new List<double>();
            // The managed AVX-VNNI kernel, the default before oneDNN, as a third anchor where the CPU has it.
            bool vnni = IntegerGemm.Best != IntegerKernel.Vnni && IntegerGemm.IsSupported(IntegerKernel.Vnni);
            // The packed bytes of the weights are made on first use, as offline work: not timed.
            BfpDatapath.Convolve(g, input, quantized, [], settings, scenario.Name, threads);
            // Every timed datapath writes into an output array kept from run to run, as the float32 GEMM does.
            var bfpOutput = new float[g.OutputLength];
            for (int i = 0; i < runs; i++)
            {
                var clock = Stopwatch.StartNew();
                BfpDatapath.Convolve(g, input, quantized, [], settings, scenario.Name, threads, output: bfpOutput);
                bfpSeconds.Add(clock.Elapsed.TotalSeconds);

                clock.Restart();
                var column = new float[k];
                for (int p = 0; p < n; p++)
                {
                    g.Im2Col<float>(input, 0, 0, p / g.OutWidth, p % g.OutWidth, column);
                    for (int j = 0; j < k; j++)
                    {
                        columns[((long)j * n) + p] = column[j];
                    }
                }

                FloatGemm.Multiply(g.OutChannels, n, k, weights, columns, output, threads);
                floatSeconds.Add(clock.Elapsed.TotalSeconds);

                clock.Restart();
                BfpDatapath.Convolve(g, input, quantized, [], settings, scenario.Name, threads, kernel: IntegerKernel.Pairs16, output: bfpOutput);
                pairSeconds.Add(clock.Elapsed.TotalSeconds);
                if (vnni)
                {
                    clock.Restart();
                    BfpDatapath.Convolve(g, input, quantized, [], settings, scenario.Name, threads, kernel: IntegerKernel.Vnni, output: bfpOutput);
                    vnniSeconds.Add(clock.Elapsed.TotalSeconds);
                }

                log.Information("{Scenario} run {Run}: BFP {Bfp:F3} s, float32 {Float:F3} s, int16 pairs {Pairs:F3} s", scenario.Name, i + 1, bfpSeconds[^1], floatSeconds[^1], pairSeconds[^1]);
            }

            bfpSeconds.Sort();
            floatSeconds.Sort();
            pairSeconds.Sort();
            vnniSeconds.Sort();
            double macs = (double)g.OutChannels * n * k;
            double bfp = Median(bfpSeconds);
            double fp = Median(floatSeconds);
            table.AddRow(scenario.Name, F(bfp), (macs / bfp / 1e9).ToString("F2", CultureInfo.InvariantCulture), F(fp),
                (macs / fp / 1e9).ToString("F2", CultureInfo.InvariantCulture), (fp / bfp).ToString("F2", CultureInfo.InvariantCulture), F(Median(pairSeconds)), vnni ? F(Median(vnniSeconds)) : "-", Markup.Escape(scenario.What));
        }

        return table;
    }

    /// <summary>Runs a whole sweep into a fresh temporary folder (no plots) and returns the wall time and the number of points.</summary>
    /// <summary>Searches the mapping of every conv/FC layer of <paramref name="network"/>; returns the mappings simulated.</summary>
    private static long SearchEveryLayer(LoadedAccelerator config, Network network, MapperConfig mapper, SearchMemo memo)
    {
        long simulated = 0;
        for (int i = 0; i < network.Layers.Length; i++)
        {
            Layer layer = network.Layers[i];
            if (Mapper.RunsOnTheArray(layer))
            {
                LayerContext context = LayerContexts.For(network, i, config.Hardware, RunSettings.Native);
                simulated += MappingSearch.Search(layer, network.Batch, config.Hardware, context, config.Energy, mapper, memo).Ranked.Length;
            }
        }

        return simulated;
    }

    private static (double Seconds, int Points) RunSweep(string spec, int jobs)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"accelsim-bench-{Guid.NewGuid():N}");
        try
        {
            var clock = Stopwatch.StartNew();
            var options = new SweepRunOptions { Jobs = jobs, Shard = Shard.All, PerLayer = false, Plots = false };
            SweepOutcome outcome = SweepRunner.Run(spec, folder, options, null, Serilog.Core.Logger.None, CancellationToken.None);
            return (clock.Elapsed.TotalSeconds, outcome.Records.Count);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    internal static double Median(IReadOnlyList<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    private static string F(double seconds) => seconds.ToString("F3", CultureInfo.InvariantCulture);
}
