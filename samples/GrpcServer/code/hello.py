"""Functions the sample serves as entry points, and an autokitteh handler."""


def greet(name, punctuation="!"):
    return f"Hello, {name}{punctuation}"


def on_event(event):
    print("got", event.event_type, "with", dict(event.data))
    return {"greeting": greet(event.data.get("name", "world"))}
