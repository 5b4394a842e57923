# Prints the python executable of the interpreter the tasks run in, for the tests' plain-Python comparison.
import os
import sys

print(os.path.join(sys.base_prefix, "bin", "python%d.%d" % sys.version_info[:2]))
