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
RACE = "epoch race, round-robin"
RACE_TARGETS = [
    # (label, contender, target text, passes(ratio of its epoch to numnet-numba's))
    ("GEMM-only floor / numnet  (numnet <= 1.25x the floor)", "gemm-floor", ">= 0.80",
     lambda r: r >= 0.8),
    ("PyTorch eager / numnet", "torch-eager", ">= 3.5", lambda r: r >= 3.5),
    ("Keras/TF / numnet", "keras-tensorflow", ">= 4.5", lambda r: r >= 4.5),
    ("numnet NumPy backend / numnet Numba backend", "numnet-numpy", ">= 2", lambda r: r >= 2),
]
EXTRAS = [
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
    for key, value in sorted(by_name.get(RACE, {}).get("extra_info", {}).items()):
        if key.endswith("_median_seconds"):
            rows.append((f"race {key.removesuffix('_median_seconds')}", f"{value:.4f}", "epoch-race"))
    table("Medians", rows, args.markdown)
    rows = [("ratio", "value", "target", "met")]
    for label, top, bottom, target, ok in TARGETS:
        if top in median and bottom in median:
            ratio = median[top] / median[bottom]
            rows.append((label, f"{ratio:.2f}x", target, "yes" if ok(ratio) else "NO"))
        else:
            rows.append((label, "not run", target, "-"))
    race = by_name.get(RACE, {}).get("extra_info", {})
    for label, contender, target, ok in RACE_TARGETS:
        ratio = race.get(f"{contender}_over_numnet")
        rows.append((f"race: {label}", "not run" if ratio is None else f"{ratio:.2f}x", target,
                     "-" if ratio is None else ("yes" if ok(ratio) else "NO")))
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
