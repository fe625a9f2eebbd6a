"""The tutorial examples run end to end as a user runs them (short settings), and print what
they promise: where the data came from and the tutorial's numbers."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"
FASHION = Path("/usr/share/datasets/fashion-mnist")
BOSTON_R = Path("/usr/lib/R/site-library/mlbench/data/BostonHousing.rda")


def run(name, *args, tmp_path) -> str:
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                          text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_save_and_restore(tmp_path):
    out = run("save_and_restore.py", "--dir", str(tmp_path / "ckpt"), tmp_path=tmp_path)
    assert "data from:" in out
    saved, loaded = map(float, re.search(r"accuracy ([\d.]+), loaded: ([\d.]+)", out).groups())
    assert saved == loaded > 0.8
    untrained = float(re.search(r"untrained model: accuracy ([\d.]+)", out).group(1))
    restored = float(re.search(r"restored from cp.weights.npz: accuracy ([\d.]+)", out).group(1))
    assert untrained < 0.3 < 0.8 < restored
    files = sorted(p.name for p in (tmp_path / "ckpt").iterdir())
    assert len([f for f in files if f.startswith("weights.")]) == 10
    assert {"model.npz", "cp.weights.npz", "best.weights.npz"} <= set(files)
    assert "resumed at epoch 6, trained to 8" in out


@pytest.mark.skipif(not FASHION.is_dir(), reason="Fashion-MNIST is not installed "
                    "(apt-get install dataset-fashion-mnist)")
def test_basic_classification(tmp_path):
    out = run("basic_classification.py", "--epochs", "1", "--plot", "p.png", tmp_path=tmp_path)
    assert f"data from: {FASHION}" in out
    assert float(re.search(r"Test accuracy: ([\d.]+)", out).group(1)) > 0.8
    assert (tmp_path / "p.png").stat().st_size > 10_000


@pytest.mark.skipif(not BOSTON_R.is_file(), reason="Boston housing is not installed "
                    "(apt-get install r-cran-mlbench, or Keras's boston_housing.npz in "
                    "~/.numnet/datasets/boston_housing/)")
def test_regression(tmp_path):
    out = run("regression.py", "--epochs", "40", "--plot", "mae.png", tmp_path=tmp_path)
    assert "data from:" in out
    mae = float(re.search(r"Mean absolute error on test set: \$([\d,]+)", out).group(1)
                .replace(",", ""))
    assert 1500 < mae < 6000
    assert (tmp_path / "mae.png").stat().st_size > 5_000


def test_addition_rnn_runs_and_reports_its_answers(tmp_path):
    out = run("addition_rnn.py", "--epochs", "1", "--size", "1500", "--digits", "2",
              tmp_path=tmp_path)
    assert "1500 questions" in out
    accuracy = float(re.search(r"per-character accuracy ([\d.]+)", out).group(1))
    assert 0.2 < accuracy <= 1
    assert len(re.findall(r"^  \d+\+\d+ += ", out, flags=re.M)) == 8
