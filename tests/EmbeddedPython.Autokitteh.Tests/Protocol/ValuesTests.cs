using AkValue = Autokitteh.Values.V1.Value;

namespace EmbeddedPython.Autokitteh.Tests.Protocol;

/// <summary>Python values rendered as autokitteh Values (spec §1.5, §7.5), through the real interpreter.</summary>
[Collection(PythonCollection.Name)]
public sealed class ValuesTests(SharedPython python)
{
    private async Task<AkValue> Render(string expression)
    {
        var result = await python.Executor.ExecuteAsync(new PythonRequest
        {
            Code = $$"""
                import collections, datetime, threading
                from embedded_python_autokitteh.values import to_tagged

                class C:
                    def __init__(self):
                        self.a, self.b, self._hidden = 1, "meow", 0

                class D:
                    __slots__ = ("a", "b")
                    def __init__(self):
                        self.a, self.b = 1, "meow"

                Point = collections.namedtuple("Point", ["x", "y"])
                tagged = to_tagged({{expression}})
                """,
            LimitReturnTo = ["tagged"],
        });
        return AutokittehValues.FromTagged(result.Values["tagged"]);
    }

    [Fact]
    public async Task Scalars_map_to_their_kinds()
    {
        Assert.NotNull((await Render("None")).Nothing);
        Assert.True((await Render("True")).Boolean.V);
        Assert.False((await Render("False")).Boolean.V);
        Assert.Equal(1, (await Render("1")).Integer.V);
        Assert.Equal(1.0, (await Render("1.0")).Float.V);
        Assert.Equal("meow", (await Render("'meow'")).String.V);
        Assert.Equal("9223372036854775808", (await Render("2**63")).BigInteger.V);
    }

    [Fact]
    public async Task Containers_map_to_list_set_and_dict()
    {
        Assert.Equal([1L, 2L, 3L], (await Render("[1, 2, 3]")).List.Vs.Select(v => v.Integer.V));
        Assert.Equal([1L, 2L, 3L], (await Render("(1, 2, 3)")).List.Vs.Select(v => v.Integer.V));
        Assert.Equal([1L, 2L, 3L], (await Render("{1, 2, 3}")).Set.Vs.Select(v => v.Integer.V).Order());
        var dict = (await Render("{'a': 1, 'b': 2}")).Dict.Items;
        Assert.Equal([("a", 1L), ("b", 2L)], dict.Select(i => (i.K.String.V, i.V.Integer.V)));
    }

    [Fact]
    public async Task Durations_and_times_map_to_seconds_and_nanos()
    {
        Assert.Equal(86_400, (await Render("datetime.timedelta(days=1)")).Duration.V.Seconds);
        var time = (await Render("datetime.datetime.fromtimestamp(1663595726, datetime.timezone.utc)")).Time.V;
        Assert.Equal((1663595726L, 0), (time.Seconds, time.Nanos));
    }

    [Theory]
    [InlineData("C()", "C")]
    [InlineData("D()", "D")]
    public async Task Objects_map_to_structs_of_their_public_attributes(string expression, string ctor)
    {
        var value = (await Render(expression)).Struct;

        Assert.Equal(ctor, value.Ctor.String.V);
        Assert.Equal(["a", "b"], value.Fields.Keys.Order());
        Assert.Equal(1, value.Fields["a"].Integer.V);
        Assert.Equal("meow", value.Fields["b"].String.V);
    }

    [Fact]
    public async Task A_namedtuple_maps_to_a_struct_with_its_fields()
    {
        var value = (await Render("Point(y=2, x=1)")).Struct;

        Assert.Equal("Point", value.Ctor.String.V);
        Assert.Equal((1L, 2L), (value.Fields["x"].Integer.V, value.Fields["y"].Integer.V));
    }

    [Fact]
    public async Task A_value_without_a_rule_maps_to_an_unhandled_type_struct()
    {
        var value = (await Render("threading.Lock()")).Struct;

        Assert.Equal("__unhandled_type", value.Ctor.String.V);
        Assert.Equal(["repr", "type"], value.Fields.Keys.Order());
        Assert.Equal("<class '_thread.lock'>", value.Fields["type"].String.V);
    }

    [Fact]
    public async Task A_value_that_contains_itself_stops_at_a_recursive_value_struct()
    {
        var outer = (await Render("(lambda c: (setattr(c, 'me', c), c)[1])(C())")).Struct;

        Assert.Equal("__recursive_value", outer.Fields["me"].Struct.Ctor.String.V);
    }
}
