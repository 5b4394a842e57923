from typing import Any, List

from ekuiper import Function, Context


class RevertFunc(Function):
    """revert(col): the string reversed."""

    def validate(self, args: List[Any]):
        return ""

    def exec(self, args: List[Any], ctx: Context):
        return args[0][::-1]

    def is_aggregate(self):
        return False


revertIns = RevertFunc()
