using System.Collections.Generic;
using System.Text;

namespace EmbeddedPython.SourceGeneration.Parsing;

/// <summary>
/// Splits Python source into tokens the way CPython's tokenizer does for what the generator reads: names,
/// numbers, strings (prefixes, single- and triple-quoted, escapes), operators, and the logical-line
/// structure (NEWLINE, INDENT, DEDENT) with comments, blank lines, backslash continuations and newlines
/// inside brackets left out.
/// </summary>
internal sealed class Tokenizer
{
    private static readonly string[] Operators =
    [
        "**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//", "==", "!=", "<=", ">=", "<<", ">>",
        "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=",
        "+", "-", "*", "/", "%", "@", "&", "|", "^", "~", "<", ">", "(", ")", "[", "]", "{", "}",
        ",", ":", ";", ".", "=", "!",
    ];

    private readonly string _source;
    private readonly List<Token> _tokens = [];
    private readonly Stack<int> _indents = new();
    private readonly Stack<Token> _brackets = new();
    private int _position;
    private int _line = 1;
    private int _lineStart;

    private Tokenizer(string source)
    {
        _source = source;
        _indents.Push(0);
    }

    /// <summary>Tokenizes <paramref name="source"/>; throws <see cref="PythonSyntaxException"/> on malformed input.</summary>
    public static IReadOnlyList<Token> Tokenize(string source)
    {
        var tokenizer = new Tokenizer(source);
        tokenizer.Run();
        return tokenizer._tokens;
    }

    private int Column => _position - _lineStart + 1;

    private char Current => _position < _source.Length ? _source[_position] : '\0';

    private char Peek(int offset) => _position + offset < _source.Length ? _source[_position + offset] : '\0';

    private void Run()
    {
        var atLineStart = true;
        while (_position < _source.Length)
        {
            if (atLineStart)
            {
                // A blank or comment-only line leaves the tokenizer at the start of the next one.
                atLineStart = ReadIndentation();
                if (atLineStart)
                    continue;
            }

            var c = Current;
            if (c == ' ' || c == '\t' || c == '\f')
            {
                _position++;
            }
            else if (c == '#')
            {
                while (_position < _source.Length && Current != '\n' && Current != '\r')
                    _position++;
            }
            else if (c == '\\' && (Peek(1) == '\n' || Peek(1) == '\r'))
            {
                _position++;
                ConsumeLineBreak();
            }
            else if (c == '\n' || c == '\r')
            {
                if (_brackets.Count == 0 && _tokens.Count > 0 && _tokens[_tokens.Count - 1].Kind != TokenKind.Newline)
                    Add(TokenKind.Newline, "\n", _position, _position + 1);
                ConsumeLineBreak();
                atLineStart = _brackets.Count == 0;
            }
            else if (IsStringStart())
            {
                ReadString();
            }
            else if (char.IsDigit(c) || (c == '.' && char.IsDigit(Peek(1))))
            {
                ReadNumber();
            }
            else if (IsNameStart(c))
            {
                var start = _position;
                while (IsNameChar(Current))
                    _position++;
                Add(TokenKind.Name, _source.Substring(start, _position - start), start, _position);
            }
            else
            {
                ReadOperator();
            }
        }

        if (_brackets.Count > 0)
        {
            var open = _brackets.Peek();
            throw new PythonSyntaxException($"'{open.Text}' was never closed", open.Line, open.Column);
        }

        if (_tokens.Count > 0 && _tokens[_tokens.Count - 1].Kind != TokenKind.Newline)
            Add(TokenKind.Newline, "\n", _position, _position);
        while (_indents.Count > 1)
        {
            _indents.Pop();
            Add(TokenKind.Dedent, "", _position, _position);
        }

        Add(TokenKind.EndOfFile, "", _position, _position);
    }

    /// <summary>Measures the indentation of a new line and emits INDENT/DEDENT; returns true for a blank or
    /// comment-only line, which the tokenizer skips whole.</summary>
    private bool ReadIndentation()
    {
        var width = 0;
        while (Current == ' ' || Current == '\t' || Current == '\f')
        {
            width = Current == '\t' ? (width / 8 + 1) * 8 : Current == ' ' ? width + 1 : 0;
            _position++;
        }

        if (Current == '#')
        {
            while (_position < _source.Length && Current != '\n' && Current != '\r')
                _position++;
        }

        if (_position >= _source.Length)
            return false;
        if (Current == '\n' || Current == '\r')
        {
            ConsumeLineBreak();
            return true;
        }

        if (width > _indents.Peek())
        {
            _indents.Push(width);
            Add(TokenKind.Indent, "", _position, _position);
        }
        else
        {
            while (width < _indents.Peek())
            {
                _indents.Pop();
                Add(TokenKind.Dedent, "", _position, _position);
            }

            if (width != _indents.Peek())
                throw new PythonSyntaxException("unindent does not match any outer indentation level", _line, Column);
        }

        return false;
    }

    private void ConsumeLineBreak()
    {
        if (Current == '\r' && Peek(1) == '\n')
            _position++;
        _position++;
        _line++;
        _lineStart = _position;
    }

    private bool IsStringStart()
    {
        var i = 0;
        while (i < 2 && "rRbBuUfF".IndexOf(Peek(i)) >= 0)
            i++;
        var quote = Peek(i);
        if (quote != '\'' && quote != '"')
            return false;
        // A prefix is a whole name; "rb'…'" is a string, "x'…'" is a name followed by a string.
        return i == 0 || _position == 0 || !IsNameChar(_source[_position - 1]);
    }

    private void ReadString()
    {
        var start = _position;
        var line = _line;
        var column = Column;
        while (Current != '\'' && Current != '"')
            _position++;
        var quote = Current;
        var triple = Peek(1) == quote && Peek(2) == quote;
        _position += triple ? 3 : 1;
        while (true)
        {
            if (_position >= _source.Length)
                throw new PythonSyntaxException(triple ? "unterminated triple-quoted string literal" : "unterminated string literal", line, column);
            var c = Current;
            if (c == '\\')
            {
                _position++;
                if (Current == '\n' || Current == '\r')
                    ConsumeLineBreak();
                else
                    _position++;
            }
            else if (c == '\n' || c == '\r')
            {
                if (!triple)
                    throw new PythonSyntaxException("unterminated string literal", line, column);
                ConsumeLineBreak();
            }
            else if (c == quote && (!triple || (Peek(1) == quote && Peek(2) == quote)))
            {
                _position += triple ? 3 : 1;
                break;
            }
            else
            {
                _position++;
            }
        }

        _tokens.Add(new Token(TokenKind.String, _source.Substring(start, _position - start), line, column, start, _position));
    }

    private void ReadNumber()
    {
        var start = _position;
        while (char.IsLetterOrDigit(Current) || Current == '_' || Current == '.'
               || ((Current == '+' || Current == '-') && (Peek(-1) == 'e' || Peek(-1) == 'E') && !IsHex(start)))
            _position++;
        Add(TokenKind.Number, _source.Substring(start, _position - start), start, _position);
    }

    private bool IsHex(int start) => _source[start] == '0' && start + 1 < _source.Length && (_source[start + 1] == 'x' || _source[start + 1] == 'X');

    private void ReadOperator()
    {
        foreach (var op in Operators)
        {
            if (string.CompareOrdinal(_source, _position, op, 0, op.Length) != 0)
                continue;
            var token = new Token(TokenKind.Operator, op, _line, Column, _position, _position + op.Length);
            if (op == "(" || op == "[" || op == "{")
            {
                _brackets.Push(token);
            }
            else if (op == ")" || op == "]" || op == "}")
            {
                var expected = op == ")" ? "(" : op == "]" ? "[" : "{";
                if (_brackets.Count == 0 || _brackets.Peek().Text != expected)
                    throw new PythonSyntaxException($"unmatched '{op}'", _line, Column);
                _brackets.Pop();
            }

            _tokens.Add(token);
            _position += op.Length;
            return;
        }

        throw new PythonSyntaxException($"invalid character '{Current}'", _line, Column);
    }

    private void Add(TokenKind kind, string text, int start, int end) =>
        _tokens.Add(new Token(kind, text, _line, start - _lineStart + 1, start, end));

    private static bool IsNameStart(char c) => c == '_' || char.IsLetter(c);

    private static bool IsNameChar(char c) => c == '_' || char.IsLetterOrDigit(c);

    /// <summary>The value of a string token (prefix and quotes removed, escapes decoded unless raw).</summary>
    public static string StringValue(string token)
    {
        var prefixLength = 0;
        while ("rRbBuUfF".IndexOf(token[prefixLength]) >= 0)
            prefixLength++;
        var raw = token.Substring(0, prefixLength).IndexOfAny(['r', 'R']) >= 0;
        var quoteLength = token.Length - prefixLength >= 6 && token[prefixLength] == token[prefixLength + 1] && token[prefixLength] == token[prefixLength + 2] ? 3 : 1;
        var body = token.Substring(prefixLength + quoteLength, token.Length - prefixLength - 2 * quoteLength);
        if (raw)
            return body;
        var value = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != '\\' || i + 1 == body.Length)
            {
                value.Append(body[i]);
                continue;
            }

            var next = body[++i];
            switch (next)
            {
                case 'n': value.Append('\n'); break;
                case 't': value.Append('\t'); break;
                case 'r': value.Append('\r'); break;
                case '0': value.Append('\0'); break;
                case '\\': value.Append('\\'); break;
                case '\'': value.Append('\''); break;
                case '"': value.Append('"'); break;
                case '\n': break;
                default: value.Append('\\').Append(next); break;
            }
        }

        return value.ToString();
    }
}
