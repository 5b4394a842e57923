import asyncio


async def main():
    print("awaiting")
    await asyncio.sleep(120)
    print("done awaiting")


asyncio.run(main())
