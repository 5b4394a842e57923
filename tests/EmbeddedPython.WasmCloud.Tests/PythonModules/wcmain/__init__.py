"""Main module in the original provider's layout: main(command, params) reloads the dispatch module on
"reload" and otherwise hands the call to it."""

import importlib

from . import dispatch

print("wcmain loaded")


def main(command, params):
    global dispatch
    if command == "reload":
        dispatch = importlib.reload(dispatch)
        return True
    return dispatch.handle(command, params["arg"])
