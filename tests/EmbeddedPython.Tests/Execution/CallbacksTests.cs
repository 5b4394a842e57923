namespace EmbeddedPython.Tests.Execution;

/// <summary>The native functions of embedded_python._native check their arguments as delegates' are checked.</summary>
[Collection(PythonCollection.Name)]
public sealed class CallbacksTests(PythonFixture fixture)
{
    private readonly IPythonExecutor _python = fixture.Executor;

    [Theory]
    [InlineData("interrupted()", "interrupted(): missing required argument 'request_id'")]
    [InlineData("output(1)", "output(): missing required argument 'text'")]
    [InlineData("is_open(1, 2)", "is_open(): takes 1 positional arguments but 2 were given")]
    [InlineData("wake(1)", "wake(): takes 0 positional arguments but 1 were given")]
    public async Task A_native_function_called_with_the_wrong_arguments_raises_TypeError_naming_it(string call, string message)
    {
        var result = await _python.ExecuteAsync(new PythonRequest
        {
            Code = $"import embedded_python._native as native\ntry:\n    native.{call}\nexcept TypeError as e:\n    error = str(e)",
            LimitReturnTo = ["error"],
        });

        Assert.Equal(message, result.Values["error"]);
        Assert.Equal(2L, (await _python.ExecuteAsync("x = 1 + 1")).Values["x"]);
    }
}
