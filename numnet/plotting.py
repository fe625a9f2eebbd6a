"""Plots: training history (like R's plot(history)) and the layer graph (like plot_model).

matplotlib is imported inside the functions, and only its object-oriented Figure API is used
(no pyplot state, no GUI backend): it works headless, and figures are freed with the object.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from ._validation import fail
from .files import atomic_write


def plot_history(history, path: str | os.PathLike | None = None, *,
                 metrics: list[str] | None = None):
    """Loss and metrics per epoch, training and validation, one panel per quantity.

    history: the History that fit returns, or its `.history` dict.
    path: save a PNG there (atomically) when given.
    Returns the matplotlib Figure.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        fail("history", "a History from fit or its non-empty .history dict", history, TypeError)
    epochs = list(getattr(history, "epoch", [])) or list(range(len(next(iter(logs.values())))))
    names = metrics or [k for k in logs if not k.startswith("val_") and k != "learning_rate"]
    missing = [n for n in names if n not in logs]
    if missing:
        fail("metrics", f"names from {sorted(logs)}", missing)
    figure = Figure(figsize=(7, 2.6 * len(names)), layout="constrained")
    axes = figure.subplots(len(names), 1, sharex=True, squeeze=False)[:, 0]
    x = [e + 1 for e in epochs]
    for ax, name in zip(axes, names):
        ax.plot(x, logs[name], "o-", ms=3, label="training")
        if f"val_{name}" in logs:
            ax.plot(x, logs[f"val_{name}"], "s-", ms=3, label="validation")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize="small")
    axes[-1].set_xlabel("epoch")
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    if path is not None:
        _save_png(figure, path)
    return figure


def model_to_dot(model, show_shapes: bool = True, show_layer_names: bool = True) -> str:
    """The layer graph as Graphviz DOT text: a box per layer, an arrow per tensor."""
    lines = ["digraph model {", '  node [shape=record, fontname="Helvetica", fontsize=11];']
    boxes, edges = _layer_graph(model, show_layer_names)
    for index, (label, shape_in, shape_out, _) in enumerate(boxes):
        text = label.replace("{", r"\{").replace("}", r"\}").replace("|", r"\|")
        if show_shapes:
            text = f"{{{text}|{{input:|output:}}|{{{shape_in}|{shape_out}}}}}"
        lines.append(f'  layer{index} [label="{text}"];')
    lines += [f"  layer{a} -> layer{b};" for a, b in edges]
    lines.append("}")
    return "\n".join(lines)


def plot_model(model, to_file: str | os.PathLike = "model.png", show_shapes: bool = True,
               show_layer_names: bool = True, dpi: int = 96) -> str:
    """Draw the model's layer graph top to bottom into `to_file` (PNG) and return its path.

    With Graphviz's `dot` on PATH the DOT text is rendered by it; otherwise matplotlib draws
    the same boxes and arrows (a row per depth in the graph). No pydot needed.
    """
    model.require_built("graph to plot")
    to_file = os.fspath(to_file)
    dot = shutil.which("dot")
    if dot:
        rendered = subprocess.run([dot, "-Tpng", f"-Gdpi={dpi}"], check=True, capture_output=True,
                                  input=model_to_dot(model, show_shapes, show_layer_names).encode())
        with atomic_write(to_file) as handle:
            handle.write(rendered.stdout)
        return to_file
    from matplotlib.figure import Figure

    boxes, edges = _layer_graph(model, show_layer_names)
    depth_count = max(box[3] for box in boxes) + 1
    rows: dict[int, list[int]] = {}
    for index, box in enumerate(boxes):
        rows.setdefault(box[3], []).append(index)
    width = max(len(r) for r in rows.values())
    where = {index: ((position + 0.5) / len(members), depth)
             for depth, members in rows.items() for position, index in enumerate(members)}
    figure = Figure(figsize=(4.2 * width, 0.9 * depth_count + 0.3), dpi=dpi)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(depth_count - 0.4, -0.6)
    ax.axis("off")
    for index, (label, shape_in, shape_out, _) in enumerate(boxes):
        text = f"{label}\ninput: {shape_in}   output: {shape_out}" if show_shapes else label
        ax.text(*where[index], text, ha="center", va="center", fontsize=9, family="sans-serif",
                bbox={"boxstyle": "round,pad=0.4", "fc": "#eef3fb", "ec": "#4a6fa5"})
    for a, b in edges:
        (xa, ya), (xb, yb) = where[a], where[b]
        skip = yb - ya > 1  # an edge past other boxes bends around them
        ax.annotate("", xy=(xb + 0.2 * skip / width, yb - 0.32 * (not skip)),
                    xytext=(xa + 0.2 * skip / width, ya + 0.32 * (not skip)),
                    arrowprops={"arrowstyle": "->", "color": "#4a6fa5",
                                "connectionstyle": f"arc3,rad={-0.3 if skip else 0}"})
    _save_png(figure, to_file)
    return to_file


def _layer_graph(model, show_layer_names: bool):
    """-> (boxes: (label, input shape, output shape, depth) per layer in topological order,
    edges: (from box, to box) per tensor a layer reads)."""
    index: dict[int, int] = {}
    boxes, edges = [], []
    for node in model.nodes:
        layer = node.layer
        if id(layer) not in index:
            kind = type(layer).__name__
            if getattr(layer, "activation", None) is not None and kind in ("Dense", "Conv2D"):
                kind += f", {layer.get_config()['activation']}"
            label = f"{layer.name} ({kind})" if show_layer_names else kind
            index[id(layer)] = len(boxes)
            boxes.append([label, str(layer.input_shape), str(layer.output_shape), 0])
        target = index[id(layer)]
        for tensor in node.inputs:
            source = index[id(tensor.layer)]
            edges.append((source, target))
            boxes[target][3] = max(boxes[target][3], boxes[source][3] + 1)
    return [tuple(box) for box in boxes], list(dict.fromkeys(edges))


def _save_png(figure, path) -> None:
    directory = os.path.dirname(os.fspath(path))
    if directory:
        os.makedirs(directory, exist_ok=True)
    with atomic_write(path) as handle:
        figure.savefig(handle, format="png")
