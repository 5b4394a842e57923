using System.Text.Json.Nodes;
using EmbeddedPython.Vantiq.Tests.FakeVantiq;

namespace EmbeddedPython.Vantiq.Tests.Execution;

/// <summary>Vantiq spec 4.2 and 4.4: validation, compile and execution errors, with the exact catalogue.</summary>
[Collection(PythonCollection.Name)]
public sealed class ErrorTests(PythonFixture python)
{
    private const string P = "io.vantiq.pyexecsource.";

    internal static void AssertError(JsonNode reply, string code, string template, string? parameters = null)
    {
        Assert.Equal(400, (int)reply["status"]!);
        Assert.Equal(code, (string)reply["body"]!["messageCode"]!);
        Assert.Equal(template, (string)reply["body"]!["messageTemplate"]!);
        if (parameters is not null)
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(parameters), reply["body"]!["parameters"]), reply["body"]!["parameters"]!.ToJsonString());
    }

    private async Task<JsonNode> RunAsync(string with)
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        return await session.QueryOneAsync(with);
    }

    [Theory]
    [InlineData("B1", """{"code": "a = 1\n", "limitReturnTo": 5}""", P + "runpython.badreturnvaluesfor", "The returnValuesFor parameter must be a string or a list, found: {0}", """["int"]""")]
    [InlineData("B2", """{"code": "a = 1\n", "limitReturnTo": {"x": 1}}""", P + "runpython.badreturnvaluesfor", "The returnValuesFor parameter must be a string or a list, found: {0}", """["dict"]""")]
    [InlineData("B2 null", """{"code": "a = 1\n", "limitReturnTo": null}""", P + "runpython.badreturnvaluesfor", "The returnValuesFor parameter must be a string or a list, found: {0}", """["NoneType"]""")]
    [InlineData("B3", """{"code": "a = 1\n", "limitReturnTo": ["a"], "codeHandlesReturn": true}""", P + "runpython.conflictingreturn",
        "This query stated that the code will generate the return value and specifiedThe returnValuesFor list. These items are in conflict.", "[]")]
    [InlineData("B4", """{"code": "a = 1\n", "presetValues": [1, 2]}""", P + "runpython.badglobalpreset", "The{0} entry must be VAIL object (a dict at the connector).", """["presetValues"]""")]
    [InlineData("B5", """{"code": "a = 1\n", "presetValues": null}""", P + "runpython.badglobalpreset", "The{0} entry must be VAIL object (a dict at the connector).", """["presetValues"]""")]
    [InlineData("B6", """{"foo": "bar"}""", P + "runpython.nocode", "No code was provided to execute. Message was {0}, but no {1} value was present.", """[{"foo":"bar"},"code"]""")]
    [InlineData("B7", """{}""", P + "runpython.nocode", "No code was provided to execute. Message was {0}, but no {1} value was present.", """[{},"code"]""")]
    [InlineData("B8", """{"code": "a = 1\n", "cache_code": true}""", P + "runpython.nocachename", "A request was made to cache the code but no name was provided.", "[]")]
    [InlineData("B8 yes", """{"code": "a = 1\n", "cache_code": "yes"}""", P + "runpython.nocachename", "A request was made to cache the code but no name was provided.", "[]")]
    [InlineData("B9", """{"name": "neverSeen"}""", P + "runpython.nocache", "No cached code was found for name: {0}.", """["neverSeen"]""")]
    [InlineData("B10 answered, unlike the original", """{"code": "a = 1\n", "limitReturnTo": ["a", 3]}""", P + "runpython.badreturnvaluesfor", "The returnValuesFor parameter must be a string or a list, found: {0}", """["int"]""")]
    [InlineData("E1", """{"code": "x = {\"a\": 1 ]\n"}""", P + "compile.syntaxerror", "Compilation resulted in: {0} :: file {1}, line {2}, offset {3} -- {4}", null)]
    [InlineData("E6", """{"code": "import nonexistent_mod_xyz\n"}""", P + "execution.importerror", "Execution raised exception: {0} :: {1}", """["ModuleNotFoundError","No module named 'nonexistent_mod_xyz'"]""")]
    public async Task Errors_carry_the_originals_code_template_and_parameters(string id, string with, string code, string template, string? parameters)
    {
        Assert.NotNull(id);
        AssertError(await RunAsync(with), code, template, parameters);
    }

    [Fact]
    public async Task B11_a_query_without_object_is_answered_with_nocode()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        var reply = Assert.Single(await session.QueryAsync(null));
        AssertError(reply, P + "runpython.nocode", "No code was provided to execute. Message was {0}, but no {1} value was present.", """[null,"code"]""");
    }

    [Fact]
    public async Task B12_a_query_without_reply_address_gets_no_frame_and_the_next_one_works()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        await session.SendQueryAsync(JsonNode.Parse("""{"code": "a = 1\n"}"""), replyHeader: false);
        var reply = await session.QueryOneAsync("""{"code": "b = 2\n"}""");
        Assert.Equal("""{"b":2}""", DefaultModeTests.Results(reply)!.ToJsonString());
        Assert.Single(session.Frames);
    }

    [Theory]
    [InlineData("a 200,000-character line of parentheses", "x = " + "((((((((((", false, "compile.syntaxerror")]
    [InlineData("a huge exception message", "raise ValueError('é' * 200_000)", false, "execution.exception")]
    [InlineData("a huge exception in a task of self-return code", "import asyncio\nasync def boom():\n    raise ValueError('x' * 200_000)\nasyncio.get_running_loop().create_task(boom())", true, "execution.exception")]
    public async Task A_huge_error_text_arrives_bounded_and_marked_as_cut_and_the_next_query_runs(string what, string code, bool handlesReturn, string messageCode)
    {
        // InlineData keeps the test names short; the long line is built here.
        code = code.Replace("((((((((((", new string('(', 200_000), StringComparison.Ordinal);
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;

        var reply = await session.QueryOneAsync(new JsonObject { ["code"] = code, ["codeHandlesReturn"] = handlesReturn }.ToJsonString());

        Assert.Equal(P + messageCode, (string)reply["body"]!["messageCode"]!);
        var texts = reply["body"]!["parameters"]!.AsArray().Select(p => p is JsonValue v && v.TryGetValue<string>(out var t) ? t : "").ToList();
        Assert.All(texts, t => Assert.True(t.Length <= ErrorText.DefaultMaxLength, $"{what}: a parameter of {t.Length} characters"));
        Assert.Contains(texts, t => t.Contains(" characters] … ", StringComparison.Ordinal));
        var next = await session.QueryOneAsync("""{"code": "b = 2\n"}""");
        Assert.Equal("""{"b":2}""", DefaultModeTests.Results(next)!.ToJsonString());
    }

    [Theory]
    [InlineData("E1", "x = {\"a\": 1 ]\n", false, "SyntaxError", 1, 13, "x = {\"a\": 1 ]")]
    [InlineData("E2", "def f():\nreturn 1\n", false, "IndentationError", 2, 1, "return 1\n")]
    [InlineData("E3 top-level await", "import asyncio\nawait asyncio.sleep(0)\n", false, "SyntaxError", 2, 1, null)]
    [InlineData("E4 also in self-return mode", "x = (\n", true, "SyntaxError", 1, 5, "x = (\n")]
    public async Task Syntax_errors_name_class_file_line_offset_and_text(string id, string code, bool handlesReturn, string type, int line, int offset, string? text)
    {
        var reply = await RunAsync(new JsonObject { ["code"] = code, ["codeHandlesReturn"] = handlesReturn }.ToJsonString());
        AssertError(reply, P + "compile.syntaxerror", "Compilation resulted in: {0} :: file {1}, line {2}, offset {3} -- {4}");
        var parameters = reply["body"]!["parameters"]!.AsArray();
        Assert.Equal(type, (string)parameters[0]!);
        Assert.StartsWith("code-for-source-pySrc-", (string)parameters[1]!);
        Assert.Equal(line, (int)parameters[2]!);
        Assert.Equal(offset, (int)parameters[3]!);
        Assert.True(text == (string?)parameters[4], $"{id}: {parameters.ToJsonString()}");
    }

    [Theory]
    [InlineData("E5", """{"code": "a = 1\nb = a / 0\n"}""", "ZeroDivisionError", "ZeroDivisionError: division by zero\n")]
    [InlineData("E5 named", """{"name": "div", "code": "a = 1\nb = a / 0\n"}""", "ZeroDivisionError", "ZeroDivisionError: division by zero\n")]
    [InlineData("E8", """{"codeHandlesReturn": true, "code": "raise ValueError(\"boom\")\n"}""", "ValueError", "ValueError: boom\n")]
    [InlineData("E10", """{"code": "import asyncio\nasync def w():\n    return 1\nr = asyncio.get_event_loop().run_until_complete(w())\n"}""", "RuntimeError", "This event loop is already running")]
    [InlineData("E11", """{"code": "import asyncio\nasync def w():\n    return 1\nr = asyncio.run(w())\n"}""", "RuntimeError", "asyncio.run() cannot be called from a running event loop")]
    [InlineData("E12 sys.exit ends the script, not the host", """{"code": "import sys\nsys.exit(3)\n"}""", "SystemExit", "SystemExit: 3\n")]
    public async Task Execution_errors_carry_the_class_and_the_traceback(string id, string with, string type, string tracebackPart)
    {
        var reply = await RunAsync(with);
        AssertError(reply, P + "execution.exception", "Executing code raised exception: {0} :: {1}");
        var parameters = reply["body"]!["parameters"]!.AsArray();
        Assert.Equal(type, (string)parameters[0]!);
        var traceback = (string)parameters[1]!;
        Assert.True(traceback.Contains(tracebackPart, StringComparison.Ordinal), $"{id}: {traceback}");
        if (id.StartsWith("E5", StringComparison.Ordinal))
            Assert.Matches("File \"code-for-source-pySrc-[0-9a-f-]+\", line 2, in <module>", traceback);
    }

    [Fact]
    public async Task E7_a_failed_from_import_is_an_importerror()
    {
        var reply = await RunAsync("""{"code": "from os import bogus_thing\n"}""");
        AssertError(reply, P + "execution.importerror", "Execution raised exception: {0} :: {1}");
        Assert.Equal("ImportError", (string)reply["body"]!["parameters"]![0]!);
        Assert.StartsWith("cannot import name 'bogus_thing' from 'os'", (string)reply["body"]!["parameters"]![1]!);
    }

    [Fact]
    public async Task E9_a_circular_value_is_left_out_instead_of_failing_the_query()
    {
        var reply = await RunAsync("""{"code": "a = []\na.append(a)\nb = 1\n"}""");
        Assert.Equal("""{"b":1}""", DefaultModeTests.Results(reply)!.ToJsonString());
    }

    [Fact]
    public async Task E12_after_sys_exit_the_connector_still_answers()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        AssertError(await session.QueryOneAsync("""{"code": "import sys\nsys.exit(3)\n"}"""), P + "execution.exception", "Executing code raised exception: {0} :: {1}");
        var reply = await session.QueryOneAsync("""{"code": "v = 1\n"}""");
        Assert.Equal("""{"v":1}""", DefaultModeTests.Results(reply)!.ToJsonString());
    }
}
