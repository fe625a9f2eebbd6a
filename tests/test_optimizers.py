"""Optimizers: golden numbers from the update rules written out by hand (and Keras's tests)."""

import numpy as np
import pytest

from numnet import optimizers


def step(optimizer, values, grads, steps=1):
    params = [np.array(values, dtype=np.float32)]
    for _ in range(steps):
        optimizer.apply(params, [np.array(grads, dtype=np.float32)])
    return params[0]


def test_rmsprop_matches_keras_golden_values():
    # v = 0.1 g²; w -= 0.5 g / √(0.1 g² + 1e-7)  ->  each weight moves by 0.5/√0.1 = 1.5811
    result = step(optimizers.RMSprop(learning_rate=0.5), [1, 2, 3, 4], [1, 6, 7, 2])
    np.testing.assert_allclose(result, [-0.5811, 0.4189, 1.4189, 2.4189], atol=1e-4)


def test_rmsprop_two_steps_by_hand_with_epsilon_inside_the_root():
    lr, rho, eps, g = 0.01, 0.9, 1e-7, 0.5
    v1 = (1 - rho) * g**2
    w1 = 1.0 - lr * g / np.sqrt(v1 + eps)
    v2 = rho * v1 + (1 - rho) * g**2
    w2 = w1 - lr * g / np.sqrt(v2 + eps)
    result = step(optimizers.RMSprop(lr, rho, epsilon=eps), [1.0], [g], steps=2)
    assert result[0] == pytest.approx(w2, rel=1e-6)
    # with ε outside the root (torch's rule) a tiny gradient would move much further:
    tiny = step(optimizers.RMSprop(1.0, 0.9, epsilon=1e-2), [0.0], [1e-3])
    assert tiny[0] == pytest.approx(-1e-3 / np.sqrt(0.1 * 1e-6 + 1e-2), rel=1e-5)


def test_sgd_plain_matches_keras_golden_values():
    result = step(optimizers.SGD(learning_rate=0.5), [1, 2, 3, 4], [1, 6, 7, 2])
    np.testing.assert_allclose(result, [0.5, -1, -0.5, 3])


def test_sgd_momentum_and_nesterov_two_steps_by_hand():
    lr, m, g = 0.1, 0.9, 1.0
    v1 = -lr * g               # -0.1
    v2 = m * v1 - lr * g       # -0.19
    assert step(optimizers.SGD(lr, m), [0.0], [g], 2)[0] == pytest.approx(v1 + v2)
    w1 = m * v1 - lr * g       # nesterov: w += m v - lr g
    w2 = w1 + m * v2 - lr * g
    assert step(optimizers.SGD(lr, m, nesterov=True), [0.0], [g], 2)[0] == pytest.approx(w2)


def test_adam_matches_keras_golden_values():
    # first step: m = 0.1 g, v = 0.001 g², α = 0.5 √0.001 / 0.1  ->  each weight moves by 0.5
    result = step(optimizers.Adam(learning_rate=0.5), [1, 2, 3, 4], [1, 6, 7, 2])
    np.testing.assert_allclose(result, [0.5, 1.5, 2.5, 3.5], atol=1e-5)


def test_adam_two_steps_by_hand():
    lr, b1, b2, eps, g = 0.01, 0.9, 0.999, 1e-7, 0.3
    m = v = w = 0.0
    for t in (1, 2):
        m += (g - m) * (1 - b1)
        v += (g * g - v) * (1 - b2)
        w -= lr * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
    assert step(optimizers.Adam(lr, b1, b2, eps), [0.0], [g], 2)[0] == pytest.approx(w, rel=1e-5)


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adam"])
def test_updates_keep_float32(name):
    optimizer = optimizers.get(name)
    params = [np.ones(3, np.float32)]
    optimizer.apply(params, [np.full(3, 0.5, np.float32)])
    assert params[0].dtype == np.float32
    assert all(s.dtype == np.float32 for slots in optimizer.slots for s in slots.values())


def test_get_accepts_names_and_instances():
    assert isinstance(optimizers.get("RMSprop"), optimizers.RMSprop)
    instance = optimizers.Adam()
    assert optimizers.get(instance) is instance


@pytest.mark.parametrize("call, message", [
    (lambda: optimizers.get("adafactor"), r"optimizer must be one of \['adadelta', 'adagrad', 'adam', 'adamw', 'nadam', 'rmsprop', 'sgd'\] or a numnet.optimizers.Optimizer\. Received: optimizer='adafactor'"),
    (lambda: optimizers.RMSprop(learning_rate=-1), r"learning_rate must be a positive float\. Received: learning_rate=-1"),
    (lambda: optimizers.RMSprop(rho=1.5), r"rho must be a float in \[0, 1\)\. Received: rho=1.5"),
    (lambda: optimizers.SGD(momentum=-0.1), r"momentum must be a float in \[0, 1\)\. Received: momentum=-0.1"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_schedule_steps_with_the_optimizer_and_is_not_settable():
    schedule = optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    optimizer = optimizers.SGD(schedule)
    assert [step(optimizer, [0.0], [1.0])[0] for _ in range(3)] == pytest.approx([-0.1, -0.05, -0.025])
    assert optimizer.learning_rate == pytest.approx(0.0125) and optimizer.iterations == 3
    with pytest.raises(TypeError, match=r"learning_rate cannot be set to 0\.5: this optimizer's learning rate is controlled by its schedule ExponentialDecay\("):
        optimizer.learning_rate = 0.5


@pytest.mark.parametrize("callback", ["ReduceLROnPlateau", "LearningRateScheduler"])
def test_callbacks_that_set_the_rate_say_when_a_schedule_is_in_control(callback):
    import numnet

    model = numnet.Sequential([numnet.layers.Dense(1, input_shape=(2,))])
    model.compile(loss="mse", optimizer=optimizers.SGD(optimizers.schedules.CosineDecay(0.1, 10)))
    made = (numnet.callbacks.ReduceLROnPlateau(monitor="loss") if callback == "ReduceLROnPlateau"
            else numnet.callbacks.LearningRateScheduler(lambda epoch, lr: lr))
    x = np.zeros((4, 2), np.float32)
    with pytest.raises(TypeError, match=rf"{callback} sets the learning rate, but this optimizer's learning rate is controlled by its schedule CosineDecay\(.*float learning_rate"):
        model.fit(x, x[:, :1], epochs=2, verbose=0, callbacks=[made])


def test_clipping_and_weight_decay_by_hand():
    # clipnorm: g = [3, 4] (norm 5) -> [0.6, 0.8]; SGD lr 1 moves w by -g
    assert step(optimizers.SGD(1.0, clipnorm=1.0), [0, 0], [3, 4]).tolist() == pytest.approx([-0.6, -0.8])
    assert step(optimizers.SGD(1.0, clipvalue=0.5), [0, 0], [3, -4]).tolist() == [-0.5, 0.5]
    # weight decay first: w = 1 - 1·0.1·0.5 = 0.95, then the gradient step 0.95 - 0.5·1
    assert step(optimizers.SGD(0.5, weight_decay=0.1), [1.0], [1.0])[0] == pytest.approx(0.45)
    with pytest.raises(ValueError, match=r"global_clipnorm must be None when clipnorm is given"):
        optimizers.SGD(clipnorm=1.0, global_clipnorm=1.0)
