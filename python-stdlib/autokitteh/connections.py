"""Connection helpers that the autokitteh worker answers: GitHub-app JWTs and OAuth token refresh."""

from . import _bindings


def encode_jwt(payload, connection, algorithm="RS256"):
    """A JWT of ``payload`` (claims as integers) signed with the connection's key."""
    return _bindings.call("encode_jwt", dict(payload), connection, algorithm)


def refresh_oauth(integration, connection):
    """A fresh OAuth access token of a connection and the time it expires: (token, expiry)."""
    token, expires = _bindings.call("refresh_oauth", integration, connection)
    return token, expires
