"""Keras for R's "Basic classification" tutorial in numnet: Fashion-MNIST clothes, a
784-128-10 network, Adam, 5 epochs.

Run:  python examples/basic_classification.py [--epochs 5] [--seed 0] [--plot predictions.png]

The data: Fashion-MNIST's four files, from numnet's data directory, Debian's
dataset-fashion-mnist, or a download (numnet.datasets.fashion_mnist says where it looks).
"""

import argparse

import numpy as np

import numnet
from numnet import layers
from numnet.datasets import fashion_mnist

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--verbose", type=int, default=2, choices=[0, 1, 2])
parser.add_argument("--plot", help="save the first 25 test images with their predicted "
                                   "labels to this PNG")
args = parser.parse_args()
numnet.set_random_seed(args.seed)

(train_images, train_labels), (test_images, test_labels) = fashion_mnist.load_data()
print("data from:", ", ".join(sorted({str(p.parent) for p in
                                      numnet.datasets.source_of("fashion-mnist")})))
class_names = fashion_mnist.CLASS_NAMES
print(f"train: {train_images.shape}, test: {test_images.shape}, classes: {len(class_names)}")

# Pixels from 0-255 to 0-1, as the tutorial does before training.
train_images = train_images.astype("float32") / 255
test_images = test_images.astype("float32") / 255

model = numnet.Sequential([
    layers.Flatten(input_shape=(28, 28)),
    layers.Dense(128, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()

model.fit(train_images, train_labels, epochs=args.epochs, verbose=args.verbose)

score = model.evaluate(test_images, test_labels, verbose=0, return_dict=True)
print(f"Test loss: {score['loss']:.4f}")
print(f"Test accuracy: {score['accuracy']:.4f}")

predictions = model.predict(test_images, verbose=0)
predicted = np.argmax(predictions, axis=1)
print("first test image:", class_names[predicted[0]], f"({predictions[0].max():.1%}),",
      "truly", class_names[test_labels[0]])

if args.plot:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 8.6))
    for i in range(25):
        axes = figure.add_subplot(5, 5, i + 1)
        axes.imshow(test_images[i], cmap="binary")
        axes.set_xticks([])
        axes.set_yticks([])
        right = predicted[i] == test_labels[i]
        axes.set_xlabel(f"{class_names[predicted[i]]}\n({class_names[test_labels[i]]})",
                        color="green" if right else "red", fontsize=8)
    figure.tight_layout()
    figure.savefig(args.plot, dpi=90)
    print("saved", args.plot)
