using ScottPlot;

namespace AccelSim.Plotting;

/// <summary>The bundled DejaVu fonts every plot is set in, so plots render on machines without any fonts installed.</summary>
public static class PlotFonts
{
    /// <summary>The font family every plot is set in, as registered from the bundled files.</summary>
    public const string FontFamily = "DejaVu Sans";

    /// <summary>The folder, beside the program, holding the bundled font files and their licence.</summary>
    public const string FontFolder = "fonts";

    /// <summary>
    /// ScottPlot keeps its font resolvers in a process-wide list; the bundled files are added to it once, by whichever
    /// thread plots first. Registration only adds font files, so later plots cannot change what earlier ones drew.
    /// </summary>
    private static readonly Lazy<bool> Registered = new(Register, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Registers the bundled fonts with ScottPlot (once per process).</summary>
    public static void EnsureRegistered() => _ = Registered.Value;

    private static bool Register()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, FontFolder);
        string regular = Path.Combine(folder, "DejaVuSans.ttf");
        string bold = Path.Combine(folder, "DejaVuSans-Bold.ttf");
        foreach (string file in new[] { regular, bold })
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"the bundled font {Path.GetFileName(file)} is missing from {folder}", file);
            }
        }

        // Titles and axis labels are bold: without the bold file they would render as nothing on a machine without fonts.
        Fonts.AddFontFile(FontFamily, regular, bold: false);
        Fonts.AddFontFile(FontFamily, bold, bold: true);
        return true;
    }
}
