"""dropout and recurrent_dropout of the recurrent layers, as Keras: one mask per sequence (the
same at every step) on the inputs and on the state the recurrent product sees, only while
training; a seed repeats them. Gradients with fixed masks are checked by finite differences
in test_layer_contract.py."""

import numpy as np
import pytest

import numnet
from numnet import layers


def linear_rnn(**options):
    """h_t = x_t W (recurrent kernel 0, no bias, linear): the input mask shows in h."""
    rnn = layers.SimpleRNN(4, activation="linear", use_bias=False, return_sequences=True,
                           recurrent_initializer="zeros", kernel_initializer="identity",
                           **options)
    return numnet.Sequential([layers.Input((6, 4)), rnn]), rnn


def test_the_input_mask_is_the_same_at_every_step_and_scaled():
    model, rnn = linear_rnn(dropout=0.5, seed=1)
    x = np.ones((8, 6, 4), "float32")
    out = rnn.forward(x, training=True)
    np.testing.assert_array_equal(out, np.broadcast_to(out[:, :1], out.shape))
    assert set(np.unique(out)) <= {0.0, 2.0} and 0.0 in out and 2.0 in out
    assert not np.array_equal(out[0], out[1]) or not np.array_equal(out[1], out[2])


def test_inference_uses_no_dropout():
    model, rnn = linear_rnn(dropout=0.5, recurrent_dropout=0.5)
    x = np.random.default_rng(0).standard_normal((3, 6, 4)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), x, rtol=1e-6)


@pytest.mark.parametrize("recurrent", [layers.SimpleRNN, layers.LSTM, layers.GRU])
def test_a_seeded_fit_repeats_exactly_and_dropout_changes_it(recurrent):
    def trained(**options):
        numnet.set_random_seed(0)
        model = numnet.Sequential([layers.Input((5,), dtype="int32"), layers.Embedding(9, 3),
                                   recurrent(4, **options), layers.Dense(1)])
        model.compile(loss="mse", optimizer="sgd")
        g = np.random.default_rng(1)
        model.fit(g.integers(0, 9, (32, 5)), g.standard_normal((32, 1)), epochs=2,
                  batch_size=8, verbose=0)
        return model.get_weights()

    first, again = trained(dropout=0.3, recurrent_dropout=0.3), trained(dropout=0.3,
                                                                         recurrent_dropout=0.3)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    plain = trained()
    assert any(not np.allclose(a, b) for a, b in zip(first, plain))


def test_dropout_survives_a_keras_file_round_trip(tmp_path):
    model = numnet.Sequential([layers.Input((5, 2)), layers.LSTM(3, dropout=0.2,
                                                                 recurrent_dropout=0.1, seed=4)])
    numnet.export.to_keras(model, tmp_path / "m.keras")
    lstm = numnet.load_keras(tmp_path / "m.keras").layers[0]
    assert (lstm.dropout, lstm.recurrent_dropout, lstm.seed) == (0.2, 0.1, 4)
