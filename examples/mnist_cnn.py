"""The RStudio keras "mnist_cnn" example with numnet: two 3x3 convolutions, max pooling,
dropout, a 128-unit hidden layer; Adadelta(1.0, rho=0.95), batch 128, 12 epochs, 20% of the
training images for validation.

Run:  python examples/mnist_cnn.py [--epochs 12] [--seed 0] [--backend numba|numpy]
"""

import argparse
import time

import numnet
from numnet import layers


def build_model() -> numnet.Sequential:
    """The example's model (1,199,882 parameters), with a Rescaling(1/255) first layer so that
    the images can stay uint8."""
    return numnet.Sequential([
        layers.Input(shape=(28, 28, 1)),
        layers.Rescaling(1 / 255),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ], name="mnist_cnn")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", choices=["numba", "numpy"], default=numnet.config.backend())
    parser.add_argument("--verbose", type=int, default=1, choices=[0, 1, 2])
    args = parser.parse_args()
    numnet.config.set_backend(args.backend)
    numnet.set_random_seed(args.seed)

    (x_train, y_train), (x_test, y_test) = numnet.datasets.mnist.load_data()
    x_train, x_test = x_train.reshape(-1, 28, 28, 1), x_test.reshape(-1, 28, 28, 1)
    y_train = numnet.utils.to_categorical(y_train, 10)
    y_test = numnet.utils.to_categorical(y_test, 10)

    model = build_model()
    model.summary()
    model.compile(loss="categorical_crossentropy",
                  optimizer=numnet.optimizers.Adadelta(learning_rate=1.0, rho=0.95),
                  metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=128, epochs=args.epochs,
                        validation_split=0.2, verbose=args.verbose)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Test loss: {loss:.4f} - test accuracy: {accuracy:.4f} "
          f"({args.backend} backend, {seconds / len(history.epoch):.2f} s per epoch)")


if __name__ == "__main__":
    main()
