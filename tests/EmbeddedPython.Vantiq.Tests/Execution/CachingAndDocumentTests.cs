using System.Text.Json.Nodes;
using EmbeddedPython.Vantiq.Tests.FakeVantiq;

namespace EmbeddedPython.Vantiq.Tests.Execution;

/// <summary>Vantiq spec 4.3: naming, the per-connection code cache, documents over REST.</summary>
[Collection(PythonCollection.Name)]
public sealed class CachingAndDocumentTests(PythonFixture python)
{
    private const string P = "io.vantiq.pyexecsource.";

    private static async Task<JsonNode> ResultsAsync(FakeSession session, string with)
    {
        var reply = await session.QueryOneAsync(with);
        Assert.True(200 == (int)reply["status"]!, reply.ToJsonString());
        return reply["body"]!["pythonCallResults"]!;
    }

    [Fact]
    public async Task C1_to_C8_named_code_is_cached_per_connection_replaced_by_new_text_and_file_follows_the_original()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;

        var c1 = await ResultsAsync(session, """{"name": "n1", "code": "v = 1\nfile = __file__\nnm = __name__\n"}""");
        Assert.Equal(1, (int)c1["v"]!);
        Assert.StartsWith("code-for-source-pySrc-", (string)c1["file"]!);
        Assert.Equal("__main__", (string)c1["nm"]!);

        Assert.Equal("""{"v":1,"file":"n1.py","nm":"__main__"}""", (await ResultsAsync(session, """{"name": "n1"}""")).ToJsonString());
        Assert.Equal("""{"v":1,"file":"n1.py","nm":"__main__"}""",
            (await ResultsAsync(session, """{"name": "n1", "code": "v = 1\nfile = __file__\nnm = __name__\n"}""")).ToJsonString());

        var c4 = await ResultsAsync(session, """{"name": "n1", "code": "v = 2\nfile = __file__\n"}""");
        Assert.Equal(2, (int)c4["v"]!);
        Assert.StartsWith("code-for-source-pySrc-", (string)c4["file"]!);
        Assert.Equal("""{"v":2,"file":"n1.py"}""", (await ResultsAsync(session, """{"name": "n1"}""")).ToJsonString());

        Assert.StartsWith("code-for-source-", (string)(await ResultsAsync(session, """{"name": "n2.py", "code": "file = __file__\n"}"""))["file"]!);
        Assert.Equal("""{"file":"n2.py"}""", (await ResultsAsync(session, """{"name": "n2.py"}""")).ToJsonString());

        Assert.Equal("""{"w":1}""", (await ResultsAsync(session, """{"name": "n3", "code": "w = 1\n", "cache_code": false}""")).ToJsonString());
        ErrorTests.AssertError(await session.QueryOneAsync("""{"name": "n3"}"""), P + "runpython.nocache", "No cached code was found for name: {0}.", """["n3"]""");

        Assert.Equal("""{"v":2,"file":"n1.py"}""", (await ResultsAsync(session, """{"code": null, "name": "n1"}""")).ToJsonString());
    }

    [Fact]
    public async Task Replace_drops_the_cached_entry_unlike_the_original()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        await ResultsAsync(session, """{"name": "r", "code": "v = 1\n"}""");
        ErrorTests.AssertError(await session.QueryOneAsync("""{"name": "r", "replace": true}"""), P + "runpython.nocache", "No cached code was found for name: {0}.", """["r"]""");
    }

    [Fact]
    public async Task The_cache_belongs_to_one_connection_and_a_reconnect_empties_it()
    {
        var (first, firstSession) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = first;
        var (second, secondSession) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var __ = second;
        await ResultsAsync(firstSession, """{"name": "shared", "code": "v = \"first\"\n"}""");
        ErrorTests.AssertError(await secondSession.QueryOneAsync("""{"name": "shared"}"""), P + "runpython.nocache", "No cached code was found for name: {0}.");

        await firstSession.SendAsync("""{"op": "reconnectRequired", "resourceName": "sources", "resourceId": "pySrc"}""");
        var again = await first.Server.NextSessionAsync();
        ErrorTests.AssertError(await again.QueryOneAsync("""{"name": "shared"}"""), P + "runpython.nocache", "No cached code was found for name: {0}.");
    }

    [Fact]
    public async Task D1_to_D8_documents_are_fetched_with_the_token_cached_by_modification_date_and_errors_relayed()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        var server = connector.Server;
        var bearer = "Bearer " + server.Token;
        server.Documents["doc1.py"] = new FakeDocument("import os\nalpha = 1\nbeta = [1, 2]\n", "2024-01-01T00:00:00.000Z");

        Assert.Equal("""{"alpha":1,"beta":[1,2]}""", (await ResultsAsync(session, """{"script": "doc1.py"}""")).ToJsonString());
        Assert.Equal([$"GET /api/v1/resources/documents/doc1.py {bearer}", $"GET /docs/doc1.py {bearer}"], server.HttpLog.ToArray());

        server.HttpLog.Clear();
        Assert.Equal("""{"alpha":1,"beta":[1,2]}""", (await ResultsAsync(session, """{"script": "doc1.py"}""")).ToJsonString());
        Assert.Equal("""{"alpha":1,"beta":[1,2]}""", (await ResultsAsync(session, """{"script": "doc1.py", "name": "otherName"}""")).ToJsonString());
        Assert.Equal(2, server.HttpLog.Count);
        Assert.All(server.HttpLog, line => Assert.StartsWith("GET /api/v1/resources/documents/doc1.py", line));

        server.HttpLog.Clear();
        server.Documents["doc1.py"] = new FakeDocument("gamma = 3\nfile = __file__\n", "2024-01-02T00:00:00.000Z");
        Assert.Equal("""{"gamma":3,"file":"doc1.py"}""", (await ResultsAsync(session, """{"script": "doc1.py"}""")).ToJsonString());
        Assert.Equal(2, server.HttpLog.Count);

        ErrorTests.AssertError(await session.QueryOneAsync("""{"script": "nope.py"}"""), "io.vantiq.resource.not.found",
            "The requested instance ('{0}') of the {1} resource could not be found.", """["nope.py","system.documents"]""");
        server.Documents["empty.py"] = new FakeDocument("", "2024-01-01T00:00:00.000Z");
        ErrorTests.AssertError(await session.QueryOneAsync("""{"script": "empty.py"}"""), P + "doclength", "Document {0} has an invalid length.", """["empty.py",0]""");
        server.Documents["incomplete.py"] = new FakeDocument("x = 1\n", "2024-01-01T00:00:00.000Z", IsIncomplete: true);
        ErrorTests.AssertError(await session.QueryOneAsync("""{"script": "incomplete.py"}"""), P + "docincomplete",
            "Document {0} is incomplete and cannot be used.", """["incomplete.py"]""");

        server.HttpLog.Clear();
        Assert.Equal("""{"gamma":3,"file":"doc1.py"}""", (await ResultsAsync(session, """{"script": "doc1.py", "cache_code": false}""")).ToJsonString());
        Assert.Single(server.HttpLog);
    }

    [Fact]
    public async Task A_document_with_a_syntax_error_names_the_document_as_its_file()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        connector.Server.Documents["bad.py"] = new FakeDocument("x = (\n", "t1");
        ErrorTests.AssertError(await session.QueryOneAsync("""{"script": "bad.py"}"""), P + "compile.syntaxerror",
            "Compilation resulted in: {0} :: file {1}, line {2}, offset {3} -- {4}", """["SyntaxError","bad.py",1,5,"x = (\n"]""");
    }
}
