using System.Text.Json;
using AccelSim.Cli;
using AccelSim.Tests.Support;
using static AccelSim.Tests.Support.CliHarness;

namespace AccelSim.Tests.Cli;

/// <summary><c>accelsim compress</c> as a user meets it: the files it writes, and exit code 2 with one clear line for
/// requests that cannot be carried out.</summary>
public sealed class CompressCliTests() : WorkFolderFixture("accelsim-compress-cli-")
{
    [Test]
    public void Compress_WritesAWorkloadThatRunAccepts_AndTheReportFiles()
    {
        string output = Path.Combine(Work, "block_small.yaml");
        string csv = Path.Combine(Work, "report.csv");
        string json = Path.Combine(Work, "report.json");

        var (code, stdout, stderr) = Run("compress", "-w", Shipped("Workloads/resnet_block.yaml"), "-o", output, "--config", Shipped("Configs/tiny.yaml"),
            "--filter-ratio", "0.5", "--low-rank-speedup", "2", "--fc-threshold", "0.1", "--include-classifier", "--samples", "16",
            "--csv", csv, "--json", json, "--threads", "1", "-q");

        Assert.That(code, Is.Zero, stderr);
        var run = Run("run", "--config", Shipped("Configs/tiny.yaml"), "--workload", output, "--threads", "1", "--no-table", "-q");
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement total = document.RootElement.GetProperty("total");
        Assert.Multiple(() =>
        {
            Assert.That(run.Code, Is.Zero, run.Err);
            Assert.That(File.Exists(Path.Combine(Work, "block_small_weights", "conv_a_basis.weights.npy")), Is.True);
            Assert.That(File.ReadAllLines(output)[0], Does.StartWith("# Written by accelsim compress from resnet_block.yaml"));
            Assert.That(File.ReadAllLines(csv), Has.Length.EqualTo(1 + 5 + 1), "header, the 5 source layers, total");
            Assert.That(total.GetProperty("macs_after").GetInt64(), Is.LessThan(total.GetProperty("macs_before").GetInt64()));
            Assert.That(document.RootElement.GetProperty("numerics").GetProperty("inputs").GetInt32(), Is.EqualTo(4));
            Assert.That(stdout, Does.Contain("top-1 agreement"));
        });
    }

    [TestCase("--fc-density", "1.5", "--fc-density must be in (0, 1], was 1.5")]
    [TestCase("--low-rank-speedup", "1", "--low-rank-speedup must be greater than 1, was 1")]
    [TestCase("--filter-ratio-of", "conv_b=0.5", "layer 'conv_b' cannot be filter-pruned: its output feeds the residual add 'residual'")]
    [TestCase("--filter-ratio-of", "nope=0.5", "filter pruning names layer 'nope', which is not a conv layer of resnet_block")]
    [TestCase("--fc-threshold", "0.2", "FC pruning by correlation has no layer to prune")]
    public void Compress_BadRequests_ExitWithCode2AndOneLine(string option, string value, string message)
    {
        var (code, _, stderr) = Run("compress", "-w", Shipped("Workloads/resnet_block.yaml"), "-o", Path.Combine(Work, "x.yaml"),
            "--config", Shipped("Configs/tiny.yaml"), option, value, "-q");

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr, Does.StartWith("error: ").And.Contain(message));
            Assert.That(stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
            Assert.That(File.Exists(Path.Combine(Work, "x.yaml")), Is.False);
        });
    }

    [Test]
    public void Compress_WritesTheSameBytes_WhateverTheThreadCount()
    {
        string[] Files(string threads)
        {
            string folder = Path.Combine(Work, "j" + threads);
            string output = Path.Combine(folder, "c.yaml");
            var (code, _, stderr) = Run("compress", "-w", Shipped("Workloads/resnet_block.yaml"), "-o", output, "--config", Shipped("Configs/tiny.yaml"),
                "--filter-ratio", "0.25", "--fc-density", "0.5", "--include-classifier", "--samples", "8", "--low-rank-energy", "0.9",
                "--csv", Path.Combine(folder, "r.csv"), "--threads", threads, "-q", "--no-table");
            Assert.That(code, Is.Zero, stderr);
            return [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(f => Path.GetRelativePath(folder, f) + ":" + Convert.ToHexString(File.ReadAllBytes(f)))];
        }

        Assert.That(Files("2"), Is.EqualTo(Files("1")));
    }

    [Test]
    public void Compress_AMissingMaskFile_IsABadOption()
    {
        var (code, _, stderr) = Run("compress", "-w", Shipped("Workloads/resnet_block.yaml"), "-o", Path.Combine(Work, "x.yaml"),
            "--filter-mask", "conv_a=" + Path.Combine(Work, "none.npy"), "-q");

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain("the file does not exist"));
        });
    }

    [Test]
    public void Compress_WithNothingToDo_SaysWhatItCanDo()
    {
        var (code, _, stderr) = Run("compress", "-w", Shipped("Workloads/tiny.yaml"), "-o", Path.Combine(Work, "x.yaml"), "-q");

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain("nothing to do: give filter pruning"));
        });
    }
}
