"""model.summary()'s table: one row per layer, Keras's columns."""

from __future__ import annotations

HEADERS = ("Layer (type)", "Output Shape", "Param #", "Connected to")


def print_summary(model, rows: list[tuple[str, ...]], print_fn, connected: bool) -> None:
    """Print `rows` (name (type), output shape, parameter count, connected to) as a table,
    then the parameter totals; without `connected`, the last column is left out."""
    columns = 4 if connected else 3
    rows = [row[:columns] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) + 2
              for i, h in enumerate(HEADERS[:columns])]
    line_length = sum(widths)

    def line(cells):
        text = f"{cells[0]:<{widths[0]}}{cells[1]:<{widths[1]}}{cells[2]:>{widths[2] - 2}}"
        return text + (f"  {cells[3]}" if connected else "")

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    print_fn(line(HEADERS))
    print_fn("=" * line_length)
    for i, row in enumerate(rows):
        print_fn(line(row))
        print_fn(("_" if i < len(rows) - 1 else "=") * line_length)
    trainable = sum(p.size for layer in model.layers if layer.trainable
                    for p in layer.params.values())
    print_fn(f"Total params: {model.count_params():,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {model.count_params() - trainable:,}")
