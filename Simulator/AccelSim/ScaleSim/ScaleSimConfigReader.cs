using System.Globalization;
using AccelSim.Configuration;
using AccelSim.Hardware;
using AccelSim.Workloads;

namespace AccelSim.ScaleSim;

/// <summary>What a SCALE-Sim config says beyond the accelerator: its run name and how it treats DRAM bandwidth.</summary>
/// <param name="RunName">[general] run_name (SCALE-Sim's output folder name).</param>
/// <param name="UserBandwidth">InterfaceBandwidth = USER: DRAM moves <paramref name="BandwidthWords"/> words per cycle per
/// interface. CALC: SCALE-Sim assumes DRAM keeps up and only estimates the bandwidth that needs.</param>
/// <param name="BandwidthWords">The first Bandwidth value (the only one SCALE-Sim v2 uses), words per cycle; 0 in CALC mode.</param>
public sealed record ScaleSimSettings(string RunName, bool UserBandwidth, int BandwidthWords);

/// <summary>Reads SCALE-Sim v2's INI config (<c>.cfg</c>) into an accelerator, with file:line:column errors.</summary>
/// <remarks>
/// The syntax is Python configparser's, which SCALE-Sim reads it with: <c>[section]</c> headers, <c>key = value</c> or
/// <c>key: value</c> (the first delimiter splits), keys case-insensitive, values trimmed, whole-line comments with
/// <c>#</c> or <c>;</c>. (No .NET INI package accepts both delimiters and reports positions, so it is parsed here.)
/// SCALE-Sim sizes its buffers in kB of one-operand words; an operand here is a float32 feature-map element, so a buffer
/// of n kB holds n·1024 operands = n·4096 bytes. In CALC mode DRAM is made fast enough never to limit (SCALE-Sim's CALC
/// runs never stall); in USER mode the three interfaces of Bandwidth words per cycle each become one channel of 3 ×
/// Bandwidth operands per cycle with SCALE-Sim's 1-cycle port latency. That is this simulator's own timing of the config;
/// compatibility runs take their stalls and DRAM figures from SCALE-Sim's memory system instead, which models the three
/// interfaces, the buffer sizes and both modes as SCALE-Sim does. Everything SCALE-Sim has no notion of (clock,
/// vector unit, BFP formats, energy table, SRAM word width and ports) comes from the baseline config passed in.
/// </remarks>
public static class ScaleSimConfigReader
{
    /// <summary>Bytes of one SCALE-Sim word (one operand) in this simulator: a float32 feature-map element.</summary>
    public const int OperandBytes = 4;

    /// <summary>DRAM bytes per cycle that stand for CALC mode's "DRAM always keeps up".</summary>
    public const double CalcModeBandwidthBytesPerCycle = 1e12;

    public static (AcceleratorConfig Config, ScaleSimSettings Settings) Read(string path, AcceleratorConfig baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        string[] lines;
        try
        {
            lines = AccelSim.Files.InputFile.ReadAllLines(path, AccelSim.Files.InputLimit.ScaleSim);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(new ConfigError(path, 1, 1, $"cannot read the SCALE-Sim config: {e.Message}"));
        }

        IniFile ini = IniFile.Parse(path, lines);
        string runName = ini.RequireValue("general", "run_name");
        bool user = ReadInterfaceBandwidth(ini);
        ArchitecturePresets presets = ReadArchitecture(ini);
        int bandwidth = user ? ReadBandwidth(ini) : 0;
        if (ini.Errors.Count > 0)
        {
            throw new ConfigException(ini.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
        }

        return (Configure(baseline, runName, presets, user, bandwidth), new ScaleSimSettings(runName, user, bandwidth));
    }

    private const string Architecture = "architecture_presets";

    /// <summary>The [architecture_presets] values this simulator uses: the array, its dataflow and the buffer sizes in kB.</summary>
    private sealed record ArchitecturePresets(int Rows, int Cols, int IfmapKb, int FilterKb, int OfmapKb, Dataflow Dataflow);

    /// <summary>[run_presets] InterfaceBandwidth: true for USER; false for CALC, and when it is missing or wrong (both reported).</summary>
    private static bool ReadInterfaceBandwidth(IniFile ini)
    {
        string mode = ini.RequireValue("run_presets", "InterfaceBandwidth");
        bool user = mode == "USER";
        if (mode.Length > 0 && mode is not ("USER" or "CALC"))
        {
            var at = ini.Values[("run_presets", "interfacebandwidth")];
            ini.Errors.Add(new ConfigError(ini.Path, at.Line, at.Column, $"InterfaceBandwidth '{mode}' must be USER or CALC"));
        }

        return user;
    }

    /// <summary>Reads and checks [architecture_presets] in SCALE-Sim's order (the address offsets are checked, not used);
    /// a missing or wrong value is reported and read as its minimum, or as output-stationary for the dataflow.</summary>
    private static ArchitecturePresets ReadArchitecture(IniFile ini)
    {
        int rows = ini.Integer(Architecture, "ArrayHeight", 1, 4096);
        int cols = ini.Integer(Architecture, "ArrayWidth", 1, 4096);
        int ifmapKb = ini.Integer(Architecture, "IfmapSramSzkB", 1, 1 << 20);
        int filterKb = ini.Integer(Architecture, "FilterSramSzkB", 1, 1 << 20);
        int ofmapKb = ini.Integer(Architecture, "OfmapSramSzkB", 1, 1 << 20);
        foreach (string offset in new[] { "IfmapOffset", "FilterOffset", "OfmapOffset" })
        {
            ini.Integer(Architecture, offset, 0, int.MaxValue); // address offsets: read and checked as SCALE-Sim does, not used
        }

        string flow = ini.RequireValue(Architecture, "Dataflow");
        Dataflow dataflow = Dataflow.OutputStationary;
        switch (flow)
        {
            case "os": dataflow = Dataflow.OutputStationary; break;
            case "ws": dataflow = Dataflow.WeightStationary; break;
            case "is": dataflow = Dataflow.InputStationary; break;
            case "": break;
            default:
                var at = ini.Values[(Architecture, "dataflow")];
                ini.Errors.Add(new ConfigError(ini.Path, at.Line, at.Column, $"Dataflow '{flow}' must be os, ws or is"));
                break;
        }

        return new ArchitecturePresets(rows, cols, ifmapKb, filterKb, ofmapKb, dataflow);
    }

    /// <summary>USER mode's words per cycle per interface: the first value of [architecture_presets] Bandwidth.</summary>
    private static int ReadBandwidth(IniFile ini)
    {
        int bandwidth = 0;
        string list = ini.RequireValue(Architecture, "Bandwidth");
        if (ini.Values.TryGetValue((Architecture, "bandwidth"), out var at))
        {
            string first = list.Split(',')[0].Trim();
            if (!int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out bandwidth) || bandwidth < 1)
            {
                ini.Errors.Add(new ConfigError(ini.Path, at.Line, at.Column, $"Bandwidth '{list}' must start with a whole number of words per cycle, at least 1"));
            }
        }

        return bandwidth;
    }

    /// <summary>The baseline with SCALE-Sim's array, buffers (kB of operands) and DRAM (see the class remarks).</summary>
    private static AcceleratorConfig Configure(AcceleratorConfig baseline, string runName, ArchitecturePresets presets, bool user, int bandwidth)
    {
        var buffers = baseline.Buffers;
        return baseline with
        {
            Name = runName,
            PeArray = new PeArrayConfig(presets.Rows, presets.Cols, presets.Dataflow),
            Buffers = new BufferSetConfig(
                buffers.Ifmap with { CapacityBytes = presets.IfmapKb * 1024L * OperandBytes },
                buffers.Weights with { CapacityBytes = presets.FilterKb * 1024L * OperandBytes },
                buffers.Ofmap with { CapacityBytes = presets.OfmapKb * 1024L * OperandBytes }),
            Dram = user ? new DramConfig(3.0 * bandwidth * OperandBytes, LatencyCycles: 1) : new DramConfig(CalcModeBandwidthBytesPerCycle, LatencyCycles: 0),

            // SCALE-Sim's operands are words of OperandBytes: its feature maps are float32 whatever the baseline stores.
            ActivationStorage = ActivationStorage.Float32,
        };
    }

    /// <summary>The file as configparser reads it: each value with its 1-based position, each section's header line, and
    /// the errors found so far (in the order found; <see cref="Read"/> sorts them by position).</summary>
    private sealed class IniFile
    {
        private IniFile(string path) => Path = path;

        public string Path { get; }

        public List<ConfigError> Errors { get; } = [];

        /// <summary>Keyed by section (as written) and key (lower case); a repeated key keeps its last value.</summary>
        public Dictionary<(string Section, string Key), (string Value, int Line, int Column)> Values { get; } = [];

        /// <summary>The line of each section's (last) header.</summary>
        public Dictionary<string, int> Sections { get; } = new(StringComparer.Ordinal);

        public static IniFile Parse(string path, string[] lines)
        {
            var ini = new IniFile(path);
            var errors = ini.Errors;
            var values = ini.Values;
            var sections = ini.Sections;
            string? section = null;
            for (int i = 0; i < lines.Length; i++)
            {
                string raw = lines[i];
                string text = raw.Trim();
                int indent = raw.Length - raw.TrimStart().Length;
                if (text.Length == 0 || text[0] is '#' or ';')
                {
                    continue;
                }

                if (text[0] == '[')
                {
                    if (text[^1] != ']')
                    {
                        errors.Add(new ConfigError(path, i + 1, indent + 1, $"section header '{text}' has no closing ']'"));
                        continue;
                    }

                    section = text[1..^1];
                    sections[section] = i + 1;
                    continue;
                }

                int delimiter = text.IndexOfAny(['=', ':']);
                if (delimiter <= 0)
                {
                    errors.Add(new ConfigError(path, i + 1, indent + 1, $"'{text}' is not 'key = value' or 'key: value'"));
                    continue;
                }

                if (section is null)
                {
                    errors.Add(new ConfigError(path, i + 1, indent + 1, "a key before any [section] header"));
                    continue;
                }

                string key = text[..delimiter].Trim().ToLowerInvariant();
                string value = text[(delimiter + 1)..].Trim();
                int valueColumn = indent + delimiter + 2 + (text[(delimiter + 1)..].Length - text[(delimiter + 1)..].TrimStart().Length);
                values[(section, key)] = (value, i + 1, valueColumn);
            }

            return ini;
        }

        /// <summary>The value of a key SCALE-Sim requires; when missing, reports it at the section header (or line 1) and returns "".</summary>
        public string RequireValue(string sectionName, string key)
        {
            if (Values.TryGetValue((sectionName, key.ToLowerInvariant()), out var found))
            {
                return found.Value;
            }

            int line = Sections.TryGetValue(sectionName, out int at) ? at : 1;
            Errors.Add(new ConfigError(Path, line, 1, $"missing '{key}' in [{sectionName}]; SCALE-Sim v2 requires it"));
            return string.Empty;
        }

        /// <summary>A required integer in [min, max]; when missing or wrong, reports it and returns <paramref name="min"/>.</summary>
        public int Integer(string sectionName, string key, int min, int max)
        {
            string text = RequireValue(sectionName, key);
            if (!Values.TryGetValue((sectionName, key.ToLowerInvariant()), out var at))
            {
                return min;
            }

            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            {
                Errors.Add(new ConfigError(Path, at.Line, at.Column, $"{key} '{text}' must be an integer from {min} to {max}"));
                return min;
            }

            return value;
        }
    }
}
