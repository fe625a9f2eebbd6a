"""Masks, as Keras carries them: made by Embedding(mask_zero=True) and Masking, handed on by
the layers that support masking, followed by the recurrent layers (a padded step keeps the
state), GlobalAveragePooling1D (the mean over real steps), the loss and the metrics (over real
steps only); dropped with a warning by a layer that does not support them. Keras's numbers
for trained masked models are in test_graph_parity.py (tests/golden/recurrent.json)."""

import warnings

import numpy as np
import pytest

import numnet
from numnet import layers

from gradcheck import numerical_gradient, relative_error

WORDS = np.array([[0, 0, 3, 1, 2], [0, 4, 4, 1, 3], [2, 1, 3, 3, 1], [0, 0, 0, 0, 5]])


def masked_model(recurrent, dtype="float64", return_sequences=True, go_backwards=False):
    x = layers.Input((5,), dtype="int32")
    h = layers.Embedding(6, 3, mask_zero=True, dtype=dtype)(x)
    h = recurrent(3, return_sequences=return_sequences, go_backwards=go_backwards,
                  dtype=dtype)(h)
    return numnet.Model(x, layers.Dense(2, activation="softmax", dtype=dtype)(h))


@pytest.mark.parametrize("recurrent", [layers.SimpleRNN, layers.LSTM, layers.GRU])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_masked_recurrent_gradients_match_finite_differences(recurrent, go_backwards):
    """Every parameter's gradient through a masked recurrence, a loss over the real steps
    only, equals central differences in float64."""
    numnet.set_random_seed(2)
    model = masked_model(recurrent, go_backwards=go_backwards)
    model.compile(loss="sparse_categorical_crossentropy")
    labels = np.random.default_rng(0).integers(0, 2, (4, 5))

    def loss():
        return model.compute_gradients(WORDS, labels)[0]

    loss()
    analytic = [(layer, key, grad.copy()) for layer in model.layers
                for key, grad in layer.grads.items()]
    for layer, key, grad in analytic:
        numeric = numerical_gradient(loss, layer.params[key])
        assert relative_error(grad, numeric) < 1e-6, (layer.name, key)


@pytest.mark.parametrize("recurrent", [layers.SimpleRNN, layers.LSTM, layers.GRU])
def test_a_padded_step_keeps_the_state_and_repeats_the_output(recurrent):
    numnet.set_random_seed(0)
    model = masked_model(recurrent, dtype="float32")
    run = numnet.Model(model.input, model.layers[2].output)
    out = run.predict(WORDS, verbose=0)
    np.testing.assert_array_equal(out[0, :2], 0)  # leading padding: the initial state
    np.testing.assert_array_equal(out[3, :4], 0)
    # padding inside a row: the state before it, unchanged
    dropped = run.predict(np.array([[3, 1, 0, 0, 2]]), verbose=0)
    np.testing.assert_array_equal(dropped[0, 2], dropped[0, 1])
    np.testing.assert_array_equal(dropped[0, 3], dropped[0, 1])
    # only the real steps count: the same words without the padding end in the same state
    last = numnet.Model(model.input, recurrent_last(model, recurrent)).predict(
        np.array([[0, 0, 3, 1, 2], [3, 1, 2, 3, 1]]), verbose=0)
    assert not np.allclose(last[0], last[1])


def recurrent_last(model, recurrent):
    h = model.layers[1].output
    return recurrent(3, name="last")(h)


def test_global_average_pooling_averages_the_real_steps():
    x = layers.Input((5,), dtype="int32")
    embed = layers.Embedding(6, 2, mask_zero=True)
    model = numnet.Model(x, layers.GlobalAveragePooling1D()(embed(x)))
    table = embed.params["embeddings"]
    out = model.predict(WORDS, verbose=0)
    np.testing.assert_allclose(out[0], table[[3, 1, 2]].mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(out[3], table[5], rtol=1e-6)


def test_masking_zeroes_padded_steps_and_masks_them():
    x = np.array([[[0.0, 0.0], [1.0, 2.0], [9.0, 9.0]]], dtype="float32")
    masking = layers.Masking(mask_value=9.0)
    np.testing.assert_array_equal(masking(x), [[[0, 0], [1, 2], [0, 0]]])
    np.testing.assert_array_equal(masking.compute_mask(x, None), [[True, True, False]])


def test_concatenate_joins_masks_as_keras_does():
    """Keras's rule: masks spread over each input's features (all real without one), joined,
    then any over the last axis; Add and the element-wise merges: OR of the masks."""
    a, b = np.ones((1, 3, 2)), np.ones((1, 3, 1))
    mask_a = np.array([[True, False, False]])
    concatenate = layers.Concatenate()
    np.testing.assert_array_equal(concatenate.compute_mask([a, b], [mask_a, None]),
                                  [[True, True, True]])
    np.testing.assert_array_equal(
        layers.Add().compute_mask([a, a], [mask_a, np.array([[False, True, False]])]),
        [[True, True, False]])


def test_loss_and_accuracy_count_only_the_real_steps():
    """A per-step loss and accuracy over masked outputs: the mean over the real steps of the
    batch, and the epoch's accuracy weighs each batch by its real steps (Keras's Mean)."""
    numnet.set_random_seed(0)
    model = masked_model(layers.GRU, dtype="float32")
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  optimizer="sgd")
    labels = np.random.default_rng(1).integers(0, 2, (4, 5))
    probabilities = model.predict(WORDS, verbose=0)
    real = WORDS != 0
    per_step = -np.log(np.take_along_axis(probabilities, labels[..., None], -1)[..., 0])
    correct = probabilities.argmax(-1) == labels
    logs = model.evaluate(WORDS, labels, batch_size=4, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(per_step[real].mean(), rel=1e-5)
    assert logs["accuracy"] == pytest.approx(correct[real].mean(), rel=1e-6)
    # two batches of 3 and 9 real steps: the epoch's accuracy is over all 12, not a mean of two
    logs = model.evaluate(WORDS, labels, batch_size=2, verbose=0, return_dict=True)
    assert logs["accuracy"] == pytest.approx(correct[real].mean(), rel=1e-6)


def test_a_layer_without_masking_drops_the_mask_with_a_warning():
    x = layers.Input((5,), dtype="int32")
    h = layers.Flatten()(layers.Embedding(6, 2, mask_zero=True)(x))
    model = numnet.Model(x, layers.Dense(1)(h))
    with pytest.warns(UserWarning, match=r"Layer 'flatten\w*' \(Flatten\) does not support "
                                         r"masking: the mask of its input ends there"):
        model.predict(WORDS, verbose=0)


def test_an_unmasked_model_warns_nothing_and_computes_no_mask():
    x = layers.Input((5,), dtype="int32")
    model = numnet.Model(x, layers.Dense(1)(layers.Flatten()(layers.Embedding(6, 2)(x))))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(WORDS, verbose=0)
    assert model._step.runner().output_masks is None


@pytest.mark.parametrize("filename", ["masked.keras", "masked.npz"])
def test_masks_survive_a_file_round_trip(tmp_path, filename):
    numnet.set_random_seed(0)
    model = masked_model(layers.LSTM, dtype="float32")
    path = tmp_path / filename
    if filename.endswith(".npz"):
        model.save(path)
        loaded = numnet.load_model(path)
    else:
        numnet.export.to_keras(model, path)
        loaded = numnet.load_keras(path)
    assert loaded.layers[1].mask_zero
    np.testing.assert_allclose(loaded.predict(WORDS, verbose=0), model.predict(WORDS, verbose=0),
                               rtol=1e-6)


def test_bidirectional_zeroes_the_padded_steps_of_both_directions():
    """As Keras: with return_sequences, a padded step's output is 0 on both sides (the inner
    layers' zero_output_for_mask), and the backward outputs are in step order."""
    numnet.set_random_seed(0)
    x = layers.Input((5,), dtype="int32")
    both = layers.Bidirectional(layers.GRU(2, return_sequences=True))
    model = numnet.Model(x, both(layers.Embedding(6, 3, mask_zero=True)(x)))
    out = model.predict(WORDS, verbose=0)
    np.testing.assert_array_equal(out[0, :2], 0)
    assert np.all(out[0, 2:] != 0)
    # the backward half at the last real step has seen that step only
    alone = model.predict(np.array([[0, 0, 0, 0, 2]]), verbose=0)
    np.testing.assert_allclose(out[0, 4, 2:], alone[0, 4, 2:], rtol=1e-6)
