"""Plots are produced headless, non-empty, as PNG; plot_model works with and without dot."""

import re
import shutil

import numpy as np
import pytest

import numnet
from numnet import layers, plotting

PNG = b"\x89PNG\r\n\x1a\n"


def test_plot_history_two_panels_saved_as_png(tmp_path):
    history = {"loss": [1.0, 0.5, 0.4], "accuracy": [0.6, 0.8, 0.9],
               "val_loss": [1.1, 0.7, 0.6], "val_accuracy": [0.5, 0.7, 0.8]}
    figure = numnet.plot_history(history, tmp_path / "h.png")
    assert len(figure.axes) == 2
    assert [line.get_label() for line in figure.axes[0].lines] == ["training", "validation"]
    data = (tmp_path / "h.png").read_bytes()
    assert data.startswith(PNG) and len(data) > 5000


def test_plot_history_accepts_the_history_object(tmp_path):
    g = np.random.default_rng(0)
    x = g.standard_normal((32, 3)).astype("float32")
    model = numnet.Sequential([layers.Dense(2, activation="softmax", input_shape=(3,))])
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, (x[:, 0] > 0).astype(int), epochs=2, verbose=0)
    assert len(numnet.plot_history(history).axes) == 2


def test_plot_history_rejects_an_empty_history():
    with pytest.raises(TypeError, match=r"history must be a History from fit or its non-empty \.history dict"):
        numnet.plot_history({})


def tutorial_like():
    return numnet.Sequential([layers.Dense(16, activation="relu", input_shape=(784,)),
                              layers.Dropout(0.4), layers.Dense(10, activation="softmax")])


def test_plot_model_without_graphviz_draws_with_matplotlib(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    path = numnet.utils.plot_model(tutorial_like(), tmp_path / "m.png")
    data = open(path, "rb").read()
    assert data.startswith(PNG) and len(data) > 3000


def test_model_to_dot_lists_layers_in_order_with_shapes():
    dot = numnet.utils.model_to_dot(tutorial_like())
    assert dot.startswith("digraph model {") and dot.count("->") == 3
    assert re.search(r"dense(_\d+)? \(Dense, relu\)", dot) and "(None, 784)|(None, 16)" in dot


def test_model_to_dot_shows_convolutional_layers_with_their_activation_and_shapes():
    model = numnet.Sequential([numnet.layers.Input(shape=(28, 28, 1)),
                               numnet.layers.Conv2D(8, 3, activation="relu"),
                               numnet.layers.BatchNormalization(),
                               numnet.layers.MaxPooling2D(2), numnet.layers.Flatten(),
                               numnet.layers.Dense(10, activation="softmax")])
    dot = numnet.utils.model_to_dot(model)
    assert re.search(r"conv2d(_\d+)? \(Conv2D, relu\)", dot)
    assert "(None, 28, 28, 1)|(None, 26, 26, 8)" in dot and "(None, 26, 26, 8)|(None, 13, 13, 8)" in dot
    assert "(BatchNormalization)" in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_plot_model_with_graphviz(tmp_path):
    path = numnet.utils.plot_model(tutorial_like(), tmp_path / "m.png")
    assert open(path, "rb").read().startswith(PNG)


def test_import_of_plotting_does_not_load_matplotlib():
    import subprocess
    import sys

    code = "import sys, numnet.plotting; print('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"
    assert plotting.plot_history.__module__ == "numnet.plotting"
