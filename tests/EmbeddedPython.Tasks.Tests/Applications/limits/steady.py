import time

from ompy.appmanager.variables import TASK_PARAMS

for i in range(TASK_PARAMS["scriptParams"].get("steps", 5)):
    print("step", i)
    time.sleep(0.2)
print("steady done")
