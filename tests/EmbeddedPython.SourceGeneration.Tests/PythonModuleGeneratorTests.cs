using EmbeddedPython.SourceGeneration.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;
using GeneratorTest = Microsoft.CodeAnalysis.CSharp.Testing.CSharpSourceGeneratorTest<EmbeddedPython.SourceGeneration.PythonModuleGenerator, Microsoft.CodeAnalysis.Testing.DefaultVerifier>;

namespace EmbeddedPython.SourceGeneration.Tests;

public class PythonModuleGeneratorTests
{
    private const string TextTools = """
        def count_words(text: str, min_length: int = 1) -> int:
            '''Counts the words of at least min_length characters.'''
            return len([w for w in text.split() if len(w) >= min_length])
        """;

    [Fact]
    public void Each_py_file_gives_an_interface_an_implementation_and_one_registration()
    {
        var generated = GeneratorHarness.Run(
            ($"{GeneratorHarness.ProjectDirectory}/python/text_tools.py", TextTools),
            ($"{GeneratorHarness.ProjectDirectory}/python/nested/stats.py", "def mean(values: list[float]) -> float: ...\n"),
            ($"{GeneratorHarness.ProjectDirectory}/notes.txt", "not python"));

        Assert.Equal(["ITextTools.g.cs", "IStats.g.cs", "PythonModules.g.cs"], generated.HintNames);
        Assert.Equal(Microsoft.CodeAnalysis.TypeKind.Interface, generated.Type("ITextTools").TypeKind);
        Assert.Contains(generated.Type("TextToolsModule").AllInterfaces, i => i.Name == "ITextTools");
        var registration = generated.Source("PythonModules.g.cs");
        Assert.Contains("global::System.IO.Path.Combine(global::System.AppContext.BaseDirectory, \"python\")", registration);
        Assert.Contains("global::System.IO.Path.Combine(global::System.AppContext.BaseDirectory, \"python\", \"nested\")", registration);
        Assert.Contains("TryAddSingleton<global::EmbeddedPython.Generated.IStats>", registration);
        Assert.Empty(generated.CompileProblems);
    }

    [Fact]
    public void A_compilation_without_py_files_gets_nothing()
    {
        var generated = GeneratorHarness.Run(($"{GeneratorHarness.ProjectDirectory}/data.json", "{}"));

        Assert.Empty(generated.HintNames);
        Assert.Empty(generated.Diagnostics);
    }

    [Fact]
    public void A_syntax_error_is_EPY001_at_its_file_and_line_and_other_modules_still_generate()
    {
        var broken = $"{GeneratorHarness.ProjectDirectory}/python/broken.py";
        var generated = GeneratorHarness.Run(
            (broken, "def ok() -> int: ...\n\ndef bad(x: int -> int:\n    pass\n"),
            ($"{GeneratorHarness.ProjectDirectory}/python/text_tools.py", TextTools));

        var diagnostic = Assert.Single(generated.Diagnostics);
        Assert.Equal("EPY001", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(broken, diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(2, diagnostic.Location.GetLineSpan().StartLinePosition.Line); // 0-based: line 3
        Assert.Contains("'(' was never closed", diagnostic.GetMessage());
        Assert.Equal(["ITextTools.g.cs", "PythonModules.g.cs"], generated.HintNames);
    }

    [Fact]
    public void An_unsupported_annotation_is_EPY002_and_falls_back_to_PythonObject()
    {
        var generated = GeneratorHarness.Run("callbacks", "\n\ndef apply(fn: Callable[[int], str], value: int | str) -> int: ...\n");

        Assert.All(generated.Diagnostics, d => Assert.Equal(("EPY002", DiagnosticSeverity.Warning), (d.Id, d.Severity)));
        Assert.Equal(2, generated.Diagnostics.Count());
        Assert.Contains(generated.Diagnostics, d => d.GetMessage().Contains("'Callable[[int], str]' of parameter 'fn' of function 'apply'") && d.Location.GetLineSpan().StartLinePosition.Line == 2);
        Assert.Contains(generated.Diagnostics, d => d.GetMessage().Contains("union 'int | str'"));
        Assert.Equal(["Task<long> ApplyAsync(PythonObject fn, PythonObject value, CancellationToken cancellationToken = default)"], generated.Signatures("ICallbacks", "ApplyAsync"));
        Assert.Empty(generated.CompileProblems);
    }

    [Fact]
    public void Names_that_collide_after_pascal_casing_are_EPY003_and_the_second_is_left_out()
    {
        var generated = GeneratorHarness.Run("clash", """
            def count_words(text: str) -> int: ...
            def countWords(text: str) -> int: ...
            def scale(min_value: int, minValue: int, cancellation_token: int) -> int: ...

            @dataclass
            class Clash:
                name: str
            """);

        var ids = generated.Diagnostics.Select(d => (d.Id, d.Location.GetLineSpan().StartLinePosition.Line + 1)).ToList();
        Assert.Equal([("EPY003", 2), ("EPY003", 3), ("EPY003", 3)], ids.OrderBy(i => i.Item2));
        Assert.Contains(generated.Diagnostics, d => d.GetMessage().Contains("'CountWordsAsync' of function 'countWords' collides with function 'count_words'"));
        Assert.Contains(generated.Diagnostics, d => d.GetMessage().Contains("'cancellationToken'"));
        Assert.Single(generated.Signatures("IClash", "CountWordsAsync"));
        Assert.Equal(["Task<long> ScaleAsync(long minValue, CancellationToken cancellationToken = default)"], generated.Signatures("IClash", "ScaleAsync"));
        Assert.Empty(generated.CompileProblems);
    }

    [Fact]
    public void A_class_named_like_the_module_is_EPY003()
    {
        var generated = GeneratorHarness.Run("shop", "class IShop:\n    def buy(self) -> None: ...\n");

        Assert.Equal("EPY003", Assert.Single(generated.Diagnostics).Id);
        Assert.Empty(generated.CompileProblems);
    }

    [Fact]
    public void An_unrelated_csharp_edit_reruns_no_step()
    {
        var driver = GeneratorHarness.NewDriver(($"{GeneratorHarness.ProjectDirectory}/python/text_tools.py", TextTools));
        var compilation = GeneratorHarness.NewCompilation("class First { }");
        driver = driver.RunGenerators(compilation);

        driver = driver.RunGenerators(compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Second { }")));

        var result = driver.GetRunResult().Results.Single();
        foreach (var step in new[] { PythonModuleGenerator.Steps.Source, PythonModuleGenerator.Steps.Module, PythonModuleGenerator.Steps.Registrations })
            Assert.All(result.TrackedSteps[step].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void A_py_edit_that_keeps_the_api_reparses_but_emits_nothing_new()
    {
        var path = $"{GeneratorHarness.ProjectDirectory}/python/text_tools.py";
        var original = new TestAdditionalText(path, TextTools);
        var driver = GeneratorHarness.NewDriver().AddAdditionalTexts([original]).RunGenerators(GeneratorHarness.NewCompilation());

        driver = driver.ReplaceAdditionalText(original, new TestAdditionalText(path, TextTools + "\n# a comment at the end\n"))
            .RunGenerators(GeneratorHarness.NewCompilation());

        var result = driver.GetRunResult().Results.Single();
        Assert.Equal(IncrementalStepRunReason.Modified, result.TrackedSteps[PythonModuleGenerator.Steps.Source].Single().Outputs.Single().Reason);
        Assert.Equal(IncrementalStepRunReason.Unchanged, result.TrackedSteps[PythonModuleGenerator.Steps.Module].Single().Outputs.Single().Reason);
        Assert.All(result.TrackedSteps[PythonModuleGenerator.Steps.Registrations].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public async Task The_testing_framework_sees_the_same_output_and_diagnostic_location()
    {
        // Roslyn's own source-generator test harness: the diagnostic carries the file and the exact span.
        var test = new GeneratorTest
        {
            TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck,
            // The running framework's assemblies, not a reference pack fetched at test time.
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.AdditionalReferences.AddRange(GeneratorHarness.FrameworkReferences);
        test.TestState.Sources.Add("class Program { }");
        test.TestState.AdditionalFiles.Add(("/project/python/bad.py", SourceText.From("def f(, x):\n    pass\n")));
        test.TestState.ExpectedDiagnostics.Add(new DiagnosticResult("EPY001", DiagnosticSeverity.Error)
            .WithSpan("/project/python/bad.py", 1, 7, 1, 7)
            .WithMessage("Python syntax error: expected a parameter name, found ','; no C# API was generated for this file"));
        await test.RunAsync();
    }
}
