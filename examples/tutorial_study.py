"""The tutorial's experiments as one reproducible study: input normalisation, dropout, depth,
and a sweep of the hidden width 2^4..2^10, each over several seeds, next to the published
numbers (R keras on TensorFlow, 30 epochs, batch 128, RMSprop, validation_split 0.2).

Run:  python examples/tutorial_study.py                    (serial: ~6 minutes on 2 cores)
      python examples/tutorial_study.py -j 2               (a local pool, one BLAS thread each)
      python examples/tutorial_study.py --scheduler tcp://HOST:8786   (a Dask cluster)
      python examples/tutorial_study.py --epochs 2 --seeds 1           (a quick look)
Writes study.csv (one record per run), study.md (the table) and study.png to --output.
"""

import argparse
import os
import time

import numnet
from numnet import experiments

# (row, hidden widths, dropout rates, inputs normalised, published test loss, published accuracy)
PUBLISHED = [
    ("256-drop0.4-128-drop0.3-10, inputs NOT normalised", [256, 128], [0.4, 0.3], False, 13.659,
     0.1251),
    ("256-drop0.4-128-drop0.3-10", [256, 128], [0.4, 0.3], True, 0.1031, 0.9802),
    ("256-128-10, no dropout", [256, 128], [], True, 0.1618, 0.9776),
    ("128-128-10", [128, 128], [], True, 0.1584, 0.9792),
    ("128-10", [128], [], True, 0.1138, 0.9776),
    ("16-10", [16], [], True, 0.1840, 0.9497),
    ("32-10", [32], [], True, 0.1306, 0.9663),
    ("64-10", [64], [], True, 0.1059, 0.9747),
    ("128-10 (width sweep)", [128], [], True, 0.1068, 0.9782),
    ("256-10", [256], [], True, 0.1105, 0.9803),
    ("512-10", [512], [], True, 0.1240, 0.9810),
    ("1024-10", [1024], [], True, 0.1240, 0.9826),
]


def config_key(hidden, dropout, normalize):
    return f"{'-'.join(map(str, hidden))}|{'-'.join(map(str, dropout))}|{normalize}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 for every row")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="local worker processes")
    parser.add_argument("--scheduler", help="a Dask scheduler address, e.g. tcp://host:8786")
    parser.add_argument("--backend", choices=["numba", "numpy"], default="numba")
    parser.add_argument("--output", default="output/study")
    args = parser.parse_args()

    # One config per distinct architecture and seed (the two 128-10 rows share their runs).
    configs, seen = [], set()
    for _, hidden, dropout, normalize, _, _ in PUBLISHED:
        key = config_key(hidden, dropout, normalize)
        if key in seen:
            continue
        seen.add(key)
        configs += [{"name": key, "hidden": hidden, "dropout": dropout, "normalize": normalize,
                     "seed": seed, "epochs": args.epochs, "backend": args.backend}
                    for seed in range(args.seeds)]

    if args.scheduler:
        from dask.distributed import Client  # pip install "numnet[cluster]"

        client = Client(args.scheduler)
        executor, where = client.get_executor(), f"Dask at {args.scheduler}"
    elif args.jobs > 1:
        executor, where = experiments.LocalPool(args.jobs), f"{args.jobs} local processes"
    else:
        executor, where = None, "this process"
    print(f"{len(configs)} runs ({len(seen)} architectures x {args.seeds} seeds, "
          f"{args.epochs} epochs) in {where}")
    start = time.perf_counter()
    records = experiments.sweep(experiments.train_mnist_mlp, configs, executor)
    wall = time.perf_counter() - start
    if executor is not None:
        executor.shutdown()

    by_key = {row["name"]: row for row in experiments.summarize(records)}
    rows = []
    for name, hidden, dropout, normalize, loss, accuracy in PUBLISHED:
        row = dict(by_key[config_key(hidden, dropout, normalize)])
        row.update(name=name, published_loss=loss, published_accuracy=accuracy,
                   difference_pp=100 * (row["test_accuracy_mean"] - accuracy))
        rows.append(row)

    os.makedirs(args.output, exist_ok=True)
    experiments.write_csv(records, os.path.join(args.output, "study.csv"))
    table = experiments.markdown_table(rows, [
        ("model", "name"),
        ("published loss", "{published_loss:.4f}"),
        ("published acc", "{published_accuracy:.4f}"),
        (f"numnet loss (mean ± sd, {args.seeds} seeds)",
         "{test_loss_mean:.4f} ± {test_loss_std:.4f}"),
        (f"numnet acc (mean ± sd, {args.seeds} seeds)",
         "{test_accuracy_mean:.4f} ± {test_accuracy_std:.4f}"),
        ("acc min–max", "{test_accuracy_min:.4f}–{test_accuracy_max:.4f}"),
        ("Δ acc (pp)", "{difference_pp:+.2f}"),
    ])
    experiments.write_markdown(table + f"\nWall time: {wall:.0f} s in {where}.\n",
                               os.path.join(args.output, "study.md"))
    plot_width_sweep(rows, os.path.join(args.output, "study.png"))
    print(table)
    print(f"Wall time: {wall:.1f} s in {where}. Written: study.csv, study.md, study.png in "
          f"{os.path.abspath(args.output)}")


def plot_width_sweep(rows, path):
    """Test accuracy against hidden width (log2), numnet (mean, min–max) beside published."""
    from matplotlib.figure import Figure

    sweep = [r for r in rows if r["name"].split(" ")[0].count("-") == 1 and "NOT" not in r["name"]
             and not r["name"].startswith("128-10 (")]
    sweep.sort(key=lambda r: int(r["name"].split("-")[0]))
    widths = [int(r["name"].split("-")[0]) for r in sweep]
    figure = Figure(figsize=(6.5, 4), layout="constrained")
    ax = figure.add_subplot()
    mean = [r["test_accuracy_mean"] for r in sweep]
    low = [m - r["test_accuracy_min"] for m, r in zip(mean, sweep)]
    high = [r["test_accuracy_max"] - m for m, r in zip(mean, sweep)]
    ax.errorbar(widths, mean, yerr=[low, high], fmt="o-", capsize=3,
                label=f"numnet (mean, min–max over {sweep[0]['seeds']} seeds)")
    ax.plot(widths, [r["published_accuracy"] for r in sweep], "s--", label="published (R keras)")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("hidden units (one hidden layer)")
    ax.set_ylabel("test accuracy")
    ax.grid(alpha=0.3)
    ax.legend()
    with numnet.files.atomic_write(path) as handle:
        figure.savefig(handle, format="png", dpi=110)


if __name__ == "__main__":
    main()
