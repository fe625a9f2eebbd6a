"""The functional API on MNIST: a residual MLP with two outputs, the digit (softmax) and
whether it is even (sigmoid), each with its loss, loss weight and metric.

Run:  python examples/mnist_functional.py [--epochs 10] [--seed 0] [--backend numba|numpy]
"""

import argparse
import os
import time

import numpy as np

import numnet
from numnet import layers

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--backend", choices=["numba", "numpy"], default=numnet.config.backend())
parser.add_argument("--verbose", type=int, default=2, choices=[0, 1, 2])
parser.add_argument("--output", default="output/mnist_functional")
args = parser.parse_args()
numnet.config.set_backend(args.backend)
numnet.set_random_seed(args.seed)

(x_train, y_train), (x_test, y_test) = numnet.datasets.mnist.load_data()
x_train, x_test = x_train.reshape(-1, 784), x_test.reshape(-1, 784)  # uint8, scaled in the model
targets_train = {"digit": numnet.utils.to_categorical(y_train, 10),
                 "even": (y_train % 2 == 0).astype("float32")[:, None]}
targets_test = {"digit": numnet.utils.to_categorical(y_test, 10),
                "even": (y_test % 2 == 0).astype("float32")[:, None]}

# A graph: two residual blocks (h + f(h)), then a head per output.
pixels = numnet.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu", name="stem")(layers.Rescaling(1 / 255)(pixels))
for block in range(2):
    f = layers.Dense(256, activation="relu", name=f"block{block}_dense")(h)
    f = layers.Dropout(0.3, name=f"block{block}_dropout")(f)
    h = layers.Add(name=f"block{block}_add")([h, f])
digit = layers.Dense(10, activation="softmax", name="digit")(h)
even = layers.Dense(1, activation="sigmoid", name="even")(h)
model = numnet.Model(pixels, {"digit": digit, "even": even}, name="residual_two_heads")
model.summary()
model.compile(optimizer=numnet.optimizers.Adam(1e-3),
              loss={"digit": "categorical_crossentropy", "even": "binary_crossentropy"},
              loss_weights={"digit": 1.0, "even": 0.5},
              metrics={"digit": ["accuracy"], "even": ["accuracy"]})

start = time.perf_counter()
history = model.fit(x_train, targets_train, epochs=args.epochs, batch_size=128,
                    validation_split=0.2, verbose=args.verbose)
seconds = time.perf_counter() - start

results = model.evaluate(x_test, targets_test, verbose=0, return_dict=True)
print("Test: " + " - ".join(f"{k}: {v:.4f}" for k, v in results.items())
      + f" ({args.backend} backend, {seconds / len(history.epoch):.2f} s per epoch)")
predicted = model.predict(x_test[:5])
print("First five test digits:", y_test[:5].tolist(), "predicted:",
      np.argmax(predicted["digit"], axis=1).tolist(), "even:",
      (predicted["even"][:, 0] > 0.5).tolist())
os.makedirs(args.output, exist_ok=True)
print("Graph drawn to", numnet.utils.plot_model(model, os.path.join(args.output, "model.png")))
numnet.plot_history(history, os.path.join(args.output, "history.png"))
print("History plotted to", os.path.join(args.output, "history.png"))
