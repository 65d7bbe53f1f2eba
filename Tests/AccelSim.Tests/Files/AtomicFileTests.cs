using System.Text.RegularExpressions;
using AccelSim.Files;
using AccelSim.Tracing;

namespace AccelSim.Tests.Files;

/// <summary>Temporary files of atomic writes: unpredictable, created exclusively (never through a symlink), removed on
/// failure, renamed over the target; stale ones of the same target removed by the next write, fresh ones kept.</summary>
public sealed partial class AtomicFileTests
{
    private string _work = "";

    [SetUp]
    public void CreateWorkFolder()
    {
        _work = Path.Combine(Path.GetTempPath(), "accelsim-atomic-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_work);
    }

    [TearDown]
    public void DeleteWorkFolder() => Directory.Delete(_work, recursive: true);

    [Test]
    public void Write_ReplacesTheTarget_AndLeavesNoTemporaryFile()
    {
        string target = Path.Combine(_work, "out.csv");
        File.WriteAllText(target, "old\n");

        AtomicFile.Write(target, w => w.WriteLine("new"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.ReadAllBytes(target), Is.EqualTo("new\n"u8.ToArray()), "UTF-8 without a byte-order mark, \\n line ends");
            Assert.That(Directory.GetFileSystemEntries(_work), Is.EqualTo(new[] { target }));
        }
    }

    [Test]
    public void TemporaryNames_FollowThePattern_AndDiffer()
    {
        string target = Path.Combine(_work, "out.csv");
        using AtomicFile first = AtomicFile.Create(target);
        using AtomicFile second = AtomicFile.Create(target);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Path.GetFileName(first.TemporaryPath), Does.Match(TemporaryPattern()));
            Assert.That(Path.GetFileName(second.TemporaryPath), Does.Match(TemporaryPattern()));
            Assert.That(second.TemporaryPath, Is.Not.EqualTo(first.TemporaryPath));
        }
    }

    [Test]
    public void AFailingWrite_LeavesTheTargetAsItWas_AndNoTemporaryFile()
    {
        string target = Path.Combine(_work, "out.csv");
        File.WriteAllText(target, "old\n");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(target, w =>
        {
            w.WriteLine("half");
            throw new InvalidOperationException("the writer failed");
        }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.ReadAllText(target), Is.EqualTo("old\n"));
            Assert.That(Directory.GetFileSystemEntries(_work), Is.EqualTo(new[] { target }));
        }
    }

    [Test]
    public void ATraceDisposedBeforeItCompletes_LeavesNoFile()
    {
        string target = Path.Combine(_work, "t.vcd");
        var metadata = new TraceMetadata("tiny", "tiny", 500, 8);

        using (TraceFormats.Open(target, TraceFormats.FromPath(target)!.Value, 1 << 20, metadata))
        {
            Assert.That(Directory.GetFileSystemEntries(_work), Has.Length.EqualTo(2), "the trace's temporary file and the VCD body's");
        }

        Assert.That(Directory.GetFileSystemEntries(_work), Is.Empty);
    }

    [Test]
    public void ASymlinkPlantedAtTheTemporaryName_IsNotFollowed()
    {
        string target = Path.Combine(_work, "out.csv");
        string victim = Path.Combine(_work, "victim.txt");
        File.WriteAllText(victim, "precious\n");
        string planted = Path.Combine(_work, AtomicFile.TemporaryName("out.csv", "planted"));
        PlantSymlink(planted, victim);
        var names = new Queue<string>(["planted", "drawnagain"]);

        using (AtomicFile file = AtomicFile.Create(target, names.Dequeue, DateTime.UtcNow))
        {
            file.Stream.Write("new\n"u8);
            file.Commit();
            Assert.That(file.TemporaryPath, Is.EqualTo(Path.Combine(_work, AtomicFile.TemporaryName("out.csv", "drawnagain"))));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.ReadAllText(victim), Is.EqualTo("precious\n"), "the symlink's target is untouched");
            Assert.That(File.ReadAllText(target), Is.EqualTo("new\n"));
            Assert.That(new FileInfo(target).LinkTarget, Is.Null, "the target is a regular file");
        }
    }

    [Test]
    public void ADanglingSymlinkPlantedAtTheTemporaryName_IsNotFollowed()
    {
        string target = Path.Combine(_work, "out.csv");
        string victim = Path.Combine(_work, "would-be-created.txt");
        PlantSymlink(Path.Combine(_work, AtomicFile.TemporaryName("out.csv", "planted")), victim);
        var names = new Queue<string>(["planted", "drawnagain"]);

        using (AtomicFile file = AtomicFile.Create(target, names.Dequeue, DateTime.UtcNow))
        {
            file.Commit();
        }

        Assert.That(File.Exists(victim), Is.False, "nothing was created through the link");
    }

    [Test]
    public void StaleTemporaryFilesOfTheTarget_AreRemoved_FreshOnesAndOthersAreKept()
    {
        // A fixed clock: "stale" is older than AtomicFile.StaleAge (1 hour) by last write time.
        var now = new DateTime(2030, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        string stale = Plant(AtomicFile.TemporaryName("out.csv", "0123456789abcdef"), now.AddMinutes(-61));
        string fresh = Plant(AtomicFile.TemporaryName("out.csv", "fedcba9876543210"), now.AddMinutes(-59));
        string otherTarget = Plant(AtomicFile.TemporaryName("other.csv", "0123456789abcdef"), now.AddHours(-5));
        string unrelated = Plant(".out.csv.tmp", now.AddHours(-5));
        string target = Path.Combine(_work, "out.csv");

        using (AtomicFile file = AtomicFile.Create(target, () => "aaaaaaaaaaaaaaaa", now))
        {
            file.Commit();
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.Exists(stale), Is.False, "61 minutes old: stale");
            Assert.That(File.Exists(fresh), Is.True, "59 minutes old: maybe a live run's");
            Assert.That(File.Exists(otherTarget), Is.True, "another target's");
            Assert.That(File.Exists(unrelated), Is.True, "not AccelSim's pattern");
            Assert.That(File.Exists(target), Is.True);
        }
    }

    private string Plant(string name, DateTime lastWriteUtc)
    {
        string path = Path.Combine(_work, name);
        File.WriteAllText(path, "left by a killed run\n");
        File.SetLastWriteTimeUtc(path, lastWriteUtc);
        return path;
    }

    private static void PlantSymlink(string link, string target)
    {
        try
        {
            File.CreateSymbolicLink(link, target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            Assert.Ignore($"this system refuses symlinks: {e.Message}");
        }
    }

    [GeneratedRegex(@"^\.out\.csv\.accelsim-[0-9a-f]{16}\.tmp$")]
    private static partial Regex TemporaryPattern();
}
