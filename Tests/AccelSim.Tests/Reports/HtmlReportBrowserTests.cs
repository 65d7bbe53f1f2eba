using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using AccelSim.Reports;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Reports;

/// <summary>The HTML report as a browser shows it: headless Chromium opens the page from disk, with no network, and a
/// check added to a copy of the page reports which images did not load and what was logged as an error.</summary>
[Category("Browser")]
public sealed partial class HtmlReportBrowserTests() : WorkFolderFixture("accelsim-report-")
{
    /// <summary>Runs first in the page: records load failures (which do not bubble, hence the capture phase) and console
    /// errors, and after the load event appends what it found to the page, which <c>--dump-dom</c> prints.</summary>
    private const string Check = """
        <script>
        window.accelsimErrors = [];
        window.addEventListener('error', function (e) {
          var t = e.target;
          window.accelsimErrors.push(t && t.getAttribute && t.getAttribute('src') ? 'failed to load ' + t.getAttribute('src') : String(e.message));
        }, true);
        var originalError = console.error;
        console.error = function () { window.accelsimErrors.push(Array.prototype.join.call(arguments, ' ')); originalError.apply(console, arguments); };
        window.addEventListener('load', function () {
          var images = Array.prototype.slice.call(document.images);
          var broken = images.filter(function (i) { return !i.complete || i.naturalWidth === 0; }).map(function (i) { return i.getAttribute('src'); });
          var result = document.createElement('pre');
          result.id = 'accelsim-check';
          result.textContent = 'images=' + images.length + ';broken=' + broken.join(',') + ';errors=' + window.accelsimErrors.join(' | ') + ';';
          document.body.appendChild(result);
        });
        </script>

        """;

    [GeneratedRegex("<pre id=\"accelsim-check\">([^<]*)</pre>")]
    private static partial Regex CheckResult();

    private static string Chromium()
    {
        string? found = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        if (found is null)
        {
            Assert.Ignore("chromium is not installed (Debian package 'chromium'; .ci/run installs it): the report is not rendered");
        }

        return found!;
    }

    /// <summary>Writes the report and a copy of its page with the check, opens the copy headless and returns what the
    /// check found and Chromium's log.</summary>
    private (string Found, string Log) Render(Action<string>? spoil = null)
    {
        string chromium = Chromium();
        string folder = Path.Combine(Work, "report");
        Directory.CreateDirectory(folder);
        foreach (ReportFile file in HtmlReport.Render(HtmlReportTests.Shipped(numerics: true), HtmlReportTests.Context))
        {
            File.WriteAllBytes(Path.Combine(folder, file.Name), [.. file.Bytes]);
        }

        string page = File.ReadAllText(Path.Combine(folder, HtmlReport.PageName), Encoding.UTF8);
        File.WriteAllText(Path.Combine(folder, "check.html"), page.Replace("<head>\n", "<head>\n" + Check.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal));
        spoil?.Invoke(folder);

        var start = new ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[]
        {
            "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", $"--user-data-dir={Path.Combine(Work, "profile")}",
            "--allow-file-access-from-files", "--virtual-time-budget=10000", "--enable-logging=stderr", "--v=0",
            "--dump-dom", new Uri(Path.Combine(folder, "check.html")).AbsoluteUri,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("chromium did not finish within 2 minutes");
        }

        Match found = CheckResult().Match(stdout.Result);
        Assert.That(found.Success, Is.True, $"the page's check did not run; chromium exited with {process.ExitCode}:\n{stderr.Result}");
        return (found.Groups[1].Value, stderr.Result);
    }

    [Test]
    public void Report_OpensInChromium_WithEveryFigureLoaded_AndNoError()
    {
        (string found, string log) = Render();

        Assert.Multiple(() =>
        {
            // Five figures with numerics: cycles, roofline, energy by layer, energy by action, SQNR.
            Assert.That(found, Is.EqualTo("images=5;broken=;errors=;"));
            // Chromium logs what the page writes to its console as CONSOLE lines.
            Assert.That(log.Split('\n').Where(l => l.Contains("CONSOLE", StringComparison.Ordinal)), Is.Empty);
        });
    }

    [Test]
    public void MissingFigure_IsFoundByTheCheck()
    {
        // The check can fail: with one figure deleted it names it, as broken and as a load error.
        (string found, _) = Render(folder => File.Delete(Path.Combine(folder, "roofline.png")));

        Assert.That(found, Is.EqualTo("images=5;broken=roofline.png;errors=failed to load roofline.png;"));
    }
}
