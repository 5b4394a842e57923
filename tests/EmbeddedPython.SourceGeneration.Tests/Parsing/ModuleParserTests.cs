using EmbeddedPython.SourceGeneration.Model;
using EmbeddedPython.SourceGeneration.Parsing;

namespace EmbeddedPython.SourceGeneration.Tests.Parsing;

public class ModuleParserTests
{
    [Fact]
    public void Reads_functions_parameters_annotations_defaults_and_docstrings()
    {
        var module = ModuleParser.ParseModule("""
            import re

            def count_words(text: str, min_length: int = 1) -> int:
                '''Counts the words.

                Words shorter than min_length are not counted.
                '''
                return len([w for w in re.split(r"\s+", text) if len(w) >= min_length])

            async def fetch(url: "str", *, retries: int = 3, **options) -> dict[str, list[int]]: ...
            """);

        var count = module.Functions[0];
        Assert.Equal("count_words", count.Name);
        Assert.False(count.IsAsync);
        Assert.Equal(3, count.Line);
        Assert.Equal(["text", "min_length"], count.Parameters.Select(p => p.Name));
        Assert.Equal(new PyName("str", 3), count.Parameters[0].Annotation);
        Assert.Equal(new PyConstant(PyConstantKind.Integer, "1", 3), count.Parameters[1].Default);
        Assert.Equal(new PyName("int", 3), count.Returns);
        Assert.StartsWith("Counts the words.\n", count.Docstring);

        var fetch = module.Functions[1];
        Assert.True(fetch.IsAsync);
        Assert.Equal([PyParameterKind.Normal, PyParameterKind.KeywordOnly, PyParameterKind.VarKeyword], fetch.Parameters.Select(p => p.Kind));
        Assert.Equal(new PyConstant(PyConstantKind.String, "str", 10), fetch.Parameters[0].Annotation);
        var returns = Assert.IsType<PySubscript>(fetch.Returns);
        Assert.Equal(new PyName("dict", 10), returns.Target);
        Assert.Equal(new PySubscript(new PyName("list", 10), new[] { (PyExpr)new PyName("int", 10) }.ToEquatableArray(), 10), returns.Arguments[1]);
    }

    [Fact]
    public void Follows_brackets_across_lines_backslash_continuations_and_comments()
    {
        var module = ModuleParser.ParseModule("""
            def spread(
                a: int,   # first
                b: dict[
                    str,
                    "list[float]"],
                c: float \
                    = 2.5,
            ) -> tuple[int,
                       str]:
                pass
            """);

        var spread = Assert.Single(module.Functions);
        Assert.Equal(["a", "b", "c"], spread.Parameters.Select(p => p.Name));
        Assert.Equal(new PyConstant(PyConstantKind.Float, "2.5", 7), spread.Parameters[2].Default);
        Assert.Equal(2, Assert.IsType<PySubscript>(spread.Returns).Arguments.Count);
    }

    [Fact]
    public void Reads_decorated_classes_with_fields_methods_and_skips_other_statements()
    {
        var module = ModuleParser.ParseModule("""
            from dataclasses import dataclass, field

            @dataclass(frozen=True)
            class Point:
                "A point."
                x: float
                y: float = 0.0
                tags: list[str] = field(default_factory=list)

                def norm(self) -> float:
                    if self.x:
                        return (self.x ** 2 + self.y ** 2) ** 0.5
                    return abs(self.y)

            if __name__ == "__main__":
                class NotTopLevel:
                    pass

            class Counter:
                def __init__(self, start: int = 0):
                    self.value = start

                @property
                def doubled(self) -> int:
                    return self.value * 2
            """);

        Assert.Equal(["Point", "Counter"], module.Classes.Select(c => c.Name));
        var point = module.Classes[0];
        Assert.Equal(["dataclass"], point.Decorators);
        Assert.Equal("A point.", point.Docstring);
        Assert.Equal(["x", "y", "tags"], point.Fields.Select(f => f.Name));
        Assert.IsType<PyOther>(point.Fields[2].Default);
        Assert.Equal(["norm"], point.Methods.Select(m => m.Name));
        var counter = module.Classes[1];
        Assert.Equal(["__init__", "doubled"], counter.Methods.Select(m => m.Name));
        Assert.Equal(["property"], counter.Methods[1].Decorators);
        Assert.Empty(module.Functions);
    }

    [Fact]
    public void Reads_unions_literals_positional_only_parameters_and_bytes()
    {
        var function = Assert.Single(ModuleParser.ParseModule("""
            def pick(mode: Literal['fast', "slow"], /, limit: int | None = None, data: bytes = b"\x00") -> Optional[str]: pass
            """).Functions);

        Assert.Equal(PyParameterKind.PositionalOnly, function.Parameters[0].Kind);
        var literal = Assert.IsType<PySubscript>(function.Parameters[0].Annotation);
        Assert.Equal(["fast", "slow"], literal.Arguments.Cast<PyConstant>().Select(c => c.Value));
        Assert.IsType<PyUnion>(function.Parameters[1].Annotation);
        Assert.Equal(PyConstantKind.None, ((PyConstant)function.Parameters[1].Default!).Kind);
        Assert.Equal(PyConstantKind.Bytes, ((PyConstant)function.Parameters[2].Default!).Kind);
    }

    [Theory]
    [InlineData("def f(x: str = 'open) -> int:\n    pass\n", 1, "unterminated string literal")]
    [InlineData("def f(x):\n    '''never closed\n", 2, "unterminated triple-quoted string literal")]
    [InlineData("def f(x: list[int) -> int:\n    pass\n", 1, "unmatched ')'")]
    [InlineData("def f(x: int\n\ndef g(): pass\n", 1, "'(' was never closed")]
    [InlineData("def f(x)\n    pass\n", 1, "expected ':' after the function's signature")]
    [InlineData("def f():\n        a = 1\n    b = 2\n", 3, "unindent does not match")]
    [InlineData("def f():\nreturn 1\n", 2, "expected an indented block")]
    [InlineData("@decorator\nx = 1\n", 2, "expected 'def' or 'class' after a decorator")]
    public void Malformed_source_names_the_line_and_the_problem(string source, int line, string message)
    {
        var error = Assert.Throws<PythonSyntaxException>(() => ModuleParser.ParseModule(source));
        Assert.Equal(line, error.Line);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Tokenizer_decodes_string_prefixes_and_escapes()
    {
        Assert.Equal("a\nb", Tokenizer.StringValue("'a\\nb'"));
        Assert.Equal("a\\nb", Tokenizer.StringValue("r'a\\nb'"));
        Assert.Equal("it's", Tokenizer.StringValue("\"it's\""));
        Assert.Equal("x\ny", Tokenizer.StringValue("'''x\ny'''"));
        Assert.Equal("raw", Tokenizer.StringValue("Rb\"raw\""));
    }
}
