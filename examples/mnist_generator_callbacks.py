"""The tutorial's second half: train from a sampling generator with callbacks (CSV log, early
stopping, TensorBoard), then plot the history and the model, and save the model.

Run:  python examples/mnist_generator_callbacks.py   (the tutorial: 50 epochs of 500 steps,
      about a minute; early stopping usually ends it sooner)
      python examples/mnist_generator_callbacks.py --epochs 5 --steps 100   (a quick look)
Then: tensorboard --logdir <output>/tensorboard
"""

import argparse
import os
import time

import numpy as np

import numnet
from numnet import layers

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=50)
parser.add_argument("--steps", type=int, default=500, help="steps_per_epoch")
parser.add_argument("--output", default="output/mnist_generator")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--verbose", type=int, default=1, choices=[0, 1, 2])
args = parser.parse_args()
numnet.set_random_seed(args.seed)
rng = np.random.default_rng(args.seed)

(x_train, y_train), (x_test, y_test) = numnet.datasets.mnist.load_data()  # uint8, in memory


def sampling_generator(x, y, batch_size, rng):
    """Each call samples batch_size images and preprocesses only those (uint8 -> float32)."""
    def next_batch():
        idx = rng.choice(len(x), batch_size, replace=False)
        xb = x[idx].reshape(batch_size, 784).astype("float32") / 255
        return xb, numnet.utils.to_categorical(y[idx], 10)
    return next_batch


model = numnet.Sequential([
    layers.Dense(256, activation="relu", input_shape=(784,)),
    layers.Dropout(0.4),
    layers.Dense(128, activation="relu"),
    layers.Dropout(0.3),
    layers.Dense(10, activation="softmax"),
])
model.compile(loss="categorical_crossentropy", optimizer=numnet.optimizers.RMSprop(),
              metrics=["accuracy"])

out = args.output
callbacks = [
    numnet.callbacks.CSVLogger(os.path.join(out, "log", "mnist_%Y%m%d_%H%M.csv")),
    numnet.callbacks.EarlyStopping(patience=5, verbose=1),
    numnet.callbacks.TensorBoard(os.path.join(out, "tensorboard", "mnist_run")),
    numnet.callbacks.ModelCheckpoint(os.path.join(out, "best_model.npz"), save_best_only=True),
]
valid = sampling_generator(x_test, y_test, len(x_test), rng)()  # one batch of all 10,000
start = time.perf_counter()
history = model.fit(sampling_generator(x_train, y_train, 128, rng), steps_per_epoch=args.steps,
                    epochs=args.epochs, validation_data=valid, callbacks=callbacks,
                    verbose=args.verbose)
seconds = time.perf_counter() - start

numnet.plot_history(history, os.path.join(out, "history.png"))
numnet.utils.plot_model(model, to_file=os.path.join(out, "model.png"), show_shapes=True)
model.save(os.path.join(out, "final_model.npz"))

stopper = callbacks[1]
loss, accuracy = model.evaluate(*valid, verbose=0)
print(f"Trained {len(history.epoch)} of {args.epochs} epochs in {seconds:.1f} s"
      + (f" (early stopping at epoch {stopper.stopped_epoch + 1}, best epoch "
         f"{stopper.best_epoch + 1})" if stopper.stopped_epoch else ""))
print(f"Test loss: {loss:.4f} - test accuracy: {accuracy:.4f}")
print(f"Output in {os.path.abspath(out)}:")
for root, _, files in sorted(os.walk(out)):
    for name in sorted(files):
        print("  " + os.path.relpath(os.path.join(root, name), out))
print(f"View the curves with:  tensorboard --logdir {os.path.join(out, 'tensorboard')}")
