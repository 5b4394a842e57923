from ompy.appmanager.variables import TASK_PARAMS

n = TASK_PARAMS["scriptParams"]["n"]
total = sum(range(n + 1))
print(f"task {n}: {TASK_PARAMS['pid']} sum={total}")
