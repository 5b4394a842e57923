
namespace EmbeddedPython.Autokitteh.Tests.Hosting;

/// <summary>The rules that decide what a durable session sends to the worker (spec §7.4.7–11, §7.3.6),
/// checked in the real interpreter.</summary>
[Collection(PythonCollection.Name)]
public sealed class DurableRulesTests(SharedPython python) : IDisposable
{
    // User code lives in modules of the code directory (pickle finds classes there by name).
    private readonly CodeDirectory _code = new CodeDirectory().With("durable_rules_fixture.py", """
        import io

        import autokitteh


        def local():
            pass


        @autokitteh.activity
        def marked():
            pass


        class WithResponse(Exception):
            def __init__(self, message, response):
                super().__init__(message)
                self.response = response


        class KeywordOnly(Exception):
            def __init__(self, message, *, response, body):
                super().__init__(message)
                self.response, self.body = response, body


        class HoldsStream(Exception):
            def __init__(self, message):
                super().__init__(message)
                self.stream = io.TextIOWrapper(io.BytesIO())
        """);

    public void Dispose() => _code.Dispose();

    // Runs the code with the fixture module importable and, when durable, the code directory's rules in force.
    private async Task<T> Evaluate<T>(string code, bool durable = true)
    {
        const string Prologue = """
            import sys
            from embedded_python_autokitteh import durable
            sys.path.insert(0, code_dir)
            if is_durable:
                durable.install(code_dir)
            try:

            """;
        const string Epilogue = """
            finally:
                durable.uninstall()
                sys.path.remove(code_dir)
                sys.modules.pop("durable_rules_fixture", None)
            """;
        var body = string.Join('\n', code.Split('\n').Select(line => "    " + line));
        var result = await python.Executor.ExecuteAsync(new PythonRequest
        {
            Code = Prologue + body + "\n" + Epilogue,
            PresetValues = new Dictionary<string, object?> { ["code_dir"] = _code.Path, ["is_durable"] = durable },
            LimitReturnTo = ["answer"],
        });
        return (T)result.Values["answer"]!;
    }

    private async Task<string> Rewrite(string source)
    {
        var result = await python.Executor.ExecuteAsync(new PythonRequest
        {
            Code = "from embedded_python_autokitteh.durable import rewrite_source\nanswer = rewrite_source(source)",
            PresetValues = new Dictionary<string, object?> { ["source"] = source },
            LimitReturnTo = ["answer"],
        });
        return (string)result.Values["answer"]!;
    }

    [Fact]
    public async Task Calls_inside_functions_go_through_the_dispatcher_nested_ones_too()
    {
        var rewritten = await Rewrite("def f():\n    get(1)\n    return add(get(1), get(2))\n");

        Assert.Contains("_ak_dispatch_(get, 1)", rewritten, StringComparison.Ordinal);
        Assert.Contains("_ak_dispatch_(add, _ak_dispatch_(get, 1), _ak_dispatch_(get, 2))", rewritten, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Module_level_calls_and_builtins_are_left_alone()
    {
        var rewritten = await Rewrite("admin = User('root')\n\ndef current_user():\n    print(len('x'))\n    return User('me')\n");

        Assert.Contains("admin = User('root')", rewritten, StringComparison.Ordinal);
        Assert.Contains("return _ak_dispatch_(User, 'me')", rewritten, StringComparison.Ordinal);
        Assert.Contains("print(len('x'))", rewritten, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decorated_activities_and_helpers_are_rewritten_at_every_call_whatever_the_order()
    {
        var rewritten = await Rewrite("def handler(e):\n    foo()\n    bar()\n    foo()\n\n@activity\ndef foo():\n    pass\n\ndef bar():\n    pass\n");

        Assert.Equal(2, CountOf(rewritten, "_ak_dispatch_(foo)"));
        Assert.Equal(1, CountOf(rewritten, "_ak_dispatch_(bar)"));
    }

    [Fact]
    public async Task Awaited_calls_go_through_the_async_dispatcher()
    {
        var rewritten = await Rewrite("async def f():\n    return await fetch(1)\n");

        Assert.Contains("await _ak_adispatch_(fetch, 1)", rewritten, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deterministic_calls_are_recognised()
    {
        var answer = await Evaluate<List<object?>>("""
            import base64, datetime, re
            from embedded_python_autokitteh.durable import is_deterministic as d
            m = re.match("a", "a")
            answer = [d(base64.b64decode), d(datetime.datetime.now), d(datetime.datetime.strptime), d([].append), d(m.group)]
            """);

        Assert.Equal([true, false, true, true, true], answer);
    }

    [Fact]
    public async Task Activities_are_decided_by_origin_marker_and_state()
    {
        var answer = await Evaluate<List<object?>>("""
            import random, re
            import autokitteh
            from durable_rules_fixture import local, marked

            decide = durable.should_run_as_activity
            with durable.loading():
                while_loading = decide(random.random)
            answer = [while_loading, decide(random.random), decide(local), decide(marked), decide(re.compile),
                      decide(autokitteh.AttrDict({"a": 1}).get)]
            durable._local.in_activity = True
            answer.append(decide(marked))
            durable._local.in_activity = False
            """);

        Assert.Equal([false, true, false, true, false, false, false], answer);
    }

    [Fact]
    public async Task Functions_are_named_by_module_class_and_method()
    {
        var answer = await Evaluate<List<object?>>("""
            import pickle
            from embedded_python_autokitteh.durable import full_name, short_name

            class Greeter:
                def __call__(self):
                    pass
                def greet(self):
                    pass

            def plain():
                pass

            answer = [full_name(plain), full_name(Greeter()), full_name(Greeter().greet), short_name(pickle.dumps)]
            """);

        Assert.Equal(["__main__.plain", "__main__.Greeter", "__main__.Greeter.greet", "dumps"], answer);
    }

    [Fact]
    public async Task Exceptions_survive_pickling_as_their_own_class()
    {
        var answer = await Evaluate<List<object?>>("""
            import pickle
            from embedded_python_autokitteh.errors import picklable
            from durable_rules_fixture import HoldsStream, KeywordOnly, WithResponse

            answer = []
            for error in [WithResponse("m", 1), KeywordOnly("m", response=2, body="b"), HoldsStream("m")]:
                back = pickle.loads(pickle.dumps(picklable(error)))
                try:
                    raise back
                except type(error) as caught:
                    answer.append([caught.args[0], getattr(caught, "response", None), getattr(caught, "stream", "absent")])
            """, durable: false);

        Assert.Equal(3, answer.Count);
        Assert.Equal(["m", 1L, "absent"], (List<object?>)answer[0]!);
        Assert.Equal(["m", 2L, "absent"], (List<object?>)answer[1]!);
        Assert.Equal(["m", null, null], (List<object?>)answer[2]!);
    }

    private static int CountOf(string text, string part) =>
        (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
