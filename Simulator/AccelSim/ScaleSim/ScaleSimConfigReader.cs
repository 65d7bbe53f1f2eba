using System.Globalization;
using AccelSim.Configuration;
using AccelSim.Hardware;

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

        var errors = new List<ConfigError>();
        var values = new Dictionary<(string Section, string Key), (string Value, int Line, int Column)>();
        var sections = new Dictionary<string, int>(StringComparer.Ordinal);
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

        string RequireValue(string sectionName, string key)
        {
            if (values.TryGetValue((sectionName, key.ToLowerInvariant()), out var found))
            {
                return found.Value;
            }

            int line = sections.TryGetValue(sectionName, out int at) ? at : 1;
            errors.Add(new ConfigError(path, line, 1, $"missing '{key}' in [{sectionName}]; SCALE-Sim v2 requires it"));
            return string.Empty;
        }

        int Integer(string sectionName, string key, int min, int max)
        {
            string text = RequireValue(sectionName, key);
            if (!values.TryGetValue((sectionName, key.ToLowerInvariant()), out var at))
            {
                return min;
            }

            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            {
                errors.Add(new ConfigError(path, at.Line, at.Column, $"{key} '{text}' must be an integer from {min} to {max}"));
                return min;
            }

            return value;
        }

        string runName = RequireValue("general", "run_name");
        string mode = RequireValue("run_presets", "InterfaceBandwidth");
        bool user = mode == "USER";
        if (mode.Length > 0 && mode is not ("USER" or "CALC"))
        {
            var at = values[("run_presets", "interfacebandwidth")];
            errors.Add(new ConfigError(path, at.Line, at.Column, $"InterfaceBandwidth '{mode}' must be USER or CALC"));
        }

        const string arch = "architecture_presets";
        int rows = Integer(arch, "ArrayHeight", 1, 4096);
        int cols = Integer(arch, "ArrayWidth", 1, 4096);
        int ifmapKb = Integer(arch, "IfmapSramSzkB", 1, 1 << 20);
        int filterKb = Integer(arch, "FilterSramSzkB", 1, 1 << 20);
        int ofmapKb = Integer(arch, "OfmapSramSzkB", 1, 1 << 20);
        foreach (string offset in new[] { "IfmapOffset", "FilterOffset", "OfmapOffset" })
        {
            Integer(arch, offset, 0, int.MaxValue); // address offsets: read and checked as SCALE-Sim does, not used
        }

        string flow = RequireValue(arch, "Dataflow");
        Dataflow dataflow = Dataflow.OutputStationary;
        switch (flow)
        {
            case "os": dataflow = Dataflow.OutputStationary; break;
            case "ws": dataflow = Dataflow.WeightStationary; break;
            case "is": dataflow = Dataflow.InputStationary; break;
            case "": break;
            default:
                var at = values[(arch, "dataflow")];
                errors.Add(new ConfigError(path, at.Line, at.Column, $"Dataflow '{flow}' must be os, ws or is"));
                break;
        }

        int bandwidth = 0;
        if (user)
        {
            string list = RequireValue(arch, "Bandwidth");
            if (values.TryGetValue((arch, "bandwidth"), out var at))
            {
                string first = list.Split(',')[0].Trim();
                if (!int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out bandwidth) || bandwidth < 1)
                {
                    errors.Add(new ConfigError(path, at.Line, at.Column, $"Bandwidth '{list}' must start with a whole number of words per cycle, at least 1"));
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new ConfigException(errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
        }

        var buffers = baseline.Buffers;
        var config = baseline with
        {
            Name = runName,
            PeArray = new PeArrayConfig(rows, cols, dataflow),
            Buffers = new BufferSetConfig(
                buffers.Ifmap with { CapacityBytes = ifmapKb * 1024L * OperandBytes },
                buffers.Weights with { CapacityBytes = filterKb * 1024L * OperandBytes },
                buffers.Ofmap with { CapacityBytes = ofmapKb * 1024L * OperandBytes }),
            Dram = user ? new DramConfig(3.0 * bandwidth * OperandBytes, LatencyCycles: 1) : new DramConfig(CalcModeBandwidthBytesPerCycle, LatencyCycles: 0),
        };
        return (config, new ScaleSimSettings(runName, user, bandwidth));
    }
}
