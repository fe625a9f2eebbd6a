"""What trains a model: the Trainer (compile/fit/evaluate/predict loops), one Step, the data
adapters every kind of input goes through, the input checks and the non-finite policy."""

from .trainer import Trainer

__all__ = ["Trainer"]
