"""Models and data the tests share (helpers, not tests): the tutorial's MLP, and a small
seeded classification problem with a small MLP for it."""

from __future__ import annotations

import numpy as np

import numnet
from numnet import layers


def tutorial_model(dtype: str | None = None, dropout_seeds=(None, None)) -> numnet.Sequential:
    """The Keras tutorial's 784-256-drop0.4-128-drop0.3-10 MLP, not compiled."""
    kw = {} if dtype is None else {"dtype": dtype}
    return numnet.Sequential([
        layers.Dense(256, activation="relu", input_shape=(784,), **kw),
        layers.Dropout(0.4, seed=dropout_seeds[0], **kw),
        layers.Dense(128, activation="relu", **kw),
        layers.Dropout(0.3, seed=dropout_seeds[1], **kw),
        layers.Dense(10, activation="softmax", **kw),
    ])


def classification_data(n: int = 64, width: int = 6, classes: int = 2,
                        seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """x (n, width) standard normal float32; one-hot y: the argmax of x's first `classes`
    columns, so there is something to learn."""
    x = np.random.default_rng(seed).standard_normal((n, width)).astype(np.float32)
    return x, numnet.utils.to_categorical(x[:, :classes].argmax(axis=1), classes)


def classifier(width: int = 6, classes: int = 2, hidden: int = 8, dropout: float = 0.0,
               optimizer="rmsprop", metrics=("accuracy",)) -> numnet.Sequential:
    """Dense(hidden, relu) [Dropout] Dense(classes, softmax), compiled with categorical
    cross-entropy."""
    stack = [layers.Dense(hidden, activation="relu", input_shape=(width,))]
    if dropout:
        stack.append(layers.Dropout(dropout))
    model = numnet.Sequential([*stack, layers.Dense(classes, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer=optimizer, metrics=list(metrics))
    return model
