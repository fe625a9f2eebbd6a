"""Keras for R's "Save and restore models" tutorial in numnet: a small MNIST model (the first
1,000 images) saved whole, checkpointed during training (every epoch, one file per epoch,
the best only), restored into a fresh model, and training resumed from a checkpoint.

Run:  python examples/save_and_restore.py [--dir checkpoints] [--seed 0]
"""

import argparse
import os
import tempfile

import numnet
from numnet import layers

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--dir", help="where the files go (default: a temporary folder)")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()
numnet.set_random_seed(args.seed)
folder = args.dir or tempfile.mkdtemp(prefix="numnet-checkpoints-")
os.makedirs(folder, exist_ok=True)

(train_images, train_labels), (test_images, test_labels) = numnet.datasets.mnist.load_data()
print("data from:", *map(str, numnet.datasets.source_of("mnist")))
train_images = train_images[:1000].reshape(-1, 784).astype("float32") / 255
test_images = test_images[:1000].reshape(-1, 784).astype("float32") / 255
train_labels, test_labels = train_labels[:1000], test_labels[:1000]


def create_model():
    model = numnet.Sequential([
        layers.Input(shape=(784,)),
        layers.Dense(512, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def accuracy(model) -> float:
    return model.evaluate(test_images, test_labels, verbose=0, return_dict=True)["accuracy"]


# 1. The whole model (architecture, weights, optimizer state) in one file.
model = create_model()
model.fit(train_images, train_labels, epochs=5, verbose=0)
whole = os.path.join(folder, "model.npz")
model.save(whole)
restored = numnet.load_model(whole)
print(f"saved model: accuracy {accuracy(model):.3f}, loaded: {accuracy(restored):.3f}")

# 2. Weights checkpointed at the end of every epoch, restored into an untrained model.
checkpoint = os.path.join(folder, "cp.weights.npz")
model = create_model()
model.fit(train_images, train_labels, epochs=10, verbose=0,
          validation_data=(test_images, test_labels),
          callbacks=[numnet.callbacks.ModelCheckpoint(checkpoint, save_weights_only=True)])
fresh = create_model()
print(f"untrained model: accuracy {accuracy(fresh):.3f}")
fresh.load_weights(checkpoint)
print(f"restored from {os.path.basename(checkpoint)}: accuracy {accuracy(fresh):.3f}")

# 3. One file per epoch, named by epoch and validation loss; and only the best epochs.
model = create_model()
per_epoch = os.path.join(folder, "weights.{epoch:02d}-{val_loss:.2f}.weights.npz")
best = os.path.join(folder, "best.weights.npz")
model.fit(train_images, train_labels, epochs=10, verbose=0,
          validation_data=(test_images, test_labels),
          callbacks=[numnet.callbacks.ModelCheckpoint(per_epoch, save_weights_only=True),
                     numnet.callbacks.ModelCheckpoint(best, save_weights_only=True,
                                                      save_best_only=True, verbose=1)])
print("checkpoints:", ", ".join(sorted(f for f in os.listdir(folder) if f.startswith("w"))))

# 4. Resuming: a saved model goes on training from the epoch it reached.
resumed = numnet.load_model(whole)
history = resumed.fit(train_images, train_labels, epochs=8, initial_epoch=5, verbose=0,
                      validation_data=(test_images, test_labels))
print(f"resumed at epoch 6, trained to {history.epoch[-1] + 1}: accuracy "
      f"{accuracy(resumed):.3f}")
print("files in", folder)
