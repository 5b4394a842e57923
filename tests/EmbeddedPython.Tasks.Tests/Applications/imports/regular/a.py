from . import b
from .b import value

value_from_b = b.value + "/" + value
