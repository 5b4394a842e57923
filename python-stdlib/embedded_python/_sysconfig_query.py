"""Run as a script by discovery's last resort (src/EmbeddedPython/Locating/InterpreterLibrary.cs) when the
files of an interpreter do not tell where its shared library is: prints, one per line, the minor version,
the prefix of the standard library, LIBDIR, MULTIARCH, INSTSONAME, LDLIBRARY and Py_ENABLE_SHARED."""
import sys
import sysconfig

value = sysconfig.get_config_var
print(sys.version_info[1])
print(sys.base_prefix)
for name in ("LIBDIR", "MULTIARCH", "INSTSONAME", "LDLIBRARY"):
    print(value(name) or "")
print(value("Py_ENABLE_SHARED") or 0)
