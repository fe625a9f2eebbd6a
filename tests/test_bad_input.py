"""Bad input at every public entry point: the exception type, and a message that names the
argument, what was expected and what was received. Never a NumPy-internal traceback."""

import numpy as np
import pytest

import numnet
from numnet import layers


@pytest.fixture
def model():
    m = numnet.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                           layers.Dense(3, activation="softmax")])
    m.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    return m


X = np.zeros((10, 4), np.float32)
Y = numnet.utils.to_categorical(np.arange(10) % 3, 3)

CASES = [
    # (id, call(model), exception, message regex)
    ("x/y length mismatch", lambda m: m.fit(X, Y[:7], verbose=0), ValueError,
     r"x and y must have the same number of samples\. Received: x with 10 rows, y with 7 rows"),
    ("input width", lambda m: m.fit(np.zeros((10, 5)), Y, verbose=0), ValueError,
     r"x must be an array of shape \(n, 4\) to fit the model's input\. Received: x=array of shape \(10, 5\)"),
    ("predict width", lambda m: m.predict(np.zeros((2, 9))), ValueError,
     r"x must be an array of shape \(n, 4\).*Received: x=array of shape \(2, 9\)"),
    ("integer labels with categorical loss", lambda m: m.fit(X, np.arange(10) % 3, verbose=0), ValueError,
     r"y must be one-hot targets of shape \(n, 3\) for categorical_crossentropy.*to_categorical.*Received: y=array of shape \(10,\)"),
    ("one-hot width", lambda m: m.fit(X, np.zeros((10, 4)), verbose=0), ValueError,
     r"y must be an array of shape \(n, 3\) to fit the model's output for categorical_crossentropy\. Received: y=array of shape \(10, 4\)"),
    ("validation_split", lambda m: m.fit(X, Y, validation_split=1.0, verbose=0), ValueError,
     r"validation_split must be a float in \[0, 1\)\. Received: validation_split=1.0"),
    ("empty x", lambda m: m.fit(np.zeros((0, 4)), Y[:0], verbose=0), ValueError,
     r"x must be a non-empty array\. Received: x=array of shape \(0, 4\)"),
    ("string dtype", lambda m: m.fit(np.full((10, 4), "a"), Y, verbose=0), TypeError,
     r"x must be an array of real numbers \(int, uint, float or bool\)\. Received: x=array of shape \(10, 4\) and dtype <U1"),
    ("object dtype", lambda m: m.predict(np.array([[None] * 4], dtype=object)), TypeError,
     r"x must be an array of real numbers.*dtype object"),
    ("complex dtype", lambda m: m.predict(np.ones((2, 4), complex)), TypeError,
     r"x must be an array of real numbers.*dtype complex128"),
    ("NaN input", lambda m: m.fit(np.where(np.eye(10, 4) > 0, np.nan, 0), Y, verbose=0), ValueError,
     r"x must contain only finite numbers\. Received: x with 4 NaN or infinite value\(s\)"),
    ("inf target", lambda m: m.fit(X, np.where(Y > 0, np.inf, 0), verbose=0), ValueError,
     r"y must contain only finite numbers\. Received: y with 10 NaN or infinite value\(s\)"),
    ("batch_size 0", lambda m: m.fit(X, Y, batch_size=0, verbose=0), ValueError,
     r"batch_size must be a positive integer\. Received: batch_size=0"),
    ("epochs float", lambda m: m.fit(X, Y, epochs=2.5, verbose=0), TypeError,
     r"epochs must be a positive integer\. Received: epochs=2.5"),
    ("verbose", lambda m: m.fit(X, Y, verbose=3), ValueError,
     r"verbose must be 'auto', 0, 1 or 2\. Received: verbose=3"),
    ("validation_data shape", lambda m: m.fit(X, Y, validation_data=(X,), verbose=0), TypeError,
     r"validation_data must be a tuple \(x_val, y_val\) or a generator\. Received: validation_data=\(array"),
    ("validation_data width", lambda m: m.fit(X, Y, validation_data=(np.zeros((3, 2)), Y[:3]), verbose=0), ValueError,
     r"validation_data\[0\] must be an array of shape \(n, 4\).*Received: validation_data\[0\]=array of shape \(3, 2\)"),
    ("unknown metric", lambda m: m.compile(loss="mse", metrics=["precision"]), ValueError,
     r"metrics must be a list of names from \[.*'accuracy'.*\]\. Received: metrics='precision'"),
    ("metrics as a string", lambda m: m.compile(loss="mse", metrics="accuracy"), TypeError,
     r"metrics must be a list of metric names such as \['accuracy'\]\. Received: metrics='accuracy'"),
    ("unknown optimizer", lambda m: m.compile(loss="mse", optimizer="adadelta"), ValueError,
     r"optimizer must be one of \['adam', 'rmsprop', 'sgd'\].*Received: optimizer='adadelta'"),
    ("no loss", lambda m: m.compile(optimizer="sgd"), ValueError,
     r"loss must be a loss name such as 'categorical_crossentropy' or a Loss\. Received: loss=None"),
    ("callbacks not a list", lambda m: m.fit(X, Y, callbacks="csv", verbose=0), TypeError,
     r"callbacks must be a list of numnet.callbacks.Callback\. Received: callbacks='csv'"),
]


@pytest.mark.parametrize("call, error, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_call_is_named(model, call, error, message):
    with pytest.raises(error, match=message):
        call(model)


def test_fit_before_compile():
    m = numnet.Sequential([layers.Dense(3, input_shape=(4,))])
    with pytest.raises(RuntimeError, match=r"You must call compile\(\) before fit\(\)"):
        m.fit(X, Y)


def test_sparse_labels_out_of_range(model):
    model.compile(loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"y must hold class labels in \[0, 2\] for a model with 3 "
                                         r"outputs\. Received: y with values in \[0, 5\]"):
        model.fit(X, np.arange(10) % 6, verbose=0)


@pytest.mark.parametrize("make, error, message", [
    (lambda: layers.Dense(0), ValueError, r"units must be a positive integer\. Received: units=0"),
    (lambda: layers.Dense("8"), TypeError, r"units must be a positive integer\. Received: units='8'"),
    (lambda: layers.Dense(4, kernel_initializer="orthogonal"), ValueError,
     r"kernel_initializer must be one of \[.*'glorot_uniform'.*\] or a callable\. Received: kernel_initializer='orthogonal'"),
    (lambda: layers.Dense(4, input_shape=(0,)), ValueError,
     r"input_shape must be a non-empty tuple of positive integers \(without the batch axis\)\. Received: input_shape=\(0,\)"),
    (lambda: layers.Dropout("0.5"), TypeError, r"rate must be a float in \[0, 1\)\. Received: rate='0.5'"),
    (lambda: layers.Activation("swish"), ValueError, r"activation must be one of \[.*\].*Received: activation='swish'"),
    (lambda: numnet.Sequential([layers.Dense(2), "relu"]), TypeError,
     r"layer must be a numnet.layers.Layer instance\. Received: layer='relu'"),
    (lambda: numnet.set_random_seed(-3), ValueError, r"seed must be a non-negative integer\. Received: seed=-3"),
    (lambda: numnet.config.set_backend("torch"), ValueError, r"backend must be one of \['numba', 'numpy'\]\. Received: name='torch'"),
])
def test_bad_constructor_argument_is_named(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_dense_on_images_without_flatten_says_so():
    with pytest.raises(ValueError, match=r"add a Flatten layer before Dense for images"):
        numnet.Sequential([layers.Dense(3, input_shape=(28, 28))])


def test_summary_before_build_is_explained():
    with pytest.raises(ValueError, match=r"This model has not yet been built"):
        numnet.Sequential([layers.Dense(3)]).summary()
