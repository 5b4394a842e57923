"""Which libpython a benchmark process runs: the executor's and Python.NET's processes must run the same one."""


def loaded_libpython():
    """The path of the libpython3 mapped into this process (Linux /proc/self/maps), or '' when none is."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split(None, 5)
            if len(fields) == 6 and "/libpython3" in fields[5]:
                return fields[5].strip()
    return ""
