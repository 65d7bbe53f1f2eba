using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using AccelSim.Compression;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Files;
using AccelSim.Reports;
using AccelSim.Tensors;
using AccelSim.Workloads;

namespace AccelSim.Cli;

/// <summary><c>accelsim compress</c>: filter pruning, FC pruning by correlation and low-rank decomposition, written as a
/// new workload, with the before/after report.</summary>
internal static class CompressCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var workload = new Option<string>("--workload", "-w") { Description = "The workload to compress (YAML).", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "The compressed workload to write (YAML; weights go to NAME_weights/ beside it).", Required = true };
        var config = new Option<string>("--config", "-c") { Description = "Accelerator config for the simulated speedup (YAML).", DefaultValueFactory = _ => Commands.DefaultConfig };
        var filterRatio = new Option<double?>("--filter-ratio") { Description = "Remove this fraction of the filters of every prunable conv layer, lowest L1 norm first (0 to <1)." };
        var filterRatioOf = new Option<string[]>("--filter-ratio-of") { Description = "Per-layer fraction, LAYER=R (repeatable); replaces --filter-ratio for that layer." };
        var filterScope = new Option<string>("--filter-scope") { Description = "layer: each layer loses its fraction; network: filters are ranked across the network by mean |w|.", DefaultValueFactory = _ => "layer" };
        var filterMacs = new Option<double?>("--filter-macs-reduction") { Description = "Instead of a ratio: remove filters until this fraction of the network's MACs is gone (e.g. 0.8)." };
        var filterMask = new Option<string[]>("--filter-mask") { Description = "LAYER=FILE.npy (repeatable): one mask value per filter (a trained mask layer); filters with |mask| < --mask-threshold are removed." };
        var maskThreshold = new Option<double>("--mask-threshold") { Description = "Mask magnitude below which a filter is removed.", DefaultValueFactory = _ => 0.01 };
        var fcThreshold = new Option<double?>("--fc-threshold") { Description = "FC pruning by correlation: remove connections whose |Pearson r| over the samples is below this (0..1)." };
        var fcDensity = new Option<double?>("--fc-density") { Description = "FC pruning by correlation: keep this fraction of the selected layers' connections, highest |r| first (0 to 1]." };
        var fcLayers = new Option<string[]>("--fc-layers") { Description = "FC layers to prune by correlation (comma-separated or repeated); default every FC layer but the last.", AllowMultipleArgumentsPerToken = true };
        var includeClassifier = new Option<bool>("--include-classifier") { Description = "Let the defaults of --fc-layers and --low-rank-layers include the last FC layer." };
        var samples = new Option<int>("--samples") { Description = "Seeded synthetic sample inputs over which correlations are measured.", DefaultValueFactory = _ => 64 };
        var samplesNpy = new Option<string?>("--samples-npy") { Description = "Sample inputs from a .npy file shaped [N, C, H, W] instead of seeded ones." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the synthetic samples; the evaluation inputs use seed + 1.", DefaultValueFactory = _ => 1UL };
        var lowRankSpeedup = new Option<double?>("--low-rank-speedup") { Description = "Low-rank: choose each layer's rank K for this ideal speedup (MACs before / after), e.g. 2, 3, 4." };
        var lowRankEnergy = new Option<double?>("--low-rank-energy") { Description = "Low-rank: choose each layer's rank K to retain this fraction of the squared singular values (0 to 1]." };
        var lowRankLayers = new Option<string[]>("--low-rank-layers") { Description = "Layers to decompose (comma-separated or repeated); default every conv and every FC layer but the last.", AllowMultipleArgumentsPerToken = true };
        var evalInputs = new Option<int>("--eval-inputs") { Description = "Seeded inputs on which compressed and uncompressed outputs are compared (double reference).", DefaultValueFactory = _ => 4 };
        var noNumerics = new Option<bool>("--no-numerics") { Description = "Skip the output comparison (SQNR, top-1 agreement)." };
        var csv = new Option<string?>("--csv") { Description = "Also write the report as CSV (one row per layer, then the total)." };
        var json = new Option<string?>("--json") { Description = "Also write the report as JSON." };
        var threads = new Option<int>("--threads", "-j") { Description = "Worker threads (results do not depend on it).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var noTable = new Option<bool>("--no-table") { Description = "Do not print the report to stdout." };
        var shapeOnly = new Option<bool>("--shape-only")
        {
            Description = "Write only the compressed layers' shapes, with seeded synthetic weights and input (a small file for timing sweeps); skips the output comparison.",
        };
        var command = new Command("compress", "Prune filters (L1 norm or masks), prune FC connections by correlation, or decompose layers by truncated SVD; write the result as a new workload and report parameters, MACs, ideal vs simulated speedup and the output error.")
        {
            workload, output, config, filterRatio, filterRatioOf, filterScope, filterMacs, filterMask, maskThreshold, fcThreshold, fcDensity, fcLayers,
            includeClassifier, samples, samplesNpy, seed, lowRankSpeedup, lowRankEnergy, lowRankLayers, evalInputs, noNumerics, csv, json, threads, noTable, shapeOnly,
        };
        command.SetAction(parse =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            return Commands.Guard(stderr, log, () =>
            {
                int threadCount = parse.GetValue(threads);
                Require(threadCount >= 1, $"--threads must be at least 1, was {threadCount}");
                string workloadPath = parse.GetValue(workload)!;
                string outputPath = parse.GetValue(output)!;
                Require(Path.GetFullPath(workloadPath) != Path.GetFullPath(outputPath), "--output must differ from --workload (the source is read, never overwritten)");
                Require(outputPath.EndsWith(".yaml", StringComparison.Ordinal) || outputPath.EndsWith(".yml", StringComparison.Ordinal), $"--output must name a .yaml file, was '{outputPath}'");
                new OutputPaths().Input("--workload", workloadPath).Input("--config", parse.GetValue(config)).Input("--samples-npy", parse.GetValue(samplesNpy))
                    .File("--output", outputPath).File("--csv", parse.GetValue(csv)).File("--json", parse.GetValue(json)).Check();
                LoadedAccelerator accelerator = ConfigLoader.LoadAcceleratorWithEnergy(Commands.ResolveDefault(parse.GetValue(config)!, Commands.DefaultConfig));
                Network network = ConfigLoader.LoadWorkload(workloadPath);

                FilterPruningOptions? filters = ReadFilters(parse, filterRatio, filterRatioOf, filterScope, filterMacs, filterMask, maskThreshold);
                double? threshold = parse.GetValue(fcThreshold);
                double? density = parse.GetValue(fcDensity);
                Require(threshold is null || density is null, "give --fc-threshold or --fc-density, not both");
                Require(threshold is null or (>= 0 and <= 1), $"--fc-threshold must be in [0, 1], was {threshold}");
                Require(density is null or (> 0 and <= 1), $"--fc-density must be in (0, 1], was {density}");
                CorrelationPruningOptions? correlation = threshold is null && density is null ? null : new CorrelationPruningOptions(threshold, density);
                double? speedup = parse.GetValue(lowRankSpeedup);
                double? energy = parse.GetValue(lowRankEnergy);
                Require(speedup is null || energy is null, "give --low-rank-speedup or --low-rank-energy, not both");
                Require(speedup is null or > 1, $"--low-rank-speedup must be greater than 1, was {speedup}");
                Require(energy is null or (> 0 and <= 1), $"--low-rank-energy must be in (0, 1], was {energy}");
                LowRankOptions? lowRank = speedup is null && energy is null ? null : new LowRankOptions(speedup, energy);
                Require(filters is not null || correlation is not null || lowRank is not null,
                    "nothing to do: give filter pruning (--filter-ratio, --filter-ratio-of, --filter-macs-reduction, --filter-mask), FC pruning (--fc-threshold, --fc-density) or low-rank (--low-rank-speedup, --low-rank-energy)");
                ImmutableArray<string>? fcNames = Names(parse.GetValue(fcLayers));
                ImmutableArray<string>? lowRankNames = Names(parse.GetValue(lowRankLayers));
                Require(fcNames is null || correlation is not null, "--fc-layers needs --fc-threshold or --fc-density");
                Require(lowRankNames is null || lowRank is not null, "--low-rank-layers needs --low-rank-speedup or --low-rank-energy");

                int sampleCount = parse.GetValue(samples);
                Require(sampleCount >= 2, $"--samples must be at least 2 (a correlation needs two samples), was {sampleCount}");
                float[]? sampleValues = null;
                if (parse.GetValue(samplesNpy) is { } file)
                {
                    Require(File.Exists(file), $"--samples-npy {file} does not exist");
                    NpyArray array = NpyFile.Read(file);
                    long perItem = network.InputShape.Elements;
                    Require(array.Values.LongLength % perItem == 0 && array.Values.LongLength / perItem >= 2,
                        $"--samples-npy {file}: shape ({string.Join(", ", array.Shape)}) is not N >= 2 inputs of {network.InputShape} (channels x height x width)");
                    sampleValues = array.Values;
                }

                int evaluated = parse.GetValue(noNumerics) ? 0 : parse.GetValue(evalInputs);
                Require(evaluated >= 0, $"--eval-inputs must not be negative, was {evaluated}");

                var plan = new CompressionPlan(filters, correlation, lowRank, fcNames, lowRankNames, parse.GetValue(includeClassifier),
                    sampleValues, sampleCount, parse.GetValue(seed), evaluated, threadCount, parse.GetValue(shapeOnly));
                CompressionReport report;
                try
                {
                    report = Compressor.Run(network, workloadPath, (n, timing) => NetworkRunner.Run(accelerator.Hardware, accelerator.Energy, n, timing, log), plan, outputPath, path => ConfigLoader.LoadWorkload(path), log);
                }
                catch (CompressionException e)
                {
                    throw new UsageException(e.Message);
                }

                if (parse.GetValue(csv) is { } csvPath)
                {
                    AtomicFile.Write(csvPath, report.WriteCsv);
                    log.Information("Wrote {Path}", csvPath);
                }

                if (parse.GetValue(json) is { } jsonPath)
                {
                    using var buffer = new MemoryStream();
                    report.WriteJson(buffer);
                    AtomicFile.Write(jsonPath, w => w.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray())));
                    log.Information("Wrote {Path}", jsonPath);
                }

                if (!parse.GetValue(noTable))
                {
                    report.WriteText(stdout);
                }

                return ExitCodes.Success;
            });
        });
        return command;
    }

    private static FilterPruningOptions? ReadFilters(
        ParseResult parse, Option<double?> ratio, Option<string[]> ratioOf, Option<string> scope, Option<double?> macs, Option<string[]> masks, Option<double> maskThreshold)
    {
        double? r = parse.GetValue(ratio);
        double? target = parse.GetValue(macs);
        var layerRatios = Pairs(parse.GetValue(ratioOf), "--filter-ratio-of").ToImmutableDictionary(
            p => p.Key, p => ParseFraction(p.Value, $"--filter-ratio-of {p.Key}"), StringComparer.Ordinal);
        var maskFiles = Pairs(parse.GetValue(masks), "--filter-mask");
        FilterScope filterScope = parse.GetValue(scope) switch
        {
            "layer" => FilterScope.Layer,
            "network" => FilterScope.Network,
            var other => throw new UsageException($"--filter-scope must be layer or network, was '{other}'"),
        };
        Require(r is null || target is null, "give --filter-ratio or --filter-macs-reduction, not both");
        Require(r is null or (>= 0 and < 1), $"--filter-ratio must be in [0, 1), was {r}");
        Require(target is null or (> 0 and < 1), $"--filter-macs-reduction must be in (0, 1), was {target}");
        Require(layerRatios.IsEmpty || filterScope == FilterScope.Layer, "--filter-ratio-of needs --filter-scope layer");
        double threshold = parse.GetValue(maskThreshold);
        Require(threshold >= 0, $"--mask-threshold must not be negative, was {threshold}");
        if (r is null && target is null && layerRatios.IsEmpty && maskFiles.Count == 0)
        {
            return null;
        }

        foreach ((string layer, string file) in maskFiles)
        {
            Require(File.Exists(file), $"--filter-mask {layer}={file}: the file does not exist");
        }

        var loaded = maskFiles.ToImmutableDictionary(p => p.Key, p => NpyFile.Read(p.Value).Values, StringComparer.Ordinal);
        return new FilterPruningOptions(r, layerRatios, filterScope, target, loaded, threshold);
    }

    private static Dictionary<string, string> Pairs(string[]? values, string option)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string value in values ?? [])
        {
            int equals = value.IndexOf('=', StringComparison.Ordinal);
            Require(equals > 0 && equals < value.Length - 1, $"{option} must be LAYER=VALUE, was '{value}'");
            string key = value[..equals];
            Require(pairs.TryAdd(key, value[(equals + 1)..]), $"{option} names layer '{key}' twice");
        }

        return pairs;
    }

    private static double ParseFraction(string text, string option) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value is >= 0 and < 1
            ? value
            : throw new UsageException($"{option} must be a fraction in [0, 1), was '{text}'");

    private static ImmutableArray<string>? Names(string[]? values)
    {
        var names = (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        return names.Count == 0 ? null : [.. names.Distinct(StringComparer.Ordinal)];
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new UsageException(message);
        }
    }
}
