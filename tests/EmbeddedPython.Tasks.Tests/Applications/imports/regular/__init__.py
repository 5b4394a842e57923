from .b import value as value_from_init
