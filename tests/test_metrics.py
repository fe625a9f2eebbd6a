"""Metrics: per-sample scores, "accuracy" resolved from the loss as Keras does, the running mean."""

import numpy as np
import pytest

import numnet
from numnet import losses, metrics

P = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.3, 0.4, 0.3]], np.float32)
LABELS = np.array([0, 1, 1])
ONE_HOT = np.eye(3, dtype=np.float32)[LABELS]


def test_categorical_and_sparse_accuracy_compare_argmaxes_per_sample():
    np.testing.assert_array_equal(metrics.categorical_accuracy(ONE_HOT, P), [1, 0, 1])
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy(LABELS, P), [1, 0, 1])
    assert metrics.categorical_accuracy(ONE_HOT, P).dtype == np.float32


def test_binary_accuracy_is_per_element_and_fit_averages_it_over_all_elements():
    t = np.array([[1, 0], [0, 0]], np.float32)
    p = np.array([[0.9, 0.6], [0.2, 0.4]], np.float32)
    np.testing.assert_array_equal(metrics.binary_accuracy(t, p), [[1, 0], [1, 1]])
    np.testing.assert_array_equal(metrics.binary_accuracy(t[:, 0], p[:, :1]), [[1], [1]])
    model = numnet.Sequential([numnet.layers.Dense(2, activation="sigmoid", input_shape=(2,))])
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).standard_normal((10, 2)).astype(np.float32)
    y = (x > 0).astype(np.float32)
    _, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy == pytest.approx(metrics.binary_accuracy(y, model.predict(x)).mean())


def test_regression_metrics_are_per_sample_means():
    t = np.array([[0.0, 0.0], [1.0, 1.0]])
    p = np.array([[1.0, -1.0], [1.0, 3.0]])
    np.testing.assert_allclose(metrics.mean_absolute_error(t, p), [1.0, 1.0])
    np.testing.assert_allclose(metrics.mean_squared_error(t, p), [1.0, 2.0])


@pytest.mark.parametrize("loss, expected", [
    (losses.CategoricalCrossentropy(), metrics.categorical_accuracy),
    (losses.SparseCategoricalCrossentropy(), metrics.sparse_categorical_accuracy),
    (losses.BinaryCrossentropy(), metrics.binary_accuracy),
    (losses.MeanSquaredError(), metrics.categorical_accuracy),
])
def test_accuracy_follows_the_loss(loss, expected):
    assert metrics.get("accuracy", loss) is expected and metrics.get("acc", loss) is expected
    assert metrics.get("mae", loss) is metrics.mean_absolute_error


def test_unknown_metric_names_list_the_known_ones():
    with pytest.raises(ValueError, match=r"metrics must be a list of names from \[.*'accuracy'.*\]"
                                         r"\. Received: metrics='f1'"):
        metrics.get("f1", losses.MeanSquaredError())


def test_mean_weights_each_value_and_is_nan_before_any_update():
    mean = metrics.Mean()
    assert np.isnan(mean.result())
    mean.update(1.0, 3)
    mean.update(0.0, 1)
    assert mean.result() == 0.75
    mean.reset()
    assert np.isnan(mean.result())
