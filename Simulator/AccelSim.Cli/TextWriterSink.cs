using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace AccelSim.Cli;

/// <summary>Writes log events to a given writer (stderr in the shell, a captured writer in tests), so logs never mix with results on stdout.</summary>
internal sealed class TextWriterSink(TextWriter output, string template) : ILogEventSink
{
    private readonly MessageTemplateTextFormatter _formatter = new(template, CultureInfo.InvariantCulture);
    private readonly Lock _gate = new();

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            _formatter.Format(logEvent, output);
            output.Flush();
        }
    }
}
