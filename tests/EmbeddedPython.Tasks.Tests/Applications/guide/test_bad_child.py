from ompy.appmanager.communication import AmScriptError, run_am_script

for script in ("module1.py", "no_such_script.py", "../other/main.py"):
    try:
        run_am_script(script, {})
    except AmScriptError as error:
        print("refused:", error)
