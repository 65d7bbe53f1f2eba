using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace AccelSim.Configuration.Yaml;

/// <summary>
/// Turns YAML text into a <see cref="DocNode"/> tree using YamlDotNet's event parser. Syntax errors end the parse
/// (the parser cannot resume) and are reported at the parser's position; structural problems it can recover from
/// (a second document, a non-scalar key, an unknown alias, excessive nesting) are reported and parsing goes on.
/// </summary>
internal static class DocParser
{
    /// <summary>Deeper nesting is refused: no configuration needs it, and recursion must not exhaust the stack.</summary>
    private const int MaxDepth = 64;

    private const string StringTag = "tag:yaml.org,2002:str";

    /// <summary>Parses <paramref name="text"/>; returns null when nothing usable was read (the errors say why).</summary>
    public static DocNode? Parse(string text, ConfigErrors errors)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, DocNode>(StringComparer.Ordinal);
        try
        {
            Next(parser); // StreamStart
            ParsingEvent first = Next(parser);
            if (first is StreamEnd)
            {
                errors.Add(1, 1, "the file holds no YAML document; expected a mapping of keys");
                return null;
            }

            Next(parser); // past DocumentStart
            DocNode root = ReadNode(parser, anchors, errors, depth: 0);
            ParsingEvent after = Next(parser); // past DocumentEnd
            if (after is DocumentStart)
            {
                errors.Add(after.Start.Line.ToInt(), after.Start.Column.ToInt(),
                    "a second YAML document ('---') is not allowed; a file holds exactly one document");
            }

            return root;
        }
        catch (YamlException e)
        {
            if (e.Message.Contains("invalid tab as indentation", StringComparison.Ordinal) && IndentingTab(text, e.Start.Line.ToInt()) is (int line, int column))
            {
                // YamlDotNet reports this one where the enclosing mapping started (often 1:1); the tab is what the user
                // must fix. Its other tab error ("a tab character that violate indentation") already points at the line
                // before the tab and is kept as it is.
                errors.Add(line, column, "a tab is used for indentation; YAML indents with spaces only");
                return null;
            }

            errors.Add(e.Start.Line.ToInt(), e.Start.Column.ToInt(), $"YAML syntax error: {e.Message}");
            return null;
        }
    }

    /// <summary>The 1-based line and column of the first tab that indents content (in the leading spaces and sequence
    /// dashes of a line that is neither blank nor a comment), from line <paramref name="from"/> on; null if none.</summary>
    private static (int Line, int Column)? IndentingTab(string text, int from)
    {
        string[] lines = text.Split('\n');
        for (int i = Math.Max(from, 1) - 1; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            int indent = 0;
            while (indent < line.Length && line[indent] is ' ' or '\t' or '-')
            {
                indent++;
            }

            int tab = line.IndexOf('\t', 0, indent);
            if (tab >= 0 && indent < line.Length && line[indent] != '#')
            {
                return (i + 1, tab + 1);
            }
        }

        return null;
    }

    /// <summary>Moves to the next event. YamlDotNet's scanner fails on some malformed flow collections with a plain
    /// <see cref="InvalidOperationException"/>; that becomes a syntax error after the last event read.</summary>
    private static ParsingEvent Next(Parser parser)
    {
        bool moved;
        try
        {
            moved = parser.MoveNext();
        }
        catch (Exception e) when (e is not YamlException)
        {
            Mark at = parser.Current?.End ?? Mark.Empty;
            throw new SyntaxErrorException(at, at,
                "the parser could not go on after this point; look for an unclosed '{', '[' or quote, or a stray character");
        }

        return moved ? parser.Current! : throw new InvalidOperationException("The YAML event stream ended early.");
    }

    private static DocNode ReadNode(Parser parser, Dictionary<string, DocNode> anchors, ConfigErrors errors, int depth)
    {
        ParsingEvent current = parser.Current!;
        int line = current.Start.Line.ToInt();
        int column = current.Start.Column.ToInt();
        DocNode node;
        switch (current)
        {
            case Scalar scalar:
                bool isString = scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && scalar.Tag.Value == StringTag);
                node = new DocScalar(scalar.Value, !isString, line, column);
                Next(parser);
                break;

            case AnchorAlias alias:
                Next(parser);
                if (anchors.TryGetValue(alias.Value.Value, out DocNode? target))
                {
                    return target;
                }

                errors.Add(line, column, $"alias '*{alias.Value.Value}' refers to no anchor defined before it");
                return new DocScalar("", isPlain: true, line, column);

            case SequenceStart:
                var sequence = new DocSequence(line, column);
                Next(parser);
                while (parser.Current is not SequenceEnd)
                {
                    sequence.Items.Add(ReadChild(parser, anchors, errors, depth));
                }

                Next(parser);
                node = sequence;
                break;

            case MappingStart:
                var mapping = new DocMapping(line, column);
                Next(parser);
                while (parser.Current is not MappingEnd)
                {
                    DocNode key = ReadChild(parser, anchors, errors, depth);
                    DocNode value = ReadChild(parser, anchors, errors, depth);
                    if (key is DocScalar scalarKey)
                    {
                        mapping.Entries.Add(new DocEntry(scalarKey, value));
                    }
                    else
                    {
                        errors.Add(key, "a mapping key must be a plain name, not a list or mapping");
                    }
                }

                Next(parser);
                node = mapping;
                break;

            default:
                // YamlDotNet emits an end where a node belongs for some malformed keys (a line starting " : " inside a block mapping).
                throw new SyntaxErrorException(current.Start, current.End,
                    "a key or value is missing here; look for a stray ':' or a line indented differently from its neighbours");
        }

        if (current is NodeEvent { Anchor.IsEmpty: false } anchored)
        {
            anchors[anchored.Anchor.Value] = node;
        }

        return node;
    }

    private static DocNode ReadChild(Parser parser, Dictionary<string, DocNode> anchors, ConfigErrors errors, int depth)
    {
        if (depth + 1 < MaxDepth)
        {
            return ReadNode(parser, anchors, errors, depth + 1);
        }

        ParsingEvent current = parser.Current!;
        var placeholder = new DocScalar("", isPlain: true, current.Start.Line.ToInt(), current.Start.Column.ToInt());
        errors.Add(placeholder, $"nesting deeper than {MaxDepth} levels is not allowed");
        SkipNode(parser);
        return placeholder;
    }

    /// <summary>Skips the current node and everything nested in it, without recursion.</summary>
    private static void SkipNode(Parser parser)
    {
        int open = 0;
        do
        {
            open += parser.Current switch
            {
                SequenceStart or MappingStart => 1,
                SequenceEnd or MappingEnd => -1,
                _ => 0,
            };
            Next(parser);
        }
        while (open > 0);
    }

    private static int ToInt(this long value) => (int)Math.Clamp(value, 1, int.MaxValue);
}
