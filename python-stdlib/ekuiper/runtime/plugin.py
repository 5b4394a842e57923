"""The plugin's entry point: ``plugin.start(PluginConfig(...))`` from the script's ``__main__``."""

import logging
import sys


class PluginConfig:
    """The plugin's name and its symbols: for sources, sinks and functions a dict of symbol name to a
    zero-argument factory that returns the instance to use."""

    def __init__(self, name: str, sources: dict, sinks: dict, functions: dict):
        self.name = name
        self.sources = sources
        self.sinks = sinks
        self.functions = functions

    def get(self, plugin_type: str, symbol_name: str):
        """The factory of a symbol: KeyError for an unknown name of a known type, None for an unknown type."""
        from ekuiper.runtime import shared
        if plugin_type == shared.TYPE_SOURCE:
            return self.sources[symbol_name]
        if plugin_type == shared.TYPE_SINK:
            return self.sinks[symbol_name]
        if plugin_type == shared.TYPE_FUNC:
            return self.functions[symbol_name]
        return None


def start(config: PluginConfig):
    """Hands the plugin to the .NET host, which then serves eKuiper's commands for it.

    Unlike the original SDK this returns at once: the host's own threads run the control channel, so the
    interpreter stays free for the plugin's symbols and for other plugins.
    """
    root = logging.getLogger()
    if not any(getattr(h, "_ekuiper", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s - %(pathname)s[line:%(lineno)d] - %(levelname)s: %(message)s"))
        handler._ekuiper = True
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    from ekuiper.runtime import host
    host.register(config)
