"""Configs as JSON-able specs, {"class_name": ..., "config": {...}}, for losses, optimizers and
schedules: what model files store. Rebuilding accepts only the classes it is given."""

from __future__ import annotations

from ._validation import fail


def config_repr(obj) -> str:
    """ClassName(key=value, ...) from get_config(): what users see in tracebacks and
    notebooks."""
    args = ", ".join(f"{k}={v!r}" for k, v in obj.get_config().items())
    return f"{type(obj).__name__}({args})"


def to_spec(obj) -> dict:
    return {"class_name": type(obj).__name__, "config": obj.get_config()}


def from_spec(spec: object, classes: dict[str, type], argument: str, what: str):
    """The object `spec` names, rebuilt with `cls.from_config(config)` when the class has one,
    else `cls(**config)`; a class not in `classes` is refused with a message naming `argument`."""
    cls = classes.get(spec.get("class_name")) if isinstance(spec, dict) else None
    if cls is None:
        fail(argument, f"a saved {what} naming one of {sorted(classes)}", spec)
    config = spec.get("config", {})
    return cls.from_config(config) if hasattr(cls, "from_config") else cls(**config)


def resolve(identifier: object, base: type, names: dict[str, type], classes: dict[str, type],
            argument: str, what: str):
    """An optional argument given as None, an instance of `base`, a saved spec, or one of
    Keras's `names` -> the instance (None stays None)."""
    if identifier is None or isinstance(identifier, base):
        return identifier
    if isinstance(identifier, dict):
        return from_spec(identifier, classes, argument, what)
    if not isinstance(identifier, str) or identifier not in names:
        fail(argument, f"one of {sorted(names)}, a numnet.{what}s.{base.__name__} or None",
             identifier)
    return names[identifier]()
