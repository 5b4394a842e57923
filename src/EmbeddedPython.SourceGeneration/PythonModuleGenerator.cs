using System;
using System.IO;
using System.Linq;
using EmbeddedPython.SourceGeneration.Diagnostics;
using EmbeddedPython.SourceGeneration.Emitting;
using EmbeddedPython.SourceGeneration.Mapping;
using EmbeddedPython.SourceGeneration.Model;
using EmbeddedPython.SourceGeneration.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace EmbeddedPython.SourceGeneration;

/// <summary>
/// Generates a typed C# API for every <c>.py</c> file in <c>AdditionalFiles</c>: an interface and its
/// implementation in <c>EmbeddedPython.Generated</c>, records and handle types, and <c>AddPythonModules()</c>.
/// Each step is pure over value-equatable models, so an edit elsewhere re-runs nothing.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class PythonModuleGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline's steps (tests read them through the driver).</summary>
    public static class Steps
    {
        /// <summary>A .py file read: path, folder and text.</summary>
        public const string Source = nameof(Source);

        /// <summary>A module parsed and mapped to its C# shape.</summary>
        public const string Module = nameof(Module);

        /// <summary>The modules <c>AddPythonModules</c> registers.</summary>
        public const string Registrations = nameof(Registrations);
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var projectDirectory = context.AnalyzerConfigOptionsProvider.Select(static (options, _) =>
            options.GlobalOptions.TryGetValue("build_property.projectdir", out var directory) ? directory : "");

        var sources = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(".py", StringComparison.OrdinalIgnoreCase))
            .Combine(projectDirectory)
            .Select(static (pair, cancellationToken) => ReadSource(pair.Left, pair.Right, cancellationToken))
            .WithTrackingName(Steps.Source);

        var modules = sources
            .Select(static (source, _) => GeneratedModule.From(source))
            .WithTrackingName(Steps.Module);

        context.RegisterSourceOutput(modules, static (output, module) =>
        {
            foreach (var diagnostic in module.Diagnostics)
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            if (module.Spec is not null && module.Source is not null)
                output.AddSource($"{module.Spec.InterfaceName}.g.cs", SourceText.From(module.Source, System.Text.Encoding.UTF8));
        });

        var registrations = modules
            .Where(static m => m.Spec is not null)
            .Select(static (m, _) => new ModuleRegistration(m.Spec!.InterfaceName, m.Spec.ClassName, m.Spec.Folder))
            .Collect()
            .Select(static (all, _) => all.OrderBy(r => r.InterfaceName, StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(Steps.Registrations);

        context.RegisterSourceOutput(registrations, static (output, all) =>
        {
            if (all.Count > 0)
                output.AddSource("PythonModules.g.cs", SourceText.From(RegistrationEmitter.Emit(all), System.Text.Encoding.UTF8));
        });
    }

    private static PythonSource ReadSource(AdditionalText file, string projectDirectory, System.Threading.CancellationToken cancellationToken)
    {
        var text = file.GetText(cancellationToken)?.ToString();
        return new PythonSource(file.Path, RelativeFolder(file.Path, projectDirectory), text);
    }

    /// <summary>The file's folder relative to the project ('/'-separated): the build copies it there under
    /// the output folder. Without a project folder (or outside it), the file's own folder name.</summary>
    internal static string RelativeFolder(string path, string projectDirectory)
    {
        var folder = Path.GetDirectoryName(path) ?? "";
        var root = projectDirectory.TrimEnd('/', '\\');
        if (root.Length > 0 && folder.StartsWith(root, StringComparison.Ordinal) && (folder.Length == root.Length || folder[root.Length] is '/' or '\\'))
            return folder.Substring(root.Length).Trim('/', '\\').Replace('\\', '/');
        return Path.GetFileName(folder);
    }
}

/// <summary>A .py file as the pipeline sees it (null text: the file could not be read).</summary>
internal sealed record PythonSource(string Path, string Folder, string? Text);

/// <summary>The outcome for one file: its C# shape and source (null after a syntax error) and diagnostics.</summary>
internal sealed record GeneratedModule(ModuleSpec? Spec, string? Source, EquatableArray<DiagnosticInfo> Diagnostics)
{
    public static GeneratedModule From(PythonSource source)
    {
        try
        {
            if (source.Text is null)
                return Failed(source, GeneratorDiagnostics.SyntaxError.Id, "The file could not be read", 1, 1);
            var module = ModuleParser.ParseModule(source.Text);
            var moduleName = System.IO.Path.GetFileNameWithoutExtension(source.Path);
            if (!Naming.IsIdentifier(moduleName) || moduleName.Length == 0 || char.IsDigit(moduleName[0]))
                return Failed(source, GeneratorDiagnostics.SyntaxError.Id, $"'{moduleName}' is not an importable Python module name", 1, 1);
            var (spec, diagnostics) = ModuleMapper.Map(module, moduleName, source.Folder, source.Path);
            var relativePath = source.Folder.Length == 0 ? moduleName + ".py" : $"{source.Folder}/{moduleName}.py";
            return new GeneratedModule(spec, ModuleEmitter.Emit(spec, relativePath), diagnostics);
        }
        catch (PythonSyntaxException e)
        {
            return Failed(source, GeneratorDiagnostics.SyntaxError.Id, $"Python syntax error: {e.Message}; no C# API was generated for this file", e.Line, e.Column);
        }
        catch (Exception e)
        {
            // Never a generator crash: the build says what failed, in which file.
            return Failed(source, GeneratorDiagnostics.GeneratorFailure.Id, $"Generating the C# API of this file failed: {e.GetType().Name}: {e.Message}", 1, 1);
        }
    }

    private static GeneratedModule Failed(PythonSource source, string id, string message, int line, int column) =>
        new(null, null, new[] { new DiagnosticInfo(id, message, source.Path, line, column) }.ToEquatableArray());
}
