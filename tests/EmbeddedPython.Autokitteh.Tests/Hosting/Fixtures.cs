namespace EmbeddedPython.Autokitteh.Tests.Hosting;

/// <summary>The observed fixture of spec §2.2/§7.1.4 (our own file): handlers at known lines.</summary>
internal static class Fixtures
{
    public const string Program = """
        import json


        def on_event(event):
            print("event_type:", event.event_type, "event_id:", event.event_id)
            print("data:", json.dumps(dict(event.data), sort_keys=True))
            return {"answer": 42, "items": [1, 2.5, "x", None, True]}


        def with_session(event, session_id):
            print("session:", session_id)
            return session_id


        def body(event):
            return event.data.body.bytes


        async def on_async(event):
            return 7


        class Greeter:
            def __init__(self, name, greeting="hi", *rest, flag=False, **kw):
                self.name = name


        def add(a, b, /, c, *args, d=1, **kw):
            return a + b + c


        square = lambda n: n * n
        """;

    public const string Event = """{"data": {"k": "v", "n": 1}, "session_id": "ses_01", "event_id": "evt_01", "event_type": "post"}""";
}
