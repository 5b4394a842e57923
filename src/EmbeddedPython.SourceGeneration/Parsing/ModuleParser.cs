using System.Collections.Generic;
using System.Linq;
using EmbeddedPython.SourceGeneration.Model;

namespace EmbeddedPython.SourceGeneration.Parsing;

/// <summary>
/// A recursive-descent parser over <see cref="Tokenizer"/>'s tokens for the part of Python the generator
/// needs: top-level <c>def</c>/<c>async def</c>/<c>class</c> with decorators, parameters, annotations,
/// defaults and docstrings, and annotated fields of class bodies. Every other statement is stepped over
/// by its tokens (a compound statement with its whole indented block), so a module can hold any code.
/// </summary>
internal sealed class ModuleParser
{
    private readonly string _source;
    private readonly IReadOnlyList<Token> _tokens;
    private int _index;

    private ModuleParser(string source)
    {
        _source = source;
        _tokens = Tokenizer.Tokenize(source);
    }

    /// <summary>Parses a module; throws <see cref="PythonSyntaxException"/> on malformed input.</summary>
    public static PyModule ParseModule(string source)
    {
        var parser = new ModuleParser(source);
        var functions = new List<PyFunction>();
        var classes = new List<PyClass>();
        string? docstring = null;
        var first = true;
        while (parser.Current.Kind != TokenKind.EndOfFile)
        {
            var statement = parser.ParseStatement(allowFields: false);
            if (first && statement is PyConstant { Kind: PyConstantKind.String } text)
                docstring = text.Value;
            first = false;
            if (statement is PyFunction function)
                functions.Add(function);
            else if (statement is PyClass cls)
                classes.Add(cls);
        }

        return new PyModule(functions.ToEquatableArray(), classes.ToEquatableArray(), docstring);
    }

    /// <summary>Parses one expression written as text (a string annotation such as <c>"Point"</c>).</summary>
    public static PyExpr ParseExpression(string text, int line)
    {
        var parser = new ModuleParser(text);
        var expression = parser.ParseExpr();
        if (parser.Current.Kind != TokenKind.Newline && parser.Current.Kind != TokenKind.EndOfFile)
            throw new PythonSyntaxException($"unexpected '{parser.Current.Text}' in annotation", line, 1);
        return Relocate(expression, line);
    }

    private Token Current => _tokens[_index];

    private Token Next(int offset = 1) => _tokens[System.Math.Min(_index + offset, _tokens.Count - 1)];

    private Token Advance() => _tokens[_index++];

    private Token Expect(TokenKind kind, string? text, string what)
    {
        var token = Current;
        if (token.Kind != kind || (text is not null && token.Text != text))
            throw Unexpected(what);
        _index++;
        return token;
    }

    private PythonSyntaxException Unexpected(string expected)
    {
        var token = Current;
        var found = token.Kind switch
        {
            TokenKind.Newline => "end of line",
            TokenKind.Indent => "an indent",
            TokenKind.Dedent => "the end of the block",
            TokenKind.EndOfFile => "end of file",
            _ => $"'{token.Text}'",
        };
        return new PythonSyntaxException($"expected {expected}, found {found}", token.Line, token.Column);
    }

    /// <summary>One statement: a definition is returned as its model, a field (in a class body) as a
    /// <see cref="PyField"/>, a docstring as a <see cref="PyConstant"/>, anything else as null.</summary>
    private object? ParseStatement(bool allowFields)
    {
        if (Current.Kind == TokenKind.Indent)
            throw new PythonSyntaxException("unexpected indent", Current.Line, Current.Column);

        var decorators = new List<string>();
        while (Current.IsOperator("@"))
        {
            Advance();
            decorators.Add(DecoratorName(ParseExpr()));
            Expect(TokenKind.Newline, null, "end of line after the decorator");
        }

        if (Current.IsName("def") || (Current.IsName("async") && Next().IsName("def")))
            return ParseFunction(decorators);
        if (Current.IsName("class"))
            return ParseClass(decorators);
        if (decorators.Count > 0)
            throw Unexpected("'def' or 'class' after a decorator");

        if (allowFields && Current.Kind == TokenKind.Name && Next().IsOperator(":") && !IsKeyword(Current.Text))
            return ParseField();
        if (Current.Kind == TokenKind.String && Next().Kind == TokenKind.Newline)
        {
            var docstring = Advance();
            Advance();
            return new PyConstant(PyConstantKind.String, Tokenizer.StringValue(docstring.Text), docstring.Line);
        }

        SkipStatement();
        return null;
    }

    private PyFunction ParseFunction(List<string> decorators)
    {
        var isAsync = Current.IsName("async");
        if (isAsync)
            Advance();
        var def = Expect(TokenKind.Name, "def", "'def'");
        var name = Expect(TokenKind.Name, null, "the function's name");
        Expect(TokenKind.Operator, "(", "'(' after the function's name");
        var parameters = ParseParameters();
        PyExpr? returns = null;
        if (Current.IsOperator("->"))
        {
            Advance();
            returns = ParseExpr();
        }

        Expect(TokenKind.Operator, ":", "':' after the function's signature");
        var docstring = ParseBody(allowFields: false, out _, out _);
        return new PyFunction(name.Text, isAsync, parameters.ToEquatableArray(), returns, docstring, decorators.ToEquatableArray(), def.Line, def.Column);
    }

    private List<PyParameter> ParseParameters()
    {
        var parameters = new List<PyParameter>();
        var keywordOnly = false;
        while (!Current.IsOperator(")"))
        {
            if (Current.IsOperator("/"))
            {
                Advance();
                for (var i = 0; i < parameters.Count; i++)
                    parameters[i] = parameters[i] with { Kind = PyParameterKind.PositionalOnly };
            }
            else if (Current.IsOperator("*") && (Next().IsOperator(",") || Next().IsOperator(")")))
            {
                Advance();
                keywordOnly = true;
            }
            else
            {
                var kind = keywordOnly ? PyParameterKind.KeywordOnly : PyParameterKind.Normal;
                if (Current.IsOperator("*") || Current.IsOperator("**"))
                {
                    kind = Advance().Text == "*" ? PyParameterKind.VarPositional : PyParameterKind.VarKeyword;
                    keywordOnly = true;
                }

                var name = Expect(TokenKind.Name, null, "a parameter name");
                PyExpr? annotation = null;
                PyExpr? value = null;
                if (Current.IsOperator(":"))
                {
                    Advance();
                    annotation = ParseExpr();
                }

                if (Current.IsOperator("="))
                {
                    Advance();
                    value = ParseExpr();
                }

                parameters.Add(new PyParameter(name.Text, annotation, value, kind, name.Line, name.Column));
            }

            if (!Current.IsOperator(","))
                break;
            Advance();
        }

        Expect(TokenKind.Operator, ")", "',' or ')' in the parameter list");
        return parameters;
    }

    private PyClass ParseClass(List<string> decorators)
    {
        var keyword = Expect(TokenKind.Name, "class", "'class'");
        var name = Expect(TokenKind.Name, null, "the class's name");
        var bases = new List<PyExpr>();
        if (Current.IsOperator("("))
        {
            Advance();
            while (!Current.IsOperator(")"))
            {
                if (Current.Kind == TokenKind.Name && Next().IsOperator("="))
                {
                    Advance();
                    Advance();
                    ParseExpr(); // a keyword such as metaclass= or total=: not a base
                }
                else
                {
                    bases.Add(ParseExpr());
                }

                if (!Current.IsOperator(","))
                    break;
                Advance();
            }

            Expect(TokenKind.Operator, ")", "',' or ')' in the base class list");
        }

        Expect(TokenKind.Operator, ":", "':' after the class header");
        var docstring = ParseBody(allowFields: true, out var fields, out var methods);
        return new PyClass(name.Text, bases.ToEquatableArray(), decorators.ToEquatableArray(), fields.ToEquatableArray(), methods.ToEquatableArray(), docstring, keyword.Line, keyword.Column);
    }

    /// <summary>The body after a ':' — an indented block or the rest of the line; returns its docstring.</summary>
    private string? ParseBody(bool allowFields, out List<PyField> fields, out List<PyFunction> methods)
    {
        fields = [];
        methods = [];
        if (Current.Kind != TokenKind.Newline)
        {
            SkipStatement();
            return null;
        }

        Advance();
        if (Current.Kind != TokenKind.Indent)
            throw Unexpected("an indented block");
        Advance();
        string? docstring = null;
        var first = true;
        while (Current.Kind != TokenKind.Dedent && Current.Kind != TokenKind.EndOfFile)
        {
            var statement = ParseStatement(allowFields);
            if (statement is PyConstant { Kind: PyConstantKind.String } text && first)
                docstring = text.Value;
            else if (statement is PyField field)
                fields.Add(field);
            else if (statement is PyFunction method)
                methods.Add(method);
            first = false;
        }

        if (Current.Kind == TokenKind.Dedent)
            Advance();
        return docstring;
    }

    private PyField ParseField()
    {
        var name = Advance();
        Advance();
        var annotation = ParseExpr();
        PyExpr? value = null;
        if (Current.IsOperator("="))
        {
            Advance();
            value = ParseExpr();
        }

        if (Current.Kind != TokenKind.Newline)
            SkipStatement();
        else
            Advance();
        return new PyField(name.Text, annotation, value, name.Line, name.Column);
    }

    /// <summary>Steps over a statement this generator does not model; a compound statement (one whose
    /// line ends in ':') takes its indented block with it.</summary>
    private void SkipStatement()
    {
        var lastWasColon = false;
        while (Current.Kind != TokenKind.Newline && Current.Kind != TokenKind.EndOfFile)
        {
            if (Current.Kind == TokenKind.Indent || Current.Kind == TokenKind.Dedent)
                throw Unexpected("a statement");
            lastWasColon = Current.IsOperator(":");
            Advance();
        }

        if (Current.Kind == TokenKind.Newline)
            Advance();
        if (!lastWasColon)
            return;
        if (Current.Kind != TokenKind.Indent)
            throw Unexpected("an indented block");
        var depth = 0;
        do
        {
            if (Current.Kind == TokenKind.Indent)
                depth++;
            else if (Current.Kind == TokenKind.Dedent)
                depth--;
            else if (Current.Kind == TokenKind.EndOfFile)
                return;
            Advance();
        }
        while (depth > 0);
    }

    /// <summary>An expression: a union of primaries (<c>A | B</c>), or any other expression as its text.</summary>
    private PyExpr ParseExpr()
    {
        var start = Current;
        var options = new List<PyExpr> { ParsePrimary() };
        while (Current.IsOperator("|"))
        {
            Advance();
            options.Add(ParsePrimary());
        }

        if (!AtExpressionEnd())
        {
            SkipToExpressionEnd();
            return Other(start);
        }

        return options.Count == 1 ? options[0] : new PyUnion(options.ToEquatableArray(), start.Line);
    }

    private PyExpr ParsePrimary()
    {
        var start = Current;
        PyExpr expression;
        switch (start.Kind)
        {
            case TokenKind.Name when start.Text is "None" or "True" or "False":
                Advance();
                expression = new PyConstant(start.Text == "None" ? PyConstantKind.None : start.Text == "True" ? PyConstantKind.True : PyConstantKind.False, start.Text, start.Line);
                break;
            case TokenKind.Name when !IsKeyword(start.Text):
                var dotted = Advance().Text;
                while (Current.IsOperator(".") && Next().Kind == TokenKind.Name)
                {
                    Advance();
                    dotted += "." + Advance().Text;
                }

                expression = new PyName(dotted, start.Line);
                break;
            case TokenKind.String:
                var value = "";
                var isBytes = start.Text.TakeWhile(c => c != '\'' && c != '"').Any(c => c is 'b' or 'B');
                while (Current.Kind == TokenKind.String)
                    value += Tokenizer.StringValue(Advance().Text);
                expression = new PyConstant(isBytes ? PyConstantKind.Bytes : PyConstantKind.String, value, start.Line);
                break;
            case TokenKind.Number:
                expression = Number(Advance().Text, "", start.Line);
                break;
            case TokenKind.Operator when start.Text == "-" && Next().Kind == TokenKind.Number:
                Advance();
                expression = Number(Advance().Text, "-", start.Line);
                break;
            case TokenKind.Operator when start.Text == "...":
                Advance();
                expression = new PyConstant(PyConstantKind.Ellipsis, "...", start.Line);
                break;
            case TokenKind.Operator when start.Text is "(" or "[" or "{":
                SkipBalanced();
                expression = Other(start);
                break;
            default:
                if (AtExpressionEnd())
                    throw Unexpected("an expression");
                SkipToExpressionEnd();
                return Other(start);
        }

        while (true)
        {
            if (Current.IsOperator("["))
            {
                Advance();
                var arguments = new List<PyExpr>();
                while (!Current.IsOperator("]"))
                {
                    arguments.Add(ParseExpr());
                    if (!Current.IsOperator(","))
                        break;
                    Advance();
                }

                Expect(TokenKind.Operator, "]", "',' or ']' in the subscript");
                expression = new PySubscript(expression, arguments.ToEquatableArray(), start.Line);
            }
            else if (Current.IsOperator("(") || Current.IsOperator("."))
            {
                // A call or an attribute of a call: kept as text (decorators take their name from it).
                if (Current.IsOperator("("))
                    SkipBalanced();
                else
                    Advance();
                while (Current.IsOperator("(") || Current.IsOperator(".") || Current.Kind == TokenKind.Name)
                {
                    if (Current.IsOperator("("))
                        SkipBalanced();
                    else
                        Advance();
                }

                expression = Other(start);
            }
            else
            {
                return expression;
            }
        }
    }

    private static PyExpr Number(string text, string sign, int line)
    {
        var lower = text.ToLowerInvariant();
        if (lower.EndsWith("j", System.StringComparison.Ordinal))
            return new PyOther(sign + text, line); // complex: no C# literal
        var isHex = lower.StartsWith("0x", System.StringComparison.Ordinal);
        var isFloat = !isHex && (lower.Contains('.') || lower.Contains('e'));
        return new PyConstant(isFloat ? PyConstantKind.Float : PyConstantKind.Integer, sign + text, line);
    }

    private bool AtExpressionEnd()
    {
        var token = Current;
        return token.Kind is TokenKind.Newline or TokenKind.EndOfFile or TokenKind.Indent or TokenKind.Dedent
               || (token.Kind == TokenKind.Operator && token.Text is "," or ")" or "]" or "}" or ":" or "=");
    }

    private void SkipToExpressionEnd()
    {
        while (!AtExpressionEnd())
        {
            if (Current.IsOperator("(") || Current.IsOperator("[") || Current.IsOperator("{"))
                SkipBalanced();
            else
                Advance();
        }
    }

    /// <summary>Steps over a bracketed group; the tokenizer has already checked that brackets match.</summary>
    private void SkipBalanced()
    {
        var depth = 0;
        do
        {
            var token = Advance();
            if (token.Kind == TokenKind.Operator && token.Text is "(" or "[" or "{")
                depth++;
            else if (token.Kind == TokenKind.Operator && token.Text is ")" or "]" or "}")
                depth--;
        }
        while (depth > 0);
    }

    private PyOther Other(Token start)
    {
        var end = _tokens[_index - 1].End;
        return new PyOther(_source.Substring(start.Start, System.Math.Max(0, end - start.Start)), start.Line);
    }

    private static string DecoratorName(PyExpr expression) => expression switch
    {
        PyName name => name.Dotted,
        PyOther other => new string(other.Text.TakeWhile(c => c == '.' || c == '_' || char.IsLetterOrDigit(c)).ToArray()),
        _ => "",
    };

    private static bool IsKeyword(string name) => name is "and" or "or" or "not" or "in" or "is" or "if" or "else"
        or "lambda" or "for" or "while" or "return" or "yield" or "await" or "import" or "from" or "pass"
        or "raise" or "try" or "except" or "finally" or "with" or "del" or "global" or "nonlocal" or "assert"
        or "break" or "continue" or "elif" or "def" or "class";

    /// <summary>Gives an expression parsed from a string annotation the line of that string.</summary>
    private static PyExpr Relocate(PyExpr expression, int line) => expression switch
    {
        PyName name => name with { Line = line },
        PySubscript subscript => new PySubscript(Relocate(subscript.Target, line), subscript.Arguments.Select(a => Relocate(a, line)).ToEquatableArray(), line),
        PyUnion union => new PyUnion(union.Options.Select(o => Relocate(o, line)).ToEquatableArray(), line),
        PyConstant constant => constant with { Line = line },
        PyOther other => other with { Line = line },
        _ => expression,
    };
}
