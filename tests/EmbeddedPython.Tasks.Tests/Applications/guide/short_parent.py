from ompy.appmanager.communication import run_am_script

print("child", run_am_script("long_child.py"))
