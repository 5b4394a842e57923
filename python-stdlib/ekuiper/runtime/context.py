from abc import ABC, abstractmethod


class Context(ABC):
    """What a symbol knows about the rule it runs in, and how it talks back to eKuiper."""

    @abstractmethod
    def get_rule_id(self) -> str:
        pass

    @abstractmethod
    def get_op_id(self) -> str:
        pass

    @abstractmethod
    def get_instance_id(self) -> int:
        pass

    @abstractmethod
    def get_logger(self):
        pass

    @abstractmethod
    def emit(self, message: dict, meta: dict):
        pass

    @abstractmethod
    def emit_error(self, error: str):
        pass

    @abstractmethod
    def ack_ok(self):
        pass

    @abstractmethod
    def ack_error(self, error: str):
        pass
