import math

from ompy.appmanager.variables import TASK_PARAMS

n = TASK_PARAMS['scriptParams']['factorial']
print(f"child of {TASK_PARAMS['parentPid']}: {n}! = {math.factorial(n)}")
