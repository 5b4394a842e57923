using System.Collections.Immutable;
using EmbeddedPython.SourceGeneration;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace EmbeddedPython.SourceGeneration.Tests.Support;

/// <summary>Runs <see cref="PythonModuleGenerator"/> through Roslyn's generator driver over in-memory
/// .py files and compiles what it generated against the real core assembly.</summary>
internal static class GeneratorHarness
{
    public const string ProjectDirectory = "/project";

    /// <summary>The assemblies of the running framework (System.*, not Roslyn's).</summary>
    public static ImmutableArray<MetadataReference> FrameworkReferences { get; } =
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(f => Path.GetFileName(f).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(f) is "mscorlib.dll" or "netstandard.dll")
            .Select(f => (MetadataReference)MetadataReference.CreateFromFile(f)),
    ];

    /// <summary>The framework, the core and the Microsoft.Extensions assemblies the core brings (DI, options).</summary>
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    [
        .. FrameworkReferences,
        .. Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
            .Where(f => Path.GetFileName(f) is "EmbeddedPython.dll" || Path.GetFileName(f).StartsWith("Microsoft.Extensions.", StringComparison.Ordinal))
            .Select(f => (MetadataReference)MetadataReference.CreateFromFile(f)),
    ]);

    public static CSharpCompilation NewCompilation(params string[] csharpSources)
    {
        var trees = csharpSources.Select(s => CSharpSyntaxTree.ParseText(s, CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest)));
        return CSharpCompilation.Create("GeneratedModules", trees, References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }

    public static GeneratorDriver NewDriver(params (string Path, string Text)[] files) =>
        CSharpGeneratorDriver.Create(
            [new PythonModuleGenerator().AsSourceGenerator()],
            files.Select(f => (AdditionalText)new TestAdditionalText(f.Path, f.Text)),
            CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest),
            new ProjectOptions(ProjectDirectory),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Generates from one module <c>python/{name}.py</c> and compiles the result.</summary>
    public static Generated Run(string name, string python) => Run(($"{ProjectDirectory}/python/{name}.py", python));

    public static Generated Run(params (string Path, string Text)[] files)
    {
        var driver = NewDriver(files).RunGeneratorsAndUpdateCompilation(NewCompilation(), out var output, out var generatorDiagnostics);
        var result = driver.GetRunResult();
        Assert.All(result.Results, r => Assert.Null(r.Exception));
        return new Generated(result, (CSharpCompilation)output, generatorDiagnostics);
    }

    /// <summary>What the build passes a generator: the project folder as <c>build_property.projectdir</c>.</summary>
    private sealed class ProjectOptions(string projectDirectory) : AnalyzerConfigOptionsProvider
    {
        private readonly Options _global = new(new Dictionary<string, string> { ["build_property.projectdir"] = projectDirectory + "/" });
        private static readonly Options None = new([]);

        public override AnalyzerConfigOptions GlobalOptions => _global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => None;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => None;

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}

/// <summary>One generator run: its sources, its diagnostics, and the compilation with the generated code.</summary>
internal sealed record Generated(GeneratorDriverRunResult Result, CSharpCompilation Compilation, ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    public IEnumerable<Diagnostic> Diagnostics => Result.Diagnostics;

    public string Source(string hintName) => Result.Results.Single().GeneratedSources.Single(s => s.HintName == hintName).SourceText.ToString();

    public IReadOnlyList<string> HintNames => [.. Result.Results.Single().GeneratedSources.Select(s => s.HintName)];

    /// <summary>Errors and warnings of compiling the generated code.</summary>
    public IReadOnlyList<Diagnostic> CompileProblems =>
        [.. Compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning)];

    public INamedTypeSymbol Type(string name) =>
        Compilation.GetTypeByMetadataName("EmbeddedPython.Generated." + name) ?? throw new Xunit.Sdk.XunitException($"no generated type {name}; generated: {string.Join(", ", HintNames)}");

    /// <summary>The signature of a generated method as C# shows it, e.g. <c>Task&lt;long&gt; CountWordsAsync(string text, long minLength = 1, CancellationToken cancellationToken = default)</c>.</summary>
    public IReadOnlyList<string> Signatures(string type, string method) =>
        [.. Type(type).GetMembers(method).OfType<IMethodSymbol>().Select(m => m.ToDisplayString(SignatureFormat).Replace("default(CancellationToken)", "default"))];

    private static readonly SymbolDisplayFormat SignatureFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameOnly,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        memberOptions: SymbolDisplayMemberOptions.IncludeType | SymbolDisplayMemberOptions.IncludeParameters,
        parameterOptions: SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeName | SymbolDisplayParameterOptions.IncludeDefaultValue,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);
}
