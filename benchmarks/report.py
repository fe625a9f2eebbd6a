"""Print the ratios of one benchmark run, from pytest-benchmark's JSON.

    pytest benchmarks --benchmark-json=bench.json
    python benchmarks/report.py bench.json [--markdown]

All ratios come from that one run; the epoch and inference targets are judged on its
round-robin races.
"""

from __future__ import annotations

import argparse
import json
import platform

RACES = {"epoch": "epoch race, round-robin", "inference": "inference race, round-robin",
         "latency": "latency race, round-robin",
         "convnet": "cnn race convnet, round-robin", "cnn": "cnn race cnn, round-robin",
         "lstm": "text race lstm, round-robin", "gru": "text race gru, round-robin"}
# Targets are judged on the round-robin races (median over rounds of the per-round ratio): a
# burst of load from another tenant hits every contender of that round alike. The middle half
# of the per-round ratios shows how much the rounds disagreed; the ratio of the sequential
# medians is shown for information only: on a shared machine it can land on either side of a
# target by luck (the floor and numnet are timed minutes apart).
TARGETS = [
    # (label, race, numerator, denominator, target text, passes(ratio)); the ratio is the
    # numerator's time over the denominator's. "numnet-numba" is fit on the tutorial's float32
    # pixels, like every peer; the targets are judged on it.
    ("numnet epoch / GEMM-only floor", "epoch", "numnet-numba", "gemm-floor", "<= 1.35",
     lambda r: r <= 1.35),
    ("PyTorch eager epoch / numnet epoch", "epoch", "torch-eager", "numnet-numba", ">= 2.5",
     lambda r: r >= 2.5),
    ("Keras/TF epoch / numnet epoch", "epoch", "keras-tensorflow", "numnet-numba", ">= 3.5",
     lambda r: r >= 3.5),
    ("numnet NumPy-backend epoch / Numba-backend epoch", "epoch", "numnet-numpy",
     "numnet-numba", "-", None),
    # where the time goes: numnet's kernels in a bare loop, against the floor and against fit
    ("numnet epoch / its ops in a bare loop (the framework)", "epoch", "numnet-numba",
     "numnet-ops-loop", "-", None),
    ("bare ops loop / GEMM-only floor (the kernels)", "epoch", "numnet-ops-loop", "gemm-floor",
     "-", None),
    # bounds: the floor plus the two serial passes every exact trainer makes (batch gather,
    # optimizer); and the peers against the bare loop, the most that any fit built on these
    # kernels and BLAS calls could reach (fit can only add to the loop)
    ("GEMMs + batch gather + RMSprop / GEMM-only floor", "epoch", "gemm-gather-rmsprop-floor",
     "gemm-floor", "-", None),
    ("PyTorch eager epoch / bare ops loop (ceiling)", "epoch", "torch-eager", "numnet-ops-loop",
     "-", None),
    ("Keras/TF epoch / bare ops loop (ceiling)", "epoch", "keras-tensorflow", "numnet-ops-loop",
     "-", None),
    ("numnet NumPy-backend epoch / bare ops loop (ceiling)", "epoch", "numnet-numpy",
     "numnet-ops-loop", "-", None),
    # the example's way: uint8 pixels scaled per batch by a Rescaling layer (information)
    ("numnet uint8 + Rescaling epoch / GEMM-only floor", "epoch", "numnet-numba-uint8",
     "gemm-floor", "-", None),
    ("numnet float32 epoch / numnet uint8 + Rescaling epoch", "epoch", "numnet-numba",
     "numnet-numba-uint8", "-", None),
    ("PyTorch eager epoch / numnet uint8 + Rescaling epoch", "epoch", "torch-eager",
     "numnet-numba-uint8", "-", None),
    ("Keras/TF epoch / numnet uint8 + Rescaling epoch", "epoch", "keras-tensorflow",
     "numnet-numba-uint8", "-", None),
    ("PyTorch inference / numnet inference (10k images)", "inference", "torch-eager",
     "numnet-numba", "> 1", lambda r: r > 1),
    ("Keras inference / numnet inference (10k images)", "inference", "keras-tensorflow",
     "numnet-numba", "-", None),
    ("PyTorch inference / numnet uint8 + Rescaling inference", "inference", "torch-eager",
     "numnet-numba-uint8", "-", None),
    # one test image per call (benchmarks/bench_latency.py): the median call of each round
    *[row for path, method in (("numnet-predict-on-batch", "predict_on_batch(x)"),
                               ("numnet-call", "model(x)"))
      for row in (
          (f"numnet {method} / ONNX Runtime, one image", "latency", path, "onnxruntime",
           "<= 2", lambda r: r <= 2),
          (f"PyTorch eager / numnet {method}, one image", "latency", "torch-eager", path,
           "> 1", lambda r: r > 1))],
    # the convolutional examples (benchmarks/bench_cnn.py): one epoch each, same architecture,
    # optimizer, batch and validation split for every contender
    *[row for arch, title in (("convnet", "Simple MNIST convnet"), ("cnn", "RStudio mnist_cnn"))
      for row in (
          (f"{title}: PyTorch eager epoch / numnet epoch", arch, "torch-eager", "numnet-numba",
           "> 1", lambda r: r > 1),
          (f"{title}: Keras/TF epoch / numnet epoch", arch, "keras-tensorflow", "numnet-numba",
           "> 1", lambda r: r > 1),
          (f"{title}: numnet epoch / its convolution GEMMs alone", arch, "numnet-numba",
           "conv-gemm-floor", "-", None))],
    # the text classifiers (benchmarks/bench_text.py): Embedding -> LSTM or GRU -> Dense, one
    # epoch each, same data, model, optimizer and batch for every contender
    *[(f"text {cell.upper()}: {peer} epoch / numnet epoch", cell, name, "numnet-numba", "> 1",
       lambda r: r > 1)
      for cell in ("lstm", "gru")
      for peer, name in (("PyTorch eager", "torch-eager"), ("Keras/TF", "keras-tensorflow"),
                         ("Keras/JAX", "keras-jax"))],
]
EXTRAS = [
    ("import numnet (s, median of 7 processes)", "process import-numnet", "import_seconds_median",
     "<= 0.3", lambda v: v <= 0.3),
    ("peak RSS of examples/mnist_mlp.py (MiB)", "process mnist-example-1-epoch", "peak_rss_mib",
     "<= 300", lambda v: v <= 300),
    ("peak RSS of the example with --float32-images, the tutorial's way (MiB)",
     "process mnist-example-1-epoch --float32-images", "peak_rss_mib", "-", None),
    ("peak RSS of examples/mnist_convnet.py (MiB)", "process mnist_convnet-example-1-epoch",
     "peak_rss_mib", "-", None),
    ("peak RSS of examples/mnist_cnn.py (MiB)", "process mnist_cnn-example-1-epoch",
     "peak_rss_mib", "-", None),
    ("first epoch of a later process / its steady epochs (median of 3)",
     "process second-run-4-epochs", "first_over_steady", "<= 1.2", lambda v: v <= 1.2),
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
    print(f"machine: {info.get('host', info.get('cpu', {}).get('brand_raw', platform.processor()))}"
          f"; {info.get('cpu', {}).get('count', '?')} cores, Python {info.get('python_version')}")
    rows = [("group / name", "median (s)", "")]
    for name in sorted(median, key=lambda n: (by_name[n]["group"] or "", median[n])):
        rows.append((name, seconds(median[name]), by_name[name]["group"] or ""))
    for kind, race_name in RACES.items():
        for key, value in sorted(by_name.get(race_name, {}).get("extra_info", {}).items()):
            if key.endswith("_median_seconds"):
                rows.append((f"{kind} race {key.removesuffix('_median_seconds')}", seconds(value),
                             f"{kind}-race"))
    table("Medians", rows, args.markdown)
    rows = [("ratio", "race (judged)", "middle half of rounds", "sequential medians", "target",
             "met")]
    for label, kind, numerator, denominator, target, ok in TARGETS:
        race = by_name.get(RACES[kind], {}).get("extra_info", {})
        ratio, spread = race_ratio(race, numerator, denominator)
        pair = (f"{kind} {numerator}", f"{kind} {denominator}")
        sequential = (f"{median[pair[0]] / median[pair[1]]:.2f}x"
                      if all(name in median for name in pair) else "not run")
        met = "-" if ratio is None or ok is None else ("yes" if ok(ratio) else "NO")
        rows.append((label, "not run" if ratio is None else f"{ratio:.2f}x",
                     "-" if spread is None else f"{spread[0]:.2f}-{spread[1]:.2f}x", sequential,
                     target, met))
    for label, name, key, target, ok in EXTRAS:
        value = by_name.get(name, {}).get("extra_info", {}).get(key)
        rows.append((label, "", "", "not run" if value is None else f"{value:.3g}", target,
                     "-" if value is None or ok is None else ("yes" if ok(value) else "NO")))
    table("Ratios (same run)", rows, args.markdown)


def seconds(value: float) -> str:
    """4 decimals, or 3 significant digits below a millisecond (one call of the latency race)."""
    return f"{value:.4f}" if value >= 1e-3 else f"{value:.3g}"


def race_ratio(race: dict, numerator: str, denominator: str):
    """(median, quartiles) over the race's rounds of numerator's time / denominator's, from
    "<numerator>_over_<denominator>", or inverted from the reverse ratio; (None, None) if the
    race did not record either."""
    key = f"{numerator}_over_{denominator}"
    if key in race:
        return race[key], race.get(f"{key}_quartiles")
    key = f"{denominator}_over_{numerator}"
    if key in race:
        spread = race.get(f"{key}_quartiles")
        return 1 / race[key], spread and [1 / spread[1], 1 / spread[0]]
    return None, None


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
