using System.Text;
using System.Text.RegularExpressions;

namespace AccelSim.Tests.Docs;

/// <summary>One command line as a document shows it.</summary>
/// <param name="Document">The Markdown file, relative to the repository root, with '/' separators.</param>
/// <param name="Line">1-based line of the document where the command starts.</param>
/// <param name="Text">The command as run: one line, shell variables replaced by their sample values.</param>
/// <param name="Arguments">What <c>accelsim</c> receives: the words after <c>accelsim</c>, or after <c>--</c> of <c>dotnet run</c>.</param>
/// <param name="Project">The <c>--project</c> folder of a <c>dotnet run</c> command; null for <c>accelsim</c>.</param>
public sealed record DocumentedCommand(string Document, int Line, string Text, IReadOnlyList<string> Arguments, string? Project)
{
    public override string ToString() => $"{Document}:{Line}: {Text}";
}

/// <summary>
/// Finds the <c>accelsim</c> commands of a Markdown document, by these rules:
/// <list type="bullet">
/// <item>Fenced code blocks without a language or in <c>sh</c>, <c>bash</c>, <c>shell</c> or <c>console</c> are shell:
/// <c>#</c> starts a comment (at the start of a word, outside quotes), a line ending in <c>\</c> continues on the next,
/// and a line splits into commands at <c>;</c>, <c>&amp;&amp;</c>, <c>||</c> and <c>|</c>. Other blocks (YAML) are not.</item>
/// <item>An inline code span outside the blocks is a command when it starts with <c>accelsim</c>, <c>dotnet run</c>,
/// <c>time</c> or <c>for</c>, names a path (a word with a <c>/</c>) and is not a synopsis: no <c>[ ]</c>, <c>…</c>,
/// <c>...</c> or <c> | </c>, and no placeholder in capitals (<c>FILE</c>, <c>DIR</c>, <c>OUT.yaml</c>). Spans that only name a
/// command (<c>accelsim run</c>, <c>accelsim run --detail pe</c>) are prose.</item>
/// <item>A command is a piece whose first word is <c>accelsim</c>, or <c>dotnet run</c> with <c>--project</c> (its
/// arguments follow <c>--</c>); a leading <c>time</c> is dropped. Other programs (<c>sbatch</c>, <c>gtkwave</c>) are not ours.</item>
/// <item><c>for X in a b c; do …; done</c> (on one line or several) gives its body once, with <c>$X</c> = <c>a</c>.
/// Other variables take the sample values of <see cref="SampleVariables"/> (a job array's task 0); any other variable, or a
/// command substitution <c>$(…)</c>, inside one of our commands is an error, so a document cannot hide a command from the test.</item>
/// </list>
/// </summary>
public static partial class DocumentedCommands
{
    /// <summary>Values for the variables a batch scheduler sets, as its first task would see them.</summary>
    public static IReadOnlyDictionary<string, string> SampleVariables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["SLURM_ARRAY_TASK_ID"] = "0",
        ["SLURM_ARRAY_TASK_COUNT"] = "16",
        ["SLURM_CPUS_PER_TASK"] = "4",
        ["JOB_COMPLETION_INDEX"] = "0",
    };

    private static readonly HashSet<string> ShellLanguages = new(StringComparer.OrdinalIgnoreCase) { "", "sh", "bash", "shell", "console" };

    /// <summary>Every Markdown file of the repository (build output and hidden folders left out), ordinal order.</summary>
    public static IReadOnlyList<string> Documents(string root) =>
        [.. Directory.EnumerateFiles(root, "*.md", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Where(path => !path.Split('/').Any(part => part is "bin" or "obj" || part.StartsWith('.')))
            .Order(StringComparer.Ordinal)];

    /// <summary>The commands of one document, in the order they appear.</summary>
    public static IReadOnlyList<DocumentedCommand> Extract(string document, string markdown)
    {
        string[] lines = markdown.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        var commands = new List<DocumentedCommand>();
        int i = 0;
        while (i < lines.Length)
        {
            int start = i;
            if (IsFence(lines[i]))
            {
                string language = lines[i].Trim()[3..].Trim();
                int end = start + 1;
                while (end < lines.Length && !IsFence(lines[end]))
                {
                    end++;
                }

                if (ShellLanguages.Contains(language))
                {
                    commands.AddRange(FromScript(document, lines[(start + 1)..end], start + 2));
                }

                i = end + 1;
            }
            else
            {
                while (i < lines.Length && !IsFence(lines[i]))
                {
                    i++;
                }

                commands.AddRange(FromProse(document, string.Join('\n', lines[start..i]), start + 1));
            }
        }

        return commands;
    }

    private static bool IsFence(string line) => line.TrimStart().StartsWith("```", StringComparison.Ordinal);

    private static IEnumerable<DocumentedCommand> FromScript(string document, string[] lines, int firstLine)
    {
        var logical = new List<(string Text, int Line)>();
        var current = new StringBuilder();
        int currentLine = 0;
        for (int k = 0; k < lines.Length; k++)
        {
            string code = StripComment(lines[k]).TrimEnd();
            if (current.Length == 0)
            {
                currentLine = firstLine + k;
            }

            bool continues = code.EndsWith('\\');
            string part = current.Length > 0 ? code.TrimStart() : code;
            current.Append(continues ? part[..^1] : part).Append(' ');
            if (!continues)
            {
                logical.Add((current.ToString().Trim(), currentLine));
                current.Clear();
            }
        }

        // A for loop written over several lines is one piece of script up to its "done".
        for (int k = 0; k < logical.Count; k++)
        {
            if (!logical[k].Text.StartsWith("for ", StringComparison.Ordinal))
            {
                continue;
            }

            var text = new StringBuilder(logical[k].Text);
            int end = k;
            while (!Split(text.ToString()).Contains("done") && end + 1 < logical.Count)
            {
                text.Append("; ").Append(logical[++end].Text);
            }

            logical[k] = (text.ToString(), logical[k].Line);
            logical.RemoveRange(k + 1, end - k);
        }

        return logical.SelectMany(piece => FromLine(document, piece.Text, piece.Line));
    }

    private static IEnumerable<DocumentedCommand> FromProse(string document, string prose, int firstLine)
    {
        foreach (Match span in InlineCode().Matches(prose))
        {
            string text = string.Join(' ', span.Groups[1].Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            if (CommandStart().IsMatch(text) && text.Contains('/', StringComparison.Ordinal) && !IsSynopsis(text))
            {
                int line = firstLine + prose.AsSpan(0, span.Index).Count('\n');
                foreach (DocumentedCommand command in FromLine(document, text, line))
                {
                    yield return command;
                }
            }
        }
    }

    private static bool IsSynopsis(string text) =>
        text.IndexOfAny(['[', ']', '…']) >= 0 || text.Contains("...", StringComparison.Ordinal) || text.Contains(" | ", StringComparison.Ordinal)
        || text.Split(' ').Any(word => Placeholder().IsMatch(word));

    private static IEnumerable<DocumentedCommand> FromLine(string document, string line, int lineNumber)
    {
        var variables = new Dictionary<string, string>(SampleVariables, StringComparer.Ordinal);
        foreach (string piece in Split(line))
        {
            if (piece.StartsWith("for ", StringComparison.Ordinal))
            {
                string[] loop = piece.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                variables[loop[1]] = loop[3];
            }
            else if (Recognize(document, lineNumber, Unwrap(piece), variables) is { } command)
            {
                yield return command;
            }
        }
    }

    /// <summary>Drops the "do" that opens a loop body and a leading "time".</summary>
    private static string Unwrap(string piece)
    {
        piece = piece.StartsWith("do ", StringComparison.Ordinal) ? piece[3..].Trim() : piece;
        return piece.StartsWith("time ", StringComparison.Ordinal) ? piece[5..].Trim() : piece;
    }

    private static DocumentedCommand? Recognize(string document, int lineNumber, string piece, Dictionary<string, string> variables)
    {
        List<string> first = Words(piece);
        bool accelsim = first.Count > 0 && first[0] == "accelsim";
        bool dotnetRun = first.Count > 1 && first[0] == "dotnet" && first[1] == "run" && first.Contains("--project");
        if (!accelsim && !dotnetRun)
        {
            return null;
        }

        string expanded = Expand(piece, variables, $"{document}:{lineNumber}");
        List<string> words = Words(expanded);
        return accelsim
            ? new DocumentedCommand(document, lineNumber, expanded, [.. words.Skip(1)], null)
            : new DocumentedCommand(document, lineNumber, expanded, [.. words.SkipWhile(w => w != "--").Skip(1)], words[words.IndexOf("--project") + 1]);
    }

    private static string Expand(string piece, Dictionary<string, string> variables, string where)
    {
        if (piece.Contains("$(", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{where}: a command substitution $(…) in a documented command cannot be checked: {piece}");
        }

        return Variable().Replace(piece, match =>
        {
            string name = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
            return variables.TryGetValue(name, out string? value)
                ? value
                : throw new InvalidOperationException($"{where}: ${name} has no sample value (see DocumentedCommands.SampleVariables): {piece}");
        });
    }

    /// <summary>Cuts a line into pieces at ; &amp;&amp; || and |, outside quotes.</summary>
    private static List<string> Split(string line)
    {
        var pieces = new List<string>();
        int start = 0;
        int skipUntil = -1;
        foreach (int k in OutsideQuotes(line))
        {
            char c = line[k];
            if (k <= skipUntil || !(c is ';' or '|' || (c == '&' && k + 1 < line.Length && line[k + 1] == '&')))
            {
                continue;
            }

            pieces.Add(line[start..k].Trim());
            // A doubled separator (&& or ||) is one separator.
            skipUntil = k + 1 < line.Length && line[k + 1] == c ? k + 1 : k;
            start = skipUntil + 1;
        }

        pieces.Add(line[start..].Trim());
        return [.. pieces.Where(p => p.Length > 0)];
    }

    /// <summary>Shell words: blanks separate, quotes group and are removed, a backslash outside single quotes escapes.</summary>
    private static List<string> Words(string piece)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        bool inWord = false;
        char quote = '\0';
        for (int k = 0; k < piece.Length; k++)
        {
            char c = piece[k];
            if (quote != '\0' && c == quote)
            {
                quote = '\0';
            }
            else if (quote == '\0' && c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (quote != '\'' && c == '\\' && k + 1 < piece.Length)
            {
                current.Append(piece[++k]);
                inWord = true;
            }
            else if (quote == '\0' && char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    /// <summary>Drops a # comment: a # at the start of a word, outside quotes.</summary>
    private static string StripComment(string line)
    {
        foreach (int k in OutsideQuotes(line))
        {
            if (line[k] == '#' && (k == 0 || char.IsWhiteSpace(line[k - 1])))
            {
                return line[..k];
            }
        }

        return line;
    }

    /// <summary>The indices of the characters of <paramref name="line"/> that stand outside single or double quotes
    /// (the quote characters themselves excluded).</summary>
    private static IEnumerable<int> OutsideQuotes(string line)
    {
        char quote = '\0';
        for (int k = 0; k < line.Length; k++)
        {
            char c = line[k];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else
            {
                yield return k;
            }
        }
    }

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^(accelsim|dotnet run|time|for) ")]
    private static partial Regex CommandStart();

    [GeneratedRegex(@"^[A-Z][A-Z0-9_]*(\.[a-z0-9]+)?[,.;:]?$")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex Variable();
}
