"""The Python half of the NativeAOT sample: plain functions the C# side calls with typed results."""

import asyncio
import enum
import statistics


class Tier(enum.Enum):
    BRONZE = 1
    SILVER = 2
    GOLD = 3


def summarise(customer, amounts):
    """A dict the C# side reads as a record (by member name)."""
    return {
        "customer": customer,
        "total": sum(amounts),
        "mean": statistics.fmean(amounts),
        "largest": sorted(amounts, reverse=True)[:2],
        "tier": tier_of(sum(amounts)).name,
    }


def tier_of(total):
    return Tier.GOLD if total >= 100 else Tier.SILVER if total >= 50 else Tier.BRONZE


def apply_discount(discount, amounts):
    """Calls a .NET delegate for each amount."""
    return [discount(amount) for amount in amounts]


async def look_up_all(look_up, ids):
    """Awaits a Task-returning .NET delegate from a coroutine, all at once."""
    return list(await asyncio.gather(*(look_up(i) for i in ids)))


def countdown(start):
    """A generator: each value reaches C# as one item of an async stream."""
    for value in range(start, 0, -1):
        yield value


def recent_orders():
    """Records inside records and lists: each level converts by member name."""
    return [
        {"id": 7, "customer": {"name": "ada", "tier": "GOLD"}, "lines": [{"product": "tea", "quantity": 2}]},
        {"id": 8, "customer": {"name": "alan", "tier": 1}, "lines": []},
    ]
