using System.Text.Json.Nodes;
using EmbeddedPython.Vantiq.Tests.FakeVantiq;

namespace EmbeddedPython.Vantiq.Tests.Execution;

/// <summary>Vantiq spec 4.6: connectorRuntimeInfo with returnRuntimeInformation and codeCacheSize.</summary>
[Collection(PythonCollection.Name)]
public sealed class RuntimeInfoTests(PythonFixture python)
{
    private static JsonObject Info(JsonNode reply)
    {
        Assert.True(200 == (int)reply["status"]!, reply.ToJsonString());
        return reply["body"]!["connectorRuntimeInfo"]!.AsObject();
    }

    private static IEnumerable<string> Keys(JsonObject info) => info.Select(p => p.Key);

    [Fact]
    public async Task G1_to_G6_runtime_information_reports_cache_use_and_times()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor, """{"returnRuntimeInformation": true, "codeCacheSize": 2}""");
        await using var _ = connector;

        var g1 = Info(await session.QueryOneAsync("""{"name": "r1", "code": "v = 1\n"}"""));
        Assert.Equal(["using_cached", "name", "newCacheEntry", "compileTime", "executionTime", "totalTime", "query_time", "currentCacheSize", "cacheCapacity"], Keys(g1));
        Assert.False((bool)g1["using_cached"]!);
        Assert.Equal("r1", (string)g1["name"]!);
        Assert.True((bool)g1["newCacheEntry"]!);
        Assert.Equal(1, (int)g1["currentCacheSize"]!);
        Assert.Equal(2, (int)g1["cacheCapacity"]!);
        Assert.Equal((double)g1["totalTime"]!, (double)g1["query_time"]!);

        var g2 = Info(await session.QueryOneAsync("""{"name": "r1", "code": "v = 1\n"}"""));
        Assert.True((bool)g2["using_cached"]!);
        Assert.False((bool)g2["newCacheEntry"]!);
        Assert.DoesNotContain("compileTime", Keys(g2));

        // G3: the name is the name (the original reported the last preset's key).
        var g3reply = await session.QueryOneAsync("""{"name": "r1", "code": "v = 1\n", "presetValues": {"pz": 1}}""");
        Assert.Equal("r1", (string)Info(g3reply)["name"]!);
        Assert.Equal("""{"pz":1,"v":1}""", g3reply["body"]!["pythonCallResults"]!.ToJsonString());

        var g4 = Info(await session.QueryOneAsync("""{"code": "v = 1\n"}"""));
        Assert.DoesNotContain("name", Keys(g4));
        Assert.False((bool)g4["newCacheEntry"]!);
        Assert.Contains("compileTime", Keys(g4));

        var r2 = Info(await session.QueryOneAsync("""{"name": "r2", "code": "v = 2\n"}"""));
        Assert.True((bool)r2["newCacheEntry"]!);
        Assert.Equal(2, (int)r2["currentCacheSize"]!);
        Assert.Equal(2, (int)Info(await session.QueryOneAsync("""{"name": "r3", "code": "v = 3\n"}"""))["currentCacheSize"]!);
        ErrorTests.AssertError(await session.QueryOneAsync("""{"name": "r1"}"""), "io.vantiq.pyexecsource.runpython.nocache",
            "No cached code was found for name: {0}.", """["r1"]""");
    }

    [Fact]
    public async Task G7_self_returning_code_sends_no_runtime_information()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor, """{"returnRuntimeInformation": "yes"}""");
        await using var _ = connector;
        var reply = await session.QueryOneAsync("""{"codeHandlesReturn": true, "code": "import asyncio\nasyncio.get_event_loop().create_task(connector_connection.send_query_response(connector_context, 200, {\"a\": 1}))\n"}""");
        Assert.Equal("""{"a":1}""", reply["body"]!.ToJsonString());
    }

    [Fact]
    public async Task G8_a_document_is_compiled_once_then_served_from_the_cache()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor, """{"returnRuntimeInformation": true}""");
        await using var _ = connector;
        connector.Server.Documents["doc1.py"] = new FakeDocument("alpha = 1\n", "t1");
        var first = Info(await session.QueryOneAsync("""{"script": "doc1.py"}"""));
        Assert.False((bool)first["using_cached"]!);
        Assert.Equal("doc1.py", (string)first["name"]!);
        Assert.True((bool)first["newCacheEntry"]!);
        Assert.Contains("compileTime", Keys(first));
        var second = Info(await session.QueryOneAsync("""{"script": "doc1.py"}"""));
        Assert.True((bool)second["using_cached"]!);
        Assert.DoesNotContain("compileTime", Keys(second));
        Assert.Equal(128, (int)second["cacheCapacity"]!);
    }

    [Fact]
    public async Task G9_fifty_queries_over_five_names_compile_five_times()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor, """{"returnRuntimeInformation": true, "codeCacheSize": 10}""");
        await using var _ = connector;
        var replies = new List<JsonNode>();
        for (var i = 0; i < 50; i++)
        {
            var code = $"import os\nsome_list = list(range(25))\nthree = 3\nsomevar = {{\"message\": \"from Python\"}}\nwhere_are_we = os.getcwd()\nscript_number = {i % 5}\ndel script_number\n";
            replies.Add(await session.QueryOneAsync(new JsonObject { ["name"] = $"pythonScript{i % 5}", ["code"] = code }.ToJsonString()));
        }
        Assert.Equal(5, replies.Count(r => Info(r).ContainsKey("compileTime")));
        Assert.Equal(5, replies.Count(r => (bool)Info(r)["newCacheEntry"]!));
        Assert.All(replies, r => Assert.Equal(4, r["body"]!["pythonCallResults"]!.AsObject().Count));
    }

    [Fact]
    public async Task G10_twenty_calls_of_one_named_program_compile_once_and_return_its_values()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor, """{"returnRuntimeInformation": true}""");
        await using var _ = connector;
        const string code = "import os\nsome_list = [i for i in range(loop_count)]\nsomevar = {\"message\": \"from Python\"}\nwhere_are_we = os.getcwd()\n";
        for (var call = 0; call < 20; call++)
        {
            var reply = await session.QueryOneAsync(new JsonObject
            {
                ["name"] = "py_code_simple",
                ["code"] = code,
                ["presetValues"] = new JsonObject { ["loop_count"] = 20 },
            }.ToJsonString());
            var results = reply["body"]!["pythonCallResults"]!.AsObject();
            Assert.Equal(20, results["some_list"]!.AsArray().Count);
            Assert.Equal("from Python", (string)results["somevar"]!["message"]!);
            Assert.NotNull(results["where_are_we"]);
            var info = Info(reply);
            Assert.Contains("totalTime", Keys(info));
            Assert.Contains("executionTime", Keys(info));
            Assert.Equal(call == 0, info.ContainsKey("compileTime"));
        }
    }

    [Fact]
    public async Task A_reconfiguration_without_the_flag_turns_runtime_information_off()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor, """{"returnRuntimeInformation": true}""");
        await using var _ = connector;
        Assert.NotNull(Info(await session.QueryOneAsync("""{"code": "v = 1\n"}""")));
        connector.Server.Config = JsonNode.Parse("""{"pythonExecConfig": {"general": {}}}""")!;
        await session.SendAsync("""{"op": "reconnectRequired", "resourceName": "sources", "resourceId": "pySrc"}""");
        var again = await connector.Server.NextSessionAsync();
        var reply = await again.QueryOneAsync("""{"code": "v = 1\n"}""");
        Assert.Null(reply["body"]!["connectorRuntimeInfo"]);
    }
}
