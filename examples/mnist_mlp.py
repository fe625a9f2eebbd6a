"""The Keras MNIST tutorial with numnet: a 784-256-128-10 MLP with dropout, trained with RMSprop.

Run:  python examples/mnist_mlp.py [--epochs 30] [--seed 0] [--backend numba|numpy]
                                   [--float32-images]
"""

import argparse
import time

import numnet
from numnet import layers

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--backend", choices=["numba", "numpy"], default=numnet.config.backend())
parser.add_argument("--verbose", type=int, default=1, choices=[0, 1, 2])
parser.add_argument("--float32-images", action="store_true",
                    help="convert all images to float32 up front, as the Keras tutorial does "
                         "(+165 MB), instead of scaling each batch in a Rescaling layer")
args = parser.parse_args()
numnet.config.set_backend(args.backend)
numnet.set_random_seed(args.seed)

# Data: 60,000 training and 10,000 test images of 28x28 pixels, bundled with numnet. They stay
# uint8 (55 MB) and the model's first layer scales each batch of 128 to [0, 1].
(x_train, y_train), (x_test, y_test) = numnet.datasets.mnist.load_data()
x_train = x_train.reshape(len(x_train), 784)
x_test = x_test.reshape(len(x_test), 784)
if args.float32_images:  # the tutorial's way: 220 MB of float32 pixels
    x_train = x_train.astype("float32")
    x_test = x_test.astype("float32")
    x_train /= 255  # in place: `astype(...) / 255` would briefly hold a second 180 MB copy
    x_test /= 255
y_train = numnet.utils.to_categorical(y_train, 10)
y_test = numnet.utils.to_categorical(y_test, 10)

# Model: two hidden layers with dropout, softmax over the 10 digits.
model = numnet.Sequential([
    layers.Input(shape=(784,)),
    *([] if args.float32_images else [layers.Rescaling(1 / 255)]),
    layers.Dense(256, activation="relu"),
    layers.Dropout(0.4),
    layers.Dense(128, activation="relu"),
    layers.Dropout(0.3),
    layers.Dense(10, activation="softmax"),
])
model.summary()
model.compile(loss="categorical_crossentropy", optimizer=numnet.optimizers.RMSprop(),
              metrics=["accuracy"])

# Train on 80% of the training set, validate on the last 20%.
start = time.perf_counter()
history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=128,
                    validation_split=0.2, verbose=args.verbose)
seconds = time.perf_counter() - start

loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"Test loss: {loss:.4f} - test accuracy: {accuracy:.4f} "
      f"({args.backend} backend, {seconds / len(history.epoch):.2f} s per epoch)")
