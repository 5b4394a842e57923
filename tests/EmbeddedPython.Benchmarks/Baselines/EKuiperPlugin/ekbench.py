# The plugin both sides of the eKuiper benchmark run unchanged: in the EmbeddedPython host, and as a python3
# process on eKuiper's own SDK. The plugin's name (its control channel) is the second argument, so that the two
# can run side by side: ekbench.py '{"sendTimeout":1000}' <name>.
import sys

from ekuiper import plugin, PluginConfig
from ekbenchsyms import Acker, Counter

if __name__ == '__main__':
    name = sys.argv[2] if len(sys.argv) > 2 else "ekbench"
    plugin.start(PluginConfig(name, {"counter": Counter}, {"acker": Acker}, {}))
