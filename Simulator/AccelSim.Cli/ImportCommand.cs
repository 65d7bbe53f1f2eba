using System.CommandLine;
using AccelSim.Configuration;
using AccelSim.Files;
using AccelSim.Onnx;
using AccelSim.Reports;
using Serilog;

namespace AccelSim.Cli;

/// <summary><c>accelsim import onnx MODEL.onnx -o Workloads/NAME.yaml</c>: an ONNX model as a workload file.</summary>
internal static class ImportCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr, Option<bool> verbose, Option<bool> quiet)
    {
        var model = new Argument<string>("model") { Description = "The ONNX model (.onnx)." };
        var output = new Option<string>("--output", "-o") { Description = "The workload file to write (YAML).", Required = true };
        var package = new Option<bool>("--package")
        {
            Description = "Name the model as a packaged one (weights: { onnx: { package: FILE } }, found beside the program) instead of by its path relative to the output.",
        };
        var name = new Option<string?>("--name") { Description = "The workload's name (default: the graph's name, or the file's)." };
        var onnx = new Command("onnx", $"Write a workload file for an ONNX model; its weights stay in the model and are read from it. Supported: {OnnxImporter.Supported}.")
        {
            model, output, package, name,
        };
        onnx.SetAction(parse =>
        {
            using var log = (Serilog.Core.Logger)Program.CreateLogger(parse.GetValue(verbose), parse.GetValue(quiet), stderr);
            return Commands.Guard(stderr, log, () =>
            {
                string modelPath = parse.GetValue(model)!;
                string outputPath = parse.GetValue(output)!;
                if (!File.Exists(modelPath))
                {
                    throw new UsageException($"{modelPath}: file not found");
                }

                new OutputPaths().Input("<model>", modelPath).File("--output", outputPath).Check();

                ImportedModel imported = OnnxImporter.Import(modelPath);
                if (parse.GetValue(name) is { } workloadName)
                {
                    if (OnnxImporter.LayerName(workloadName) != workloadName || workloadName.Length == 0)
                    {
                        throw new UsageException($"--name '{workloadName}' must consist of letters, digits and _ . / - only");
                    }

                    imported = new ImportedModel
                    {
                        Name = workloadName,
                        Description = imported.Description,
                        Batch = imported.Batch,
                        InputShape = imported.InputShape,
                        Layers = imported.Layers,
                        Parameters = imported.Parameters,
                    };
                }

                string outputFolder = Path.GetDirectoryName(Path.GetFullPath(outputPath))!;
                string reference = parse.GetValue(package)
                    ? $"package: {Quote(Path.GetFileName(modelPath))}"
                    : $"file: {Quote(Path.GetRelativePath(outputFolder, Path.GetFullPath(modelPath)).Replace('\\', '/'))}";
                string yaml = imported.ToYaml($"{{ onnx: {{ {reference} }} }}");
                AtomicFile.Write(outputPath, w => w.Write(yaml));

                // Read back what was written, so a model the reader would reject never leaves a silently broken file.
                var network = ConfigLoader.LoadWorkload(outputPath);
                log.Information("Wrote {Path}: {Layers} layers, {Macs:N0} MACs, {Parameters:N0} parameters per image",
                    outputPath, network.Layers.Length, network.MacsPerItem, network.Parameters);
                return ExitCodes.Success;
            });
        });
        return new Command("import", "Turn a model from another format into a workload file.") { onnx };
    }

    private static string Quote(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";
}
