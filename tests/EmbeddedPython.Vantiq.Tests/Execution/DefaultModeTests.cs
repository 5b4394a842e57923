using System.Text.Json.Nodes;
using EmbeddedPython.Vantiq.Tests.FakeVantiq;

namespace EmbeddedPython.Vantiq.Tests.Execution;

/// <summary>Vantiq spec 4.1: default return mode, values and filtering.</summary>
[Collection(PythonCollection.Name)]
public sealed class DefaultModeTests(PythonFixture python)
{
    internal static JsonNode? Results(JsonNode reply) => reply["body"]?["pythonCallResults"];

    private async Task<JsonNode> RunAsync(string with)
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        var reply = await session.QueryOneAsync(with);
        Assert.Equal(200, (int)reply["status"]!);
        Assert.Null(reply["body"]!["connectorRuntimeInfo"]);
        return reply;
    }

    [Theory]
    [InlineData("A1", """{"code": "x = 1\ny = \"a\"\n"}""", """{"x":1,"y":"a"}""")]
    [InlineData("A3 presets first, in order", """{"code": "b = a * 2\n", "presetValues": {"a": 5, "c": "keep"}}""", """{"a":5,"c":"keep","b":10}""")]
    [InlineData("A4", """{"code": "a = 1\nb = 2\nc = 3\n", "limitReturnTo": ["b", " c "]}""", """{"b":2,"c":3}""")]
    [InlineData("A5", """{"code": "a = 1\nb = 2\nc = 3\n", "limitReturnTo": "a, c"}""", """{"a":1,"c":3}""")]
    [InlineData("A6", """{"code": "a = 1\n", "limitReturnTo": ["zzz"]}""", """{}""")]
    [InlineData("A7", """{"code": "a = 1\n", "limitReturnTo": ["connector_context", "__name__", "a"]}""", """{"a":1}""")]
    [InlineData("A9", """{"code": "ran_main = (__name__ == \"__main__\")\n", "presetValues": {"__name__": "other"}}""", """{"ran_main":false}""")]
    [InlineData("A10", """{"code": "ok = 1\n", "presetValues": {"connector_context": {"x": 1}}}""", """{"ok":1}""")]
    [InlineData("A11 task effects are not included", """{"code": "import asyncio\nlst = []\nasync def w():\n    lst.append(1)\nasyncio.get_event_loop().create_task(w())\n"}""", """{"lst":[]}""")]
    [InlineData("A12", """{"code": "import asyncio\nres = \"before\"\nasync def w():\n    global res\n    res = \"after\"\nloop = asyncio.get_event_loop()\nasyncio.gather(loop.create_task(w()))\n"}""", """{"res":"before"}""")]
    [InlineData("A14 print is not returned", """{"code": "print(\"hello\")\nv = 1\n"}""", """{"v":1}""")]
    [InlineData("A15", "{\"code\": \"\\\"\\\"\\\"doc\\\"\\\"\\\"\\n_x = 1\\ny: int = 2\\n\"}", """{"__doc__":"doc","_x":1,"y":2}""")]
    [InlineData("A16 the number 1 is not true", """{"codeHandlesReturn": 1, "code": "x = 1\n"}""", """{"x":1}""")]
    [InlineData("A17 code wins over script", """{"code": "v = \"code won\"\n", "script": "doc1.py"}""", """{"v":"code won"}""")]
    public async Task Default_mode_returns_the_globals_the_original_returns(string id, string with, string expected)
    {
        var reply = await RunAsync(with);
        Assert.True(expected == Results(reply)!.ToJsonString(), $"{id}: {Results(reply)!.ToJsonString()}");
    }

    [Fact]
    public async Task A2_only_JSON_values_come_back_serialised_as_Python_does_with_NaN_as_null()
    {
        const string code = "import os\nimport json as j\nfrom math import sqrt\ndef f():\n    pass\nclass K:\n    pass\nlam = lambda: 2\nobj = K()\n"
            + "s = {1, 2}\nb = b\"x\"\ntup = (1, \"two\", None)\nfl = 1.5\nbig = 2**70\nnone = None\nd = {1: \"int key\", \"s\": [1, {\"n\": True}]}\n"
            + "tk = {(1, 2): 3}\nnan = float(\"nan\")\ninf = float(\"inf\")\n";
        var reply = await RunAsync(new JsonObject { ["code"] = code }.ToJsonString());
        Assert.Equal("""{"tup":[1,"two",null],"fl":1.5,"big":1180591620717411303424,"none":null,"d":{"1":"int key","s":[1,{"n":true}]},"nan":null,"inf":null}""",
            Results(reply)!.ToJsonString());
    }

    [Fact]
    public async Task A8_connector_context_and_connection_are_the_originals()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        var address = await session.SendQueryAsync(JsonNode.Parse(
            """{"code": "ctx = dict(connector_context)\nsrc = connector_connection.get_source()\nhealthy = connector_connection.is_healthy()\n"}"""));
        var reply = Assert.Single(await session.RepliesAsync(address));
        Assert.Equal($$"""{"ctx":{"source_name":"pySrc","response_address":"{{address}}"},"src":"pySrc","healthy":null}""", Results(reply)!.ToJsonString());
    }

    [Fact]
    public async Task A13_file_of_fresh_code_names_the_source()
    {
        var reply = await RunAsync("""{"code": "file = __file__\nnm = __name__\n"}""");
        Assert.StartsWith("code-for-source-pySrc-", (string)Results(reply)!["file"]!);
        Assert.Equal("__main__", (string)Results(reply)!["nm"]!);
    }

    [Fact]
    public async Task A17_code_wins_over_script_without_a_REST_call()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        var reply = await session.QueryOneAsync("""{"code": "v = \"code won\"\n", "script": "doc1.py"}""");
        Assert.Equal("code won", (string)Results(reply)!["v"]!);
        Assert.Empty(connector.Server.HttpLog);
    }

    [Fact]
    public async Task A18_a_query_in_a_binary_frame_is_answered()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        var replies = await session.QueryAsync(JsonNode.Parse("""{"code": "v = 7\n"}"""), binary: true);
        Assert.Equal("""{"v":7}""", Results(Assert.Single(replies))!.ToJsonString());
    }

    [Fact]
    public async Task A19_a_task_sends_a_notification_after_the_reply()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        var reply = await session.QueryOneAsync(
            """{"code": "import asyncio\nasyncio.get_event_loop().create_task(connector_connection.send_notification({\"n\": 2}))\nv = 1\n"}""");
        Assert.Equal("""{"v":1}""", Results(reply)!.ToJsonString());
        await session.WaitForAsync(frames => frames.Any(f => (string?)f["op"] == "notification"));
        var notification = session.RawFrames.Single(f => f.Contains("notification", StringComparison.Ordinal));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"op":"notification","resourceName":"sources","resourceId":"pySrc","object":{"n":2}}"""),
            JsonNode.Parse(notification)), notification);
    }
}
