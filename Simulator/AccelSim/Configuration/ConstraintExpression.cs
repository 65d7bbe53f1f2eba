using System.Collections.Immutable;
using System.Globalization;

namespace AccelSim.Configuration;

/// <summary>A key read by a constraint: the file it belongs to and its path there.</summary>
public sealed record ConstraintKey(string Key, KeyTarget Target, string Path);

/// <summary>
/// A constraint on a sweep point: two arithmetic expressions compared, such as
/// <c>buffers.ifmap.capacity_bytes + buffers.weights.capacity_bytes &lt;= 1048576</c>. A point whose constraint is false
/// is skipped (recorded, not run).
/// </summary>
/// <remarks>
/// Grammar: <c>sum (&lt;= | &lt; | &gt;= | &gt; | == | !=) sum</c>; a sum is products joined by <c>+</c>/<c>-</c>, a
/// product is factors joined by <c>*</c>/<c>/</c>, a factor is a number, a key path (letters, digits, <c>_</c> and
/// <c>.</c>; read from the point's config or workload after its overrides), <c>-factor</c> or <c>( sum )</c>.
/// Arithmetic is in double precision; a key must hold a number. Parentheses and unary minus signs nest at most
/// <see cref="MaxDepth"/> deep, so that neither parsing nor evaluation can exhaust the stack.
/// </remarks>
public sealed class ConstraintExpression
{
    /// <summary>The deepest nesting of parentheses and unary minus signs accepted; no real constraint comes close.</summary>
    public const int MaxDepth = 64;

    private readonly Node _left;
    private readonly Node _right;
    private readonly string _comparison;

    private ConstraintExpression(string text, Node left, string comparison, Node right, ImmutableArray<ConstraintKey> keys)
    {
        Text = text;
        _left = left;
        _comparison = comparison;
        _right = right;
        Keys = keys;
    }

    /// <summary>The constraint as written.</summary>
    public string Text { get; }

    /// <summary>The keys it reads, in order of first use.</summary>
    public ImmutableArray<ConstraintKey> Keys { get; }

    /// <summary>Parses a constraint; on failure returns null with the 0-based offset of the problem and a message.</summary>
    public static ConstraintExpression? Parse(string text, out int errorOffset, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Parser(text);
        try
        {
            Node left = parser.Sum();
            string comparison = parser.Comparison();
            Node right = parser.Sum();
            parser.End();
            errorOffset = 0;
            error = "";
            return new ConstraintExpression(text, left, comparison, right, [.. parser.Keys]);
        }
        catch (SyntaxError e)
        {
            errorOffset = e.Offset;
            error = e.Message;
            return null;
        }
    }

    /// <summary>Evaluates the constraint with the point's key values.</summary>
    /// <param name="valueOf">The number a key holds, or null with a reason when it holds none.</param>
    /// <param name="problem">Why the constraint could not be evaluated (a key without a number, a division by zero).</param>
    /// <param name="detail">The two sides' values, for the message of a false constraint (<c>1572864 &lt;= 1048576</c>).</param>
    /// <returns>Whether it holds; null when it could not be evaluated.</returns>
    public bool? Evaluate(Func<ConstraintKey, (double? Value, string Reason)> valueOf, out string problem, out string detail)
    {
        ArgumentNullException.ThrowIfNull(valueOf);
        problem = "";
        detail = "";
        try
        {
            double left = _left.Evaluate(valueOf);
            double right = _right.Evaluate(valueOf);
            detail = $"{left.ToString("R", CultureInfo.InvariantCulture)} {_comparison} {right.ToString("R", CultureInfo.InvariantCulture)}";
            return _comparison switch
            {
                "<=" => left <= right,
                "<" => left < right,
                ">=" => left >= right,
                ">" => left > right,
                "==" => left == right,
                "!=" => left != right,
                _ => throw new InvalidOperationException($"Unknown comparison '{_comparison}'."),
            };
        }
        catch (EvaluationError e)
        {
            problem = e.Message;
            return null;
        }
    }

    public override string ToString() => Text;

    private abstract class Node
    {
        public abstract double Evaluate(Func<ConstraintKey, (double? Value, string Reason)> valueOf);
    }

    private sealed class NumberNode(double value) : Node
    {
        public override double Evaluate(Func<ConstraintKey, (double? Value, string Reason)> valueOf) => value;
    }

    private sealed class KeyNode(ConstraintKey key) : Node
    {
        public override double Evaluate(Func<ConstraintKey, (double? Value, string Reason)> valueOf)
        {
            (double? value, string reason) = valueOf(key);
            return value ?? throw new EvaluationError(reason);
        }
    }

    private sealed class NegateNode(Node operand) : Node
    {
        public override double Evaluate(Func<ConstraintKey, (double? Value, string Reason)> valueOf) => -operand.Evaluate(valueOf);
    }

    /// <summary>Operands joined left to right by operators of one precedence (<c>a - b + c</c> is <c>(a - b) + c</c>),
    /// evaluated in a loop, so a long chain does not recurse.</summary>
    private sealed class ChainNode(Node first, List<(char Op, Node Operand)> rest) : Node
    {
        public override double Evaluate(Func<ConstraintKey, (double? Value, string Reason)> valueOf)
        {
            double a = first.Evaluate(valueOf);
            foreach ((char op, Node operand) in rest)
            {
                double b = operand.Evaluate(valueOf);
                a = op switch
                {
                    '+' => a + b,
                    '-' => a - b,
                    '*' => a * b,
                    '/' => b != 0 ? a / b : throw new EvaluationError("division by zero"),
                    _ => throw new InvalidOperationException($"Unknown operator '{op}'."),
                };
            }

            return a;
        }
    }

    private sealed class SyntaxError(int offset, string message) : Exception(message)
    {
        public int Offset { get; } = offset;
    }

    private sealed class EvaluationError(string message) : Exception(message);

    /// <summary>Recursive descent over the grammar in the class remarks.</summary>
    private sealed class Parser(string text)
    {
        private const string Expected = "a number, a key path, '-' or '('";
        private int _at;
        private int _depth;

        public List<ConstraintKey> Keys { get; } = [];

        public Node Sum()
        {
            Node first = Product();
            List<(char, Node)> rest = [];
            while (Peek() is '+' or '-')
            {
                char op = text[_at++];
                rest.Add((op, Product()));
            }

            return rest.Count == 0 ? first : new ChainNode(first, rest);
        }

        public string Comparison()
        {
            SkipSpaces();
            foreach (string candidate in new[] { "<=", ">=", "==", "!=", "<", ">" })
            {
                if (string.CompareOrdinal(text, _at, candidate, 0, candidate.Length) == 0)
                {
                    _at += candidate.Length;
                    return candidate;
                }
            }

            throw new SyntaxError(_at, _at < text.Length
                ? $"expected a comparison (<=, <, >=, >, ==, !=) at '{text[_at..]}'"
                : "expected a comparison (<=, <, >=, >, ==, !=) and a right-hand side; a constraint compares two expressions");
        }

        public void End()
        {
            SkipSpaces();
            if (_at < text.Length)
            {
                throw new SyntaxError(_at, $"unexpected '{text[_at..]}' after the constraint; a constraint has one comparison");
            }
        }

        private Node Product()
        {
            Node first = Factor();
            List<(char, Node)> rest = [];
            while (Peek() is '*' or '/')
            {
                char op = text[_at++];
                rest.Add((op, Factor()));
            }

            return rest.Count == 0 ? first : new ChainNode(first, rest);
        }

        private Node Factor()
        {
            char? next = Peek();
            int start = _at;
            switch (next)
            {
                case null:
                    throw new SyntaxError(_at, $"the constraint ends where {Expected} was expected");
                case '-':
                    Enter(start);
                    Node negated = new NegateNode(Factor());
                    _depth--;
                    return negated;
                case '(':
                    Enter(start);
                    Node inner = Sum();
                    if (Peek() != ')')
                    {
                        throw new SyntaxError(_at, $"expected ')' to close the '(' at column {start + 1}");
                    }

                    _at++;
                    _depth--;
                    return inner;
                case char c when char.IsAsciiDigit(c) || c == '.':
                    return new NumberNode(ReadNumber());
                case char c when char.IsAsciiLetter(c) || c == '_':
                    return new KeyNode(ReadKey());
                default:
                    throw new SyntaxError(_at, $"unexpected '{next}'; expected {Expected}");
            }
        }

        /// <summary>Steps past the '(' or unary '-' at <paramref name="at"/>, one level deeper.</summary>
        private void Enter(int at)
        {
            if (++_depth > MaxDepth)
            {
                throw new SyntaxError(at, $"parentheses and unary minus signs nest deeper than {MaxDepth} levels here; at most {MaxDepth} are allowed");
            }

            _at++;
        }

        private double ReadNumber()
        {
            int start = _at;
            while (_at < text.Length && (char.IsAsciiDigit(text[_at]) || text[_at] == '.'))
            {
                _at++;
            }

            if (_at < text.Length && text[_at] is 'e' or 'E')
            {
                _at++;
                if (_at < text.Length && text[_at] is '+' or '-')
                {
                    _at++;
                }

                while (_at < text.Length && char.IsAsciiDigit(text[_at]))
                {
                    _at++;
                }
            }

            string number = text[start.._at];
            return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
                ? value
                : throw new SyntaxError(start, $"'{number}' is not a number");
        }

        private ConstraintKey ReadKey()
        {
            int start = _at;
            while (_at < text.Length && (char.IsAsciiLetterOrDigit(text[_at]) || text[_at] is '_' or '.'))
            {
                _at++;
            }

            string key = text[start.._at];
            if (SweepKeys.Classify(key, out string problem) is not { } resolved)
            {
                throw new SyntaxError(start, problem);
            }

            var constraintKey = new ConstraintKey(key, resolved.Target, resolved.Path);
            if (!Keys.Contains(constraintKey))
            {
                Keys.Add(constraintKey);
            }

            return constraintKey;
        }

        private char? Peek()
        {
            SkipSpaces();
            return _at < text.Length ? text[_at] : null;
        }

        private void SkipSpaces()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at]))
            {
                _at++;
            }
        }
    }
}
