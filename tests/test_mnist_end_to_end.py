"""The tutorial, exactly: 784-256-128-10 with dropout, RMSprop, batch 128, 30 epochs,
validation_split 0.2, on the real MNIST. It must reach the Keras tutorial's accuracy."""

import numpy as np
import pytest

import numnet

from builders import tutorial_model


@pytest.mark.slow
def test_tutorial_model_reaches_keras_accuracy(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    numnet.set_random_seed(0)
    model = tutorial_model()
    model.compile(loss="categorical_crossentropy", optimizer=numnet.optimizers.RMSprop(),
                  metrics=["accuracy"])
    history = model.fit(x_train, numnet.utils.to_categorical(y_train, 10), epochs=30,
                        batch_size=128, validation_split=0.2, verbose=0)
    loss, accuracy = model.evaluate(x_test, numnet.utils.to_categorical(y_test, 10), verbose=0)
    assert len(history.history["val_accuracy"]) == 30
    assert history.history["val_accuracy"][-1] > 0.975
    assert accuracy >= 0.978
    assert loss < 0.15
    assert model.predict(x_test[:5]).dtype == np.float32
