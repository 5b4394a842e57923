"""Every shape the generator maps, in one module: the sample's Program.cs calls each through IAnalytics."""
from __future__ import annotations

import asyncio
import importlib.util
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Iterator, Literal, Optional

if TYPE_CHECKING:
    import numpy as np


@dataclass
class Reading:
    """One sensor reading."""
    sensor: str
    value: float
    unit_name: str = "C"


def summarise(readings: list[Reading]) -> Reading:
    """The mean of the readings, as a reading of the first sensor."""
    values = [r.value for r in readings]
    return Reading(sensor=readings[0].sensor, value=sum(values) / len(values))


def hottest(readings: list[Reading], above: Optional[float] = None) -> Optional[Reading]:
    """The hottest reading, or None when none is above `above`."""
    best = max(readings, key=lambda r: r.value)
    return best if above is None or best.value > above else None


def min_max(values: list[float]) -> tuple[float, float]:
    """The smallest and the largest value."""
    return min(values), max(values)


def scale(reading: Reading, factor: float = 2.0, mode: Literal["multiply", "add"] = "multiply") -> Reading:
    """A reading built from a dataclass argument: the C# record arrives as a real Reading."""
    value = reading.value * factor if mode == "multiply" else reading.value + factor
    return Reading(reading.sensor, value, reading.unit_name)


async def fetch_reading(sensor: str, delay: float = 0.05) -> Reading:
    """An async function: awaited on the interpreter's event loop."""
    await asyncio.sleep(delay)
    return Reading(sensor, 21.5)


def countdown(start: int) -> Iterator[int]:
    """A generator: streamed to C# as IAsyncEnumerable<long>."""
    while start > 0:
        yield start
        start -= 1


def numpy_available() -> bool:
    """Whether numpy can be imported by this interpreter."""
    return importlib.util.find_spec("numpy") is not None


def moving_average(values: Annotated[np.ndarray, np.float64], window: int = 3) -> Annotated[np.ndarray, np.float64]:
    """A numpy function: the C# array arrives as a buffer, the result comes back as PythonBuffer<double>."""
    import numpy as np

    data = np.asarray(values, dtype=np.float64)
    return np.convolve(data, np.ones(window) / window, mode="valid")
