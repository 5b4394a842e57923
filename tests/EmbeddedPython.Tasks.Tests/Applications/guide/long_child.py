import time

from ompy.appmanager.variables import TASK_PARAMS

time.sleep(1.0)
print("child still here after its parent, parent was", TASK_PARAMS["parentPid"])
