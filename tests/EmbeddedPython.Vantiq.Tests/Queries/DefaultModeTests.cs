using System.Text.Json.Nodes;
using EmbeddedPython.Vantiq.Tests.FakeVantiq;

namespace EmbeddedPython.Vantiq.Tests.Queries;

/// <summary>Vantiq spec 4.1: default return mode, values and filtering.</summary>
[Collection(PythonCollection.Name)]
public sealed class DefaultModeTests(PythonFixture python)
{
    private static JsonNode? Results(JsonNode reply) => reply["body"]?["pythonCallResults"];

    [Fact]
    public async Task A1_globals_come_back_as_pythonCallResults()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        var reply = await session.QueryOneAsync("""{"code": "x = 1\ny = \"a\"\n"}""");
        Assert.Equal(200, (int)reply["status"]!);
        Assert.Equal("""{"x":1,"y":"a"}""", Results(reply)!.ToJsonString());
    }
}
