import sys

from ompy.appmanager.variables import TASK_PARAMS

print("exiting with", TASK_PARAMS["scriptParams"].get("code", 3))
sys.exit(TASK_PARAMS["scriptParams"].get("code", 3))
