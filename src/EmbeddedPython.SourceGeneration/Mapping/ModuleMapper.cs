using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using EmbeddedPython.SourceGeneration.Diagnostics;
using EmbeddedPython.SourceGeneration.Model;

namespace EmbeddedPython.SourceGeneration.Mapping;

/// <summary>
/// Decides the C# shape of a parsed module: which functions and classes become which methods, records
/// and handle types, under which names, with which defaults. Private names (<c>_x</c>) are left out.
/// </summary>
internal sealed class ModuleMapper
{
    private readonly string _filePath;
    private readonly List<DiagnosticInfo> _diagnostics = [];
    private readonly Dictionary<string, (TypeShape Shape, string CsName)> _classes = [];
    private readonly TypeMapper _types;

    private ModuleMapper(string filePath)
    {
        _filePath = filePath;
        _types = new TypeMapper(_classes, _diagnostics, filePath);
    }

    /// <param name="moduleName">The name Python imports, the file's name without <c>.py</c>.</param>
    /// <param name="folder">The file's folder relative to the project, '/'-separated.</param>
    public static (ModuleSpec Module, EquatableArray<DiagnosticInfo> Diagnostics) Map(PyModule module, string moduleName, string folder, string filePath)
    {
        var mapper = new ModuleMapper(filePath);
        var spec = mapper.MapModule(module, moduleName, folder);
        return (spec, mapper._diagnostics.ToEquatableArray());
    }

    private ModuleSpec MapModule(PyModule module, string moduleName, string folder)
    {
        var pascal = Naming.Pascal(moduleName);
        var interfaceName = "I" + pascal;
        var className = pascal + "Module";
        var typeNames = new NameScope(this, $"module '{moduleName}'");
        typeNames.Reserve(interfaceName);
        typeNames.Reserve(className);

        var dataClasses = new List<PyClass>();
        var handleClasses = new List<PyClass>();
        foreach (var cls in module.Classes.Where(c => !Naming.IsPrivate(c.Name)))
        {
            var shape = ClassShape(cls);
            if (shape is null || !typeNames.TryAdd(Naming.Pascal(cls.Name), $"class '{cls.Name}'", cls.Line, cls.Column, out var csName))
                continue;
            _classes[cls.Name] = (shape.Value, csName);
            (shape == TypeShape.Handle ? handleClasses : dataClasses).Add(cls);
        }

        var records = dataClasses.Select(MapRecord).ToEquatableArray();
        var methodNames = new NameScope(this, $"module '{moduleName}'");
        var handles = handleClasses.Select(c => MapHandle(c, moduleName, methodNames)).ToEquatableArray();
        var functions = new List<MethodSpec>();
        foreach (var function in module.Functions.Where(f => !Naming.IsPrivate(f.Name)))
        {
            if (methodNames.TryAdd(Naming.Pascal(function.Name) + "Async", $"function '{function.Name}'", function.Line, function.Column, out var name))
                functions.Add(MapMethod(function, name, function.Name, $"function '{function.Name}'", skipSelf: false));
        }

        return new ModuleSpec(moduleName, interfaceName, className, folder, module.Docstring, functions.ToEquatableArray(), records, handles);
    }

    private static TypeShape? ClassShape(PyClass cls)
    {
        if (cls.Decorators.Any(d => d is "dataclass" or "dataclasses.dataclass"))
            return TypeShape.Dataclass;
        if (cls.Bases.Any(b => b is PyName { Last: "TypedDict" }))
            return TypeShape.TypedDict;
        return cls.Methods.Any(m => !Naming.IsPrivate(m.Name) || m.Name == "__init__") ? TypeShape.Handle : null;
    }

    private RecordSpec MapRecord(PyClass cls)
    {
        var (_, csName) = _classes[cls.Name];
        var names = new NameScope(this, $"class '{cls.Name}'");
        names.Reserve(csName);
        var properties = new List<PropertySpec>();
        foreach (var field in cls.Fields.Where(f => !Naming.IsPrivate(f.Name) && f.Annotation is not PySubscript { Target: PyName { Last: "ClassVar" } } and not PyName { Last: "ClassVar" }))
        {
            var where = $"field '{cls.Name}.{field.Name}'";
            if (!names.TryAdd(Naming.Pascal(field.Name), where, field.Line, field.Column, out var name))
                continue;
            var type = _types.Map(field.Annotation, TypePosition.Element, where, field.Column);
            properties.Add(new PropertySpec(name, field.Name, DefaultType(type, field.Default), DefaultLiteral(type, field.Default)));
        }

        return new RecordSpec(csName, cls.Name, _classes[cls.Name].Shape == TypeShape.TypedDict, properties.ToEquatableArray(), cls.Docstring);
    }

    private HandleSpec MapHandle(PyClass cls, string moduleName, NameScope moduleMethods)
    {
        var (_, csName) = _classes[cls.Name];
        var init = cls.Methods.FirstOrDefault(m => m.Name == "__init__");
        moduleMethods.TryAdd($"Create{csName}Async", $"class '{cls.Name}'", cls.Line, cls.Column, out var createName);
        var constructor = init is null
            ? new MethodSpec(createName, cls.Name, HandleType(csName), false, EquatableArray<ParameterSpec>.Empty, cls.Docstring)
            : MapMethod(init, createName, cls.Name, $"'{cls.Name}()'", skipSelf: true) with { Returns = HandleType(csName), IsStream = false, Docstring = cls.Docstring ?? init.Docstring };

        var names = new NameScope(this, $"class '{cls.Name}'");
        names.Reserve(csName);
        names.Reserve("Handle");
        names.Reserve("DisposeAsync");
        var methods = new List<MethodSpec>();
        foreach (var method in cls.Methods.Where(m => !Naming.IsPrivate(m.Name) && !m.Decorators.Any(d => d is "staticmethod" or "classmethod" or "property")))
        {
            if (names.TryAdd(Naming.Pascal(method.Name) + "Async", $"method '{cls.Name}.{method.Name}'", method.Line, method.Column, out var name))
                methods.Add(MapMethod(method, name, $"{cls.Name}.{method.Name}", $"method '{cls.Name}.{method.Name}'", skipSelf: true));
        }

        return new HandleSpec(csName, cls.Name, constructor, methods.ToEquatableArray(), cls.Docstring);
    }

    private static TypeSpec HandleType(string csName) =>
        new($"global::EmbeddedPython.Generated.{csName}", TypeShape.Handle, false, csName, EquatableArray<string>.Empty);

    private MethodSpec MapMethod(PyFunction function, string name, string pythonName, string where, bool skipSelf)
    {
        var names = new NameScope(this, where);
        names.Reserve("cancellationToken");
        var parameters = new List<ParameterSpec>();
        foreach (var parameter in function.Parameters.Skip(skipSelf ? 1 : 0))
        {
            // *args and **kwargs have no fixed C# shape; callers that need them use IPythonExecutor.CallAsync.
            if (parameter.Kind is PyParameterKind.VarPositional or PyParameterKind.VarKeyword)
                continue;
            var parameterWhere = $"parameter '{parameter.Name}' of {where}";
            if (!names.TryAdd(Naming.Camel(parameter.Name), parameterWhere, parameter.Line, parameter.Column, out var csName))
                continue;
            var type = DefaultType(_types.Map(parameter.Annotation, TypePosition.Parameter, parameterWhere, parameter.Column), parameter.Default);
            parameters.Add(new ParameterSpec(csName, parameter.Name, type, DefaultLiteral(type, parameter.Default), parameter.Default is not null, parameter.Kind == PyParameterKind.KeywordOnly));
        }

        var element = _types.StreamElement(function.Returns);
        var returnWhere = $"the result of {where}";
        var returns = element is not null
            ? _types.Map(element, TypePosition.Element, returnWhere, function.Column)
            : _types.Map(function.Returns, TypePosition.Return, returnWhere, function.Column);
        return new MethodSpec(name, pythonName, returns, element is not null, parameters.ToEquatableArray(), function.Docstring);
    }

    /// <summary><c>x: int = None</c> means Optional[int], as type checkers read it.</summary>
    private static TypeSpec DefaultType(TypeSpec type, PyExpr? value) =>
        value is PyConstant { Kind: PyConstantKind.None } && !type.Nullable ? type with { Name = type.Name + "?", Nullable = true } : type;

    /// <summary>The Python default as a C# constant of the parameter's type, or null when it has none.</summary>
    private static string? DefaultLiteral(TypeSpec type, PyExpr? value)
    {
        if (value is not PyConstant constant)
            return null;
        var baseName = type.Nullable ? type.Name.TrimEnd('?') : type.Name;
        switch (constant.Kind)
        {
            case PyConstantKind.None:
                return "null";
            case PyConstantKind.True or PyConstantKind.False when baseName == "bool":
                return constant.Kind == PyConstantKind.True ? "true" : "false";
            case PyConstantKind.String when baseName == "string" && (type.Shape != TypeShape.Literal || type.Literals.Contains(Naming.StringLiteral(constant.Value))):
                return Naming.StringLiteral(constant.Value);
            case PyConstantKind.Integer when baseName is "long" or "double":
                var integer = constant.Value.Replace("_", "");
                if (integer.StartsWith("0o", System.StringComparison.OrdinalIgnoreCase) || integer.StartsWith("-0o", System.StringComparison.OrdinalIgnoreCase))
                    return null; // octal has no C# literal
                if (!integer.StartsWith("0x", System.StringComparison.OrdinalIgnoreCase) && !integer.StartsWith("0b", System.StringComparison.OrdinalIgnoreCase)
                    && !long.TryParse(integer, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                    return null; // beyond a long
                return type.Shape == TypeShape.Literal && !type.Literals.Contains(integer + "L") ? null : integer + (baseName == "long" ? "L" : "D");
            case PyConstantKind.Float when baseName == "double":
                var text = constant.Value.Replace("_", "");
                return (text.EndsWith(".", System.StringComparison.Ordinal) ? text + "0" : text) + "D";
            default:
                return null;
        }
    }

    /// <summary>C# names given out in one scope; a second Python name that maps to a taken one is EPY003.</summary>
    private sealed class NameScope
    {
        private readonly ModuleMapper _owner;
        private readonly string _scope;
        private readonly Dictionary<string, string> _taken = [];

        public NameScope(ModuleMapper owner, string scope)
        {
            _owner = owner;
            _scope = scope;
        }

        public void Reserve(string name) => _taken[name.TrimStart('@')] = $"the generated '{name.TrimStart('@')}'";

        public bool TryAdd(string name, string what, int line, int column, out string added)
        {
            added = name;
            if (_taken.TryGetValue(name.TrimStart('@'), out var previous))
            {
                _owner._diagnostics.Add(new DiagnosticInfo(
                    GeneratorDiagnostics.NameCollision.Id,
                    $"The C# name '{name.TrimStart('@')}' of {what} collides with {previous} in {_scope}; {what} is left out",
                    _owner._filePath,
                    line,
                    column));
                return false;
            }

            _taken[name.TrimStart('@')] = what;
            return true;
        }
    }
}
