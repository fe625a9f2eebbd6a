"""What compile() chose, per model output: its loss, loss weight and metrics, and the names
they are logged under (Keras's: `loss`, and with several outputs `<output>_loss`,
`<output>_<metric>`).

    compile(loss="mse")                       every output: MSE
    compile(loss=["cce", "mse"])              by position
    compile(loss={"cls": "cce", "reg": "mse"}, loss_weights={"cls": 1.0, "reg": 0.5},
            metrics={"cls": ["accuracy"]})    by output name
"""

from __future__ import annotations

from .. import losses
from .. import metrics as metrics_module
from .._validation import fail
from .inputs import entries_by_name


def _per_output(argument: str, value, names: list[str], default, allow_single: bool) -> list:
    """`value` given once, as a list (by position) or as a dict (by output name) -> one
    entry per output."""
    if isinstance(value, dict):
        return entries_by_name(value, names, argument, "output name")
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ValueError(f"{argument} must be a list of {len(names)} entries, one per "
                             f"output {names}, or a dict keyed by those names. Received: "
                             f"{argument} with {len(value)} entries")
        return list(value)
    if not allow_single and value is not None:
        fail(argument, f"a list or dict with one entry per output {names}", value, TypeError)
    return [value if value is not None else default] * len(names)


class Compiled:
    """The losses, loss weights and metrics of a model with outputs named `output_names`."""

    def __init__(self, output_names: list[str], loss, metrics=None, loss_weights=None) -> None:
        self.output_names = list(output_names)
        several = len(self.output_names) > 1
        if loss is None:
            fail("loss", "a loss name such as 'categorical_crossentropy' or a Loss", loss)
        self.losses = [losses.get(spec) for spec in _per_output(
            "loss", loss, self.output_names, None, allow_single=True)]
        weights = _per_output("loss_weights", loss_weights, self.output_names, 1.0,
                              allow_single=True)
        for weight in weights:
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
                fail("loss_weights", "non-negative numbers, one per output", loss_weights)
        self.loss_weights = [float(w) for w in weights]
        metrics = [] if metrics is None else metrics
        if several and isinstance(metrics, (list, tuple)) and metrics and all(
                isinstance(m, str) for m in metrics):
            raise ValueError(f"metrics must be a dict keyed by output names {self.output_names} "
                             f"or a list of lists, one per output, for a model with several "
                             f"outputs. Received: metrics={metrics!r}")
        if several and isinstance(metrics, (list, tuple)) and not metrics:
            metrics = [[] for _ in self.output_names]
        if isinstance(metrics, dict):  # outputs without metrics may be left out (Keras)
            metrics = {**{name: [] for name in self.output_names}, **metrics}
        per_output = (_per_output("metrics", metrics, self.output_names, [],
                                  allow_single=False)
                      if several or isinstance(metrics, dict) else [metrics])
        self.metric_specs = per_output
        # (log name, output index, metric name, metric function), in compile order
        self.metrics: list[tuple[str, int, str, object]] = []
        for output, (names, loss_) in enumerate(zip(per_output, self.losses)):
            names = [] if names is None else names
            if isinstance(names, str) or not isinstance(names, (list, tuple)):
                fail("metrics", "a list of metric names such as ['accuracy']", names, TypeError)
            for name in names:
                log = f"{self.output_names[output]}_{name}" if several else name
                self.metrics.append((log, output, name, metrics_module.get(name, loss_)))
        self.output_loss_names = ([f"{name}_loss" for name in self.output_names]
                                  if several else [])

    @property
    def log_names(self) -> list[str]:
        """Every name a batch's logs hold, sorted (Keras's order of logs)."""
        return sorted({"loss", *self.output_loss_names, *(m[0] for m in self.metrics)})

    @property
    def result_order(self) -> list[str]:
        """evaluate()'s list order: loss, each output's loss, then the metrics."""
        return ["loss", *self.output_loss_names, *(m[0] for m in self.metrics)]

    def metric_direction(self, log_name: str) -> str | None:
        """"max" or "min" for a metric's log name (for callbacks' mode="auto"), else None."""
        for log, _, name, _ in self.metrics:
            if log == log_name:
                return metrics_module.direction(name)
        return None
