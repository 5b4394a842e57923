import asyncio
import threading

from ompy.appmanager.variables import TASK_PARAMS


def worker():
    print("thread sees pid", TASK_PARAMS["pid"])


thread = threading.Thread(target=worker)
thread.start()
thread.join()


async def main():
    await asyncio.sleep(0.01)
    return TASK_PARAMS["scriptParams"]["n"] * 2


print("asyncio.run gave", asyncio.run(main()))
