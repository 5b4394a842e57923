# Test plugin: a source that emits numbered tuples and a sink that records what it gets, for throughput and loss checks.
from ekuiper import plugin, PluginConfig
from relaysyms import Counter, Collector

if __name__ == '__main__':
    plugin.start(PluginConfig("relay", {"counter": Counter}, {"collector": Collector}, {}))
