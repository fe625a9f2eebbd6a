"""benchmarks/report.py: targets are judged on the round-robin races, with the middle half of
the per-round ratios and the sequential medians shown beside; missing contenders read "not run"."""

import json
import subprocess
import sys
from pathlib import Path

REPORT = Path(__file__).parent / "report.py"


def bench(name, group, median, **extra_info):
    return {"name": name, "group": group, "stats": {"median": median}, "extra_info": extra_info}


def report(tmp_path, benchmarks):
    path = tmp_path / "bench.json"
    path.write_text(json.dumps({"machine_info": {}, "benchmarks": benchmarks}))
    out = subprocess.run([sys.executable, str(REPORT), str(path)], capture_output=True,
                         text=True, check=True).stdout
    return {line.split("  ")[0]: line.split() for line in out.splitlines() if "  " in line}


def test_races_decide_and_spread_and_sequential_are_shown_beside(tmp_path):
    rows = report(tmp_path, [
        bench("epoch numnet-numba", "epoch", 0.5),
        bench("epoch gemm-floor", "epoch", 0.45),         # sequential: 1.11x, would pass
        bench("epoch torch-eager", "epoch", 2.0),
        bench("epoch race, round-robin", "epoch-race", 5.0,
              **{"numnet-numba_over_gemm-floor": 1.6,      # race: numnet = 1.6x the floor
                 "numnet-numba_over_gemm-floor_quartiles": [1.25, 2.0],
                 "torch-eager_over_numnet-numba": 4.0,
                 "torch-eager_over_numnet-numba_quartiles": [3.5, 4.5],
                 "torch-eager_over_numnet-numba-uint8": 4.4}),
        bench("inference numnet-numba", "inference", 0.03),
        bench("inference torch-eager", "inference", 0.045),  # sequential: 1.50x, would pass
        bench("inference race, round-robin", "inference-race", 1.0,
              **{"torch-eager_over_numnet-numba": 0.9,
                 "torch-eager_over_numnet-numba_quartiles": [0.8, 1.1]}),
        bench("process mnist-example-1-epoch", "process", 2.0, peak_rss_mib=250.0),
        bench("process mnist-example-1-epoch --float32-images", "process", 2.0, peak_rss_mib=350.0),
    ])
    floor = rows["numnet epoch / GEMM-only floor"]
    assert floor[-6:] == ["1.60x", "1.25-2.00x", "1.11x", "<=", "1.35", "NO"]
    assert rows["PyTorch eager epoch / numnet epoch"][-6:] == [
        "4.00x", "3.50-4.50x", "4.00x", ">=", "2.5", "yes"]
    assert rows["Keras/TF epoch / numnet epoch"][-8:] == [
        "not", "run", "-", "not", "run", ">=", "3.5", "-"]
    assert rows["PyTorch inference / numnet inference (10k images)"][-6:] == [
        "0.90x", "0.80-1.10x", "1.50x", ">", "1", "NO"]
    # the uint8 variant is information: shown, never judged
    assert rows["PyTorch eager epoch / numnet uint8 + Rescaling epoch"][-6:] == [
        "4.40x", "-", "not", "run", "-", "-"]
    assert rows["peak RSS of examples/mnist_mlp.py (MiB)"][-4:] == ["250", "<=", "300", "yes"]
    assert rows["peak RSS of the example with --float32-images, the tutorial's way (MiB)"][-3:] == [
        "350", "-", "-"]


def test_a_ratio_the_race_recorded_the_other_way_round_is_inverted(tmp_path):
    rows = report(tmp_path, [bench("epoch race, round-robin", "epoch-race", 5.0, **{
        "numnet-ops-loop_over_numnet-numba": 0.8,
        "numnet-ops-loop_over_numnet-numba_quartiles": [0.5, 1.0]})])
    assert rows["numnet epoch / its ops in a bare loop (the framework)"][-6:] == [
        "1.25x", "1.00-2.00x", "not", "run", "-", "-"]


def test_the_bounds_are_shown_as_information(tmp_path):
    rows = report(tmp_path, [bench("epoch race, round-robin", "epoch-race", 5.0, **{
        "gemm-gather-rmsprop-floor_over_gemm-floor": 1.2,
        "torch-eager_over_numnet-ops-loop": 3.4,
        "torch-eager_over_numnet-ops-loop_quartiles": [3.2, 3.6]})])
    assert rows["GEMMs + batch gather + RMSprop / GEMM-only floor"][-6:] == [
        "1.20x", "-", "not", "run", "-", "-"]
    assert rows["PyTorch eager epoch / bare ops loop (ceiling)"][-6:] == [
        "3.40x", "3.20-3.60x", "not", "run", "-", "-"]


def test_the_cnn_races_judge_numnet_against_each_peer(tmp_path):
    rows = report(tmp_path, [
        bench("cnn race convnet, round-robin", "cnn-race", 60.0,
              **{"torch-eager_over_numnet-numba": 1.5, "keras-tensorflow_over_numnet-numba": 0.8,
                 "numnet-numba_over_conv-gemm-floor": 2.0}),
    ])
    assert rows["Simple MNIST convnet: PyTorch eager epoch / numnet epoch"][-1] == "yes"
    assert rows["Simple MNIST convnet: Keras/TF epoch / numnet epoch"][-1] == "NO"
    assert rows["Simple MNIST convnet: numnet epoch / its convolution GEMMs alone"][-6] == "2.00x"
    assert rows["RStudio mnist_cnn: PyTorch eager epoch / numnet epoch"][-8:-6] == ["not", "run"]


def test_the_latency_race_judges_both_serving_paths_against_onnxruntime_and_torch(tmp_path):
    rows = report(tmp_path, [
        bench("latency race, round-robin", "latency-race", 2.0,
              **{"onnxruntime_over_numnet-predict-on-batch": 0.6,    # numnet = 1.67x ORT
                 "torch-eager_over_numnet-predict-on-batch": 1.6,
                 "onnxruntime_over_numnet-call": 0.4,                # numnet = 2.5x ORT
                 "torch-eager_over_numnet-call": 0.9}),
    ])
    assert rows["numnet predict_on_batch(x) / ONNX Runtime, one image"][-7:] == [
        "1.67x", "-", "not", "run", "<=", "2", "yes"]
    assert rows["PyTorch eager / numnet predict_on_batch(x), one image"][-1] == "yes"
    assert rows["numnet model(x) / ONNX Runtime, one image"][-1] == "NO"
    assert rows["PyTorch eager / numnet model(x), one image"][-1] == "NO"


def test_the_text_races_judge_numnet_against_each_peer_for_both_cells(tmp_path):
    rows = report(tmp_path, [
        bench("text race lstm, round-robin", "text-race", 10.0,
              **{"torch-eager_over_numnet-numba": 0.5, "keras-jax_over_numnet-numba": 1.1}),
        bench("text race gru, round-robin", "text-race", 10.0,
              **{"keras-tensorflow_over_numnet-numba": 1.5}),
    ])
    assert rows["text LSTM: PyTorch eager epoch / numnet epoch"][-1] == "NO"
    assert rows["text LSTM: Keras/JAX epoch / numnet epoch"][-1] == "yes"
    assert rows["text GRU: Keras/TF epoch / numnet epoch"][-1] == "yes"
    assert rows["text GRU: PyTorch eager epoch / numnet epoch"][-8:-6] == ["not", "run"]
