from ompy.appmanager.communication import run_am_script
from ompy.appmanager.variables import TASK_PARAMS

child_pid = run_am_script('test_child.py', {'factorial': 5})
print(f"parent {TASK_PARAMS['pid']} started child {child_pid}")
