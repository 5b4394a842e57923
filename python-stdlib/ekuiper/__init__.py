"""Drop-in for eKuiper's Python plugin SDK, served by the EmbeddedPython .NET host.

Plugins import from the same paths as with the original SDK (``from ekuiper import plugin, PluginConfig,
Source, Sink, Function, Context``); the nng channels to eKuiper are run by the .NET host, which calls into
``ekuiper.runtime.host``. The differences from the original are listed in the EmbeddedPython.EKuiper README.
"""

from ekuiper.function import Function
from ekuiper.runtime import plugin
from ekuiper.runtime.context import Context
from ekuiper.runtime.plugin import PluginConfig
from ekuiper.sink import Sink
from ekuiper.source import Source

__all__ = ["plugin", "PluginConfig", "Source", "Sink", "Function", "Context"]

name = "ekuiper"
