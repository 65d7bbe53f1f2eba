using System.CommandLine;
using AccelSim.Tests.Support;
using YamlDotNet.Serialization;

namespace AccelSim.Tests.Packaging;

/// <summary>
/// What can be checked of the Kubernetes Jobs without a cluster or a container builder: the manifests are YAML, the
/// command each Job runs parses with the real command line and names shipped files, and docs/sweeps.md shows the sweep
/// Job as it is in the repository. (The Slurm scripts run for real in <see cref="SlurmSweepTests"/>.)
/// </summary>
public sealed class DeploymentFilesTests
{
    private static string Deploy(params string[] parts) => Path.Combine([RepoPaths.Root, "deploy", .. parts]);

    [TestCase("sweep-job.yaml", "sweep")]
    [TestCase("merge-job.yaml", "merge")]
    public void KubernetesJob_RunsACommandTheCommandLineAccepts_OnShippedFiles(string manifest, string container)
    {
        string command = ContainerCommand(File.ReadAllText(Deploy("kubernetes", manifest)), container);
        // The first completion index, as the pod would expand it; a glob stays a word (the merge's shard-*).
        string[] words = command.Replace("$JOB_COMPLETION_INDEX", "0", StringComparison.Ordinal)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);

        Assert.That(words[0], Is.EqualTo("accelsim"));
        ParseResult parse = AccelSim.Cli.Commands.Build(TextWriter.Null, TextWriter.Null).Parse(words[1..]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(parse.Errors.Select(error => error.Message), Is.Empty, command);
            Assert.That(words.Where(word => word.StartsWith("Configs/", StringComparison.Ordinal) || word.StartsWith("Workloads/", StringComparison.Ordinal))
                .Where(word => !File.Exists(Path.Combine(RepoPaths.Root, word))), Is.Empty, "shipped files the image carries");
        }
    }

    [Test]
    public void SweepsPage_ShowsTheSweepJobAsItIsInTheRepository()
    {
        string page = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "sweeps.md")).Replace("\r", "", StringComparison.Ordinal);
        string job = File.ReadAllText(Deploy("kubernetes", "sweep-job.yaml")).Replace("\r", "", StringComparison.Ordinal);

        Assert.That(page, Does.Contain("```yaml\n" + job + "```\n"));
    }

    [Test]
    public void SlurmScripts_AndDockerfile_AreWhereThePagesSayTheyAre()
    {
        string page = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "sweeps.md"));
        string[] named = ["deploy/slurm/sweep.sbatch", "deploy/slurm/merge.sbatch", "deploy/Dockerfile", "deploy/kubernetes/merge-job.yaml"];

        using (Assert.EnterMultipleScope())
        {
            foreach (string file in named)
            {
                Assert.That(page, Does.Contain(file));
                Assert.That(File.Exists(Path.Combine(RepoPaths.Root, file)), Is.True, file);
            }
        }
    }

    /// <summary>The shell command a container of a Job runs: <c>command: ["sh", "-c"]</c> and one argument.</summary>
    private static string ContainerCommand(string yaml, string container)
    {
        var job = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(yaml);
        var podSpec = Map(Map(Map(job["spec"])["template"])["spec"]);
        var containers = ((List<object>)podSpec["containers"]).Select(Map).ToList();
        var chosen = containers.Single(c => (string)c["name"] == container);
        Assert.That(((List<object>)chosen["command"]).Cast<string>(), Is.EqualTo(new[] { "sh", "-c" }));
        return (string)((List<object>)chosen["args"]).Single();
    }

    private static Dictionary<object, object> Map(object node) => (Dictionary<object, object>)node;
}
