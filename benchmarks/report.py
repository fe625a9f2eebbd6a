"""Print the ratios of one benchmark run, from pytest-benchmark's JSON.

    pytest benchmarks --benchmark-json=bench.json
    python benchmarks/report.py bench.json [--markdown]

All ratios compare medians measured side by side in that one run.
"""

from __future__ import annotations

import argparse
import json
import platform

TARGETS = [
    # (label, numerator, denominator, target text, passes(ratio))
    ("numnet epoch / GEMM-only floor", "epoch numnet-numba", "epoch gemm-floor", "<= 1.25",
     lambda r: r <= 1.25),
    ("PyTorch eager epoch / numnet epoch", "epoch torch-eager", "epoch numnet-numba", ">= 3.5",
     lambda r: r >= 3.5),
    ("Keras/TF epoch / numnet epoch", "epoch keras-tensorflow", "epoch numnet-numba", ">= 4.5",
     lambda r: r >= 4.5),
    ("numnet NumPy-backend epoch / Numba-backend epoch", "epoch numnet-numpy",
     "epoch numnet-numba", ">= 2", lambda r: r >= 2),
    ("PyTorch inference / numnet inference (10k images)", "inference torch-eager",
     "inference numnet-numba", "> 1", lambda r: r > 1),
    ("Keras inference / numnet inference (10k images)", "inference keras-tensorflow",
     "inference numnet-numba", "-", lambda r: True),
]
EXTRAS = [
    ("numnet epoch / GEMM floor, interleaved pairs (median)",
     "epoch numnet-numba / gemm-floor, interleaved", "numnet_over_floor_median", "<= 1.25",
     lambda v: v <= 1.25),
    ("import numnet (s, median of 7 processes)", "process import-numnet", "import_seconds_median",
     "<= 0.3", lambda v: v <= 0.3),
    ("peak RSS of examples/mnist_mlp.py (MiB)", "process mnist-example-1-epoch", "peak_rss_mib",
     "<= 300", lambda v: v <= 300),
    ("first epoch of a second process / steady epoch", "process second-run-4-epochs",
     "first_over_steady", "<= 1.2", lambda v: v <= 1.2),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json_file")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args()
    with open(args.json_file) as handle:
        run = json.load(handle)
    by_name = {b["name"]: b for b in run["benchmarks"]}
    median = {name: b["stats"]["median"] for name, b in by_name.items()}
    info = run.get("machine_info", {})
    print(f"machine: {info.get('cpu', {}).get('brand_raw', platform.processor())}, "
          f"{info.get('cpu', {}).get('count', '?')} cores, Python {info.get('python_version')}")
    rows = [("group / name", "median (s)", "")]
    for name in sorted(median, key=lambda n: (by_name[n]["group"] or "", median[n])):
        rows.append((name, f"{median[name]:.4f}", by_name[name]["group"] or ""))
    table("Medians", rows, args.markdown)
    rows = [("ratio", "value", "target", "met")]
    for label, top, bottom, target, ok in TARGETS:
        if top in median and bottom in median:
            ratio = median[top] / median[bottom]
            rows.append((label, f"{ratio:.2f}x", target, "yes" if ok(ratio) else "NO"))
        else:
            rows.append((label, "not run", target, "-"))
    for label, name, key, target, ok in EXTRAS:
        value = by_name.get(name, {}).get("extra_info", {}).get(key)
        rows.append((label, "not run" if value is None else f"{value:.3g}", target,
                     "-" if value is None else ("yes" if ok(value) else "NO")))
    table("Ratios (same run)", rows, args.markdown)


def table(title: str, rows: list[tuple], markdown: bool) -> None:
    print(f"\n{title}")
    if markdown:
        print("| " + " | ".join(rows[0]) + " |")
        print("|" + "---|" * len(rows[0]))
        for row in rows[1:]:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))


if __name__ == "__main__":
    main()
