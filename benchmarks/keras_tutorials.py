"""Keras 3 on the tutorials numnet's examples port (basic_classification.py, regression.py),
line for line, on the same files, for the results table in the README.

    /tmp/kerasvenv/bin/python benchmarks/keras_tutorials.py classification --seed 0
    /tmp/kerasvenv/bin/python benchmarks/keras_tutorials.py regression --seed 0

Run in a throw-away environment with Keras (never numnet's). The data come through Keras's
own loaders, pointed at the files numnet reads: Debian's Fashion-MNIST files, and an npz of
the 506 rows of Debian's BostonHousing.rda in Keras's layout
(tests/golden/dataset_files/boston_mlbench.npz). Prints one JSON line.
"""

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = os.path.dirname(os.path.abspath(__file__))
FASHION = "/usr/share/datasets/fashion-mnist"
BOSTON = os.path.join(HERE, "..", "tests", "golden", "dataset_files", "boston_mlbench.npz")


def classification(keras, epochs):
    from keras.src.datasets import fashion_mnist
    fashion_mnist.get_file = lambda fname, origin=None, **kw: os.path.join(FASHION, fname)
    (train_images, train_labels), (test_images, test_labels) = fashion_mnist.load_data()
    train_images, test_images = train_images / 255.0, test_images / 255.0
    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(train_images, train_labels, epochs=epochs, verbose=0)
    loss, accuracy = model.evaluate(test_images, test_labels, verbose=0)
    return {"test_loss": loss, "test_accuracy": accuracy}


def regression(keras, epochs):
    from keras.src.datasets import boston_housing
    boston_housing.get_file = lambda *a, **kw: BOSTON
    (train_data, train_labels), (test_data, test_labels) = boston_housing.load_data()
    normalizer = keras.layers.Normalization()
    normalizer.adapt(train_data)
    model = keras.Sequential([keras.Input(shape=(train_data.shape[1],)), normalizer,
                              keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer=keras.optimizers.RMSprop(),
                  metrics=["mean_absolute_error"])
    early_stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=20)
    history = model.fit(train_data, train_labels, epochs=epochs, validation_split=0.2,
                        verbose=0, callbacks=[early_stop])
    loss, mae = model.evaluate(test_data, test_labels, verbose=0)
    return {"test_mae_dollars": mae * 1000, "epochs": len(history.epoch)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tutorial", choices=["classification", "regression"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int)
    args = parser.parse_args()
    import keras
    keras.utils.set_random_seed(args.seed)
    run = classification if args.tutorial == "classification" else regression
    epochs = args.epochs or (5 if args.tutorial == "classification" else 500)
    print(json.dumps({"tutorial": args.tutorial, "seed": args.seed, "keras": keras.__version__,
                      **run(keras, epochs)}))


if __name__ == "__main__":
    main()
