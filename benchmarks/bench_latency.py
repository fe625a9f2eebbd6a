"""Single-sample latency: one test image per call, as a server answers one request, with the
tutorial MLP trained for one epoch. numnet's two serving paths (`model.predict_on_batch(x)`
and `model(x)`), and — when installed — ONNX Runtime running numnet's own ONNX export of the
same model and PyTorch eager with the same weights, all on the same threads.

Each contender answers CALLS requests per round (x_test[i:i + 1], i = 0 .. CALLS - 1) and its
round's time is the median over those calls; the predictions are checked against numnet's.
With timing disabled (`--benchmark-disable`, as in CI) the race runs one round of 200 calls.
"""

import statistics
import time

import numpy as np
import pytest

from harness import ROUNDS, THREADS, race, tutorial_model

CALLS = 10_000


@pytest.fixture(scope="module")
def trained(mnist):
    """The tutorial model after one epoch, and its probabilities for the test images."""
    model = tutorial_model("numba")
    model.fit(mnist["x_train"], mnist["y_train"], epochs=1, batch_size=128, verbose=0)
    return model, model.predict(mnist["x_test"], batch_size=10000)


def _serving(answer, images, calls):
    """A contender: answer(x (1, 784)) -> probabilities (1, 10), timed call by call.
    -> run() returning (median seconds per call, the answers (calls, 10))."""
    def run():
        seconds, answers = [], []
        for i in range(calls):
            x = images[i:i + 1]
            start = time.perf_counter()
            answers.append(answer(x))
            seconds.append(time.perf_counter() - start)
        return statistics.median(seconds), np.concatenate(answers)

    return run


def _onnxruntime(model, path):
    """model(x) in ONNX Runtime, through numnet's ONNX export."""
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from numnet.export import to_onnx

    to_onnx(model, path)
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = THREADS, 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda x: session.run(None, {name: x})[0]


def _torch_eager(model):
    """model(x) in PyTorch eager, the same layers and weights, under inference_mode."""
    torch = pytest.importorskip("torch")
    from torch import nn

    torch.set_num_threads(THREADS)
    modules = []
    for layer in model.layers:
        if layer.params:  # Dense: y = x W + b is nn.Linear with weight = Wᵀ
            linear = nn.Linear(*layer.params["kernel"].shape)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(layer.params["kernel"].T.copy()))
                linear.bias.copy_(torch.from_numpy(layer.params["bias"]))
            activation = layer.get_config()["activation"]
            modules += [linear, nn.ReLU() if activation == "relu" else nn.Softmax(dim=1)]
    network = nn.Sequential(*modules).eval()

    def answer(x):
        with torch.inference_mode():
            return network(torch.from_numpy(x)).numpy()

    return answer


def bench_latency_race(benchmark, mnist, trained, tmp_path):
    """Every contender answers CALLS single-image requests per round, in turn (harness.race);
    the latency targets are judged on the per-round ratios of the median call."""
    benchmark.group = "latency-race"
    benchmark.name = "latency race, round-robin"
    model, expected = trained
    calls = 200 if benchmark.disabled else CALLS
    images = mnist["x_test"]
    answers = {"numnet-predict-on-batch": model.predict_on_batch, "numnet-call": model}
    for name, build in (("onnxruntime", lambda: _onnxruntime(model, tmp_path / "mlp.onnx")),
                        ("torch-eager", lambda: _torch_eager(model))):
        try:
            answers[name] = build()
        except pytest.skip.Exception:
            pass
    contenders = {name: _serving(answer, images, calls) for name, answer in answers.items()}

    def check(name, result):
        np.testing.assert_allclose(result[1], expected[:calls], atol=1e-5, err_msg=name)

    race(benchmark, contenders, 2 * ROUNDS, check, bases=("numnet-predict-on-batch",
                                                           "numnet-call"),
         seconds_of=lambda result, elapsed: result[0])
