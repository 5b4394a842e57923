from lib3 import describe
from ompy.appmanager.variables import TASK_PARAMS

print(describe(TASK_PARAMS["scriptParams"]))
