"""Keras for R's "Basic regression" tutorial in numnet: Boston house prices from 13 features,
a 64-64-1 network on normalized features, RMSprop, early stopping on the validation loss.

Run:  python examples/regression.py [--epochs 500] [--seed 0] [--plot mae.png]

The data: Keras's boston_housing.npz from numnet's data directory, Debian's r-cran-mlbench
(its BostonHousing data frame), or a download (numnet.datasets.boston_housing says where).
"""

import argparse

import numpy as np

import numnet
from numnet import layers
from numnet.datasets import boston_housing

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=500)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--plot", help="save the mean absolute error per epoch to this PNG")
args = parser.parse_args()
numnet.set_random_seed(args.seed)

(train_data, train_labels), (test_data, test_labels) = boston_housing.load_data()
print("data from:", *map(str, numnet.datasets.source_of("boston_housing")))
print(f"train: {train_data.shape}, test: {test_data.shape}")
print("first sample:", np.round(train_data[0], 3), "price (k$):", train_labels[0])

# Features on different scales: a Normalization layer learns each one's mean and variance
# from the training data (adapt) and standardizes every batch inside the model.
normalizer = layers.Normalization()
normalizer.adapt(train_data)


def build_model():
    model = numnet.Sequential([
        layers.Input(shape=(train_data.shape[1],)),
        normalizer,
        layers.Dense(64, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(1),
    ])
    model.compile(loss="mse", optimizer=numnet.optimizers.RMSprop(),
                  metrics=["mean_absolute_error"])
    return model


class PrintDot(numnet.callbacks.Callback):
    """One dot per epoch, a line break every 80, as the tutorial's print_dot_callback."""

    def on_epoch_end(self, epoch, logs=None):
        print("." if (epoch + 1) % 80 else ".\n", end="", flush=True)


model = build_model()
model.summary()
early_stop = numnet.callbacks.EarlyStopping(monitor="val_loss", patience=20)
history = model.fit(train_data, train_labels, epochs=args.epochs, validation_split=0.2,
                    verbose=0, callbacks=[early_stop, PrintDot()])
print(f"\nstopped after {len(history.epoch)} epochs")

loss, mae = model.evaluate(test_data, test_labels, verbose=0)
print(f"Mean absolute error on test set: ${mae * 1000:,.0f}")

test_predictions = model.predict(test_data, verbose=0)[:, 0]
print("first predictions (k$):", np.round(test_predictions[:5], 1), "true:", test_labels[:5])

if args.plot:
    figure = numnet.plotting.plot_history(history, metrics=["mean_absolute_error"])
    figure.axes[0].set_ylim(0, 5)
    figure.savefig(args.plot, dpi=90)
    print("saved", args.plot)
