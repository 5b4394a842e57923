# Test plugin whose symbols fail: their errors must stay on their own channel.
from ekuiper import plugin, PluginConfig
from faultysyms import Bad, Fragile, Explode, Slow, Verbose, Wordy

if __name__ == '__main__':
    plugin.start(PluginConfig("faulty", {"bad": Bad, "wordy": Wordy}, {"fragile": Fragile}, {"explode": Explode, "slow": Slow, "verbose": Verbose}))
