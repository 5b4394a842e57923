import json
import os

from ompy.appmanager.variables import TASK_PARAMS

print(json.dumps(TASK_PARAMS, sort_keys=True))
with open(os.path.join(TASK_PARAMS["outputPath"], "result.txt"), "w") as result:
    result.write("written by " + TASK_PARAMS["pid"])
