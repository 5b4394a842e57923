using System.Text.RegularExpressions;
using EmbeddedPython.Execution;

namespace EmbeddedPython.Tests.Execution;

/// <summary>The numbers the C# host and embedded_python._runtime share are the same on both sides, member by member.</summary>
[Collection(PythonCollection.Name)]
public sealed partial class RuntimeProtocolTests(PythonFixture fixture)
{
    private readonly IPythonExecutor _python = fixture.Executor;

    [Theory]
    [InlineData(typeof(SendKind), "SendKind")]
    [InlineData(typeof(InterruptReason), "InterruptReason")]
    public async Task Every_member_of_the_enum_has_the_same_name_and_number_in_the_runtime(Type csharp, string python)
    {
        var result = await _python.ExecuteAsync(new PythonRequest
        {
            Code = "import embedded_python._runtime as runtime\nmembers = {m.name: int(m) for m in getattr(runtime, enum_name)}",
            PresetValues = new Dictionary<string, object?> { ["enum_name"] = python },
            LimitReturnTo = ["members"],
        });

        var expected = Enum.GetValues(csharp).Cast<object>().ToDictionary(v => ScreamingSnake(v.ToString()!), v => (object?)Convert.ToInt64(v));
        Assert.Equal(expected.OrderBy(p => p.Key), ((Dictionary<string, object?>)result.Values["members"]!).OrderBy(p => p.Key));
    }

    private static string ScreamingSnake(string name) => WordStart().Replace(name, "_$1").ToUpperInvariant();

    [GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial Regex WordStart();
}
