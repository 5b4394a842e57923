import math

from ompy.appmanager.communication import connect_to_task
from ompy.appmanager.variables import TASK_PARAMS

with connect_to_task(TASK_PARAMS["parentPid"]) as soc:
    soc.sync_send_text_message(str(math.factorial(TASK_PARAMS["scriptParams"]["factorial"])))
    print("parent replied", soc.sync_read_text_message(timeout=10))
