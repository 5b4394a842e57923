from .. import b
from ..a import value_from_b

parent_value = b.value + "|" + value_from_b + "|" + __name__
