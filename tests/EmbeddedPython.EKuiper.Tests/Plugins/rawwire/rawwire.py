# Test plugin with nothing but a name: its control channel's bytes are checked on a raw UNIX socket.
from ekuiper import plugin, PluginConfig

if __name__ == '__main__':
    plugin.start(PluginConfig("rawwire", {}, {}, {}))
