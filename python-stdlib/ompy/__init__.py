"""Drop-in for the Application Manager's Python API, backed by the EmbeddedPython task host.

User scripts import ``ompy.appmanager.variables`` (``TASK_PARAMS``), ``ompy.appmanager.communication``
(``run_am_script``, ``wait_for_socket_from_web``) and ``ompy.appmanager.observer``
(``read_json_from_observer``). The machinery behind them lives in ``ompy._tasks`` and is driven by the
.NET side (``EmbeddedPython.Tasks``), which calls the functions of its "host's side" section.
"""
