"""Keras 3 on examples/addition_rnn.py's model and data, for the comparison in the closing
notes and docs: the same generated questions (numnet's generator, seeded), the same model.

    /tmp/kerasvenv/bin/python benchmarks/keras_addition_rnn.py --epochs 10

Run in a throw-away environment with Keras (never numnet's)."""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402


def questions(size, digits, seed):
    """examples/addition_rnn.py's data, drawn the same way."""
    rng = np.random.default_rng(seed)
    chars = "0123456789+ "
    index = {c: i for i, c in enumerate(chars)}
    maxlen = 2 * digits + 1

    def number():
        return int("".join(rng.choice(list("0123456789"), rng.integers(1, digits + 1))))

    qs, answers, seen = [], [], set()
    while len(qs) < size:
        a, b = number(), number()
        if (min(a, b), max(a, b)) in seen:
            continue
        seen.add((min(a, b), max(a, b)))
        qs.append(f"{a}+{b}".ljust(maxlen)[::-1])
        answers.append(str(a + b).ljust(digits + 1))

    def encode(text, rows):
        one_hot = np.zeros((rows, len(chars)), dtype=bool)
        for i, c in enumerate(text):
            one_hot[i, index[c]] = True
        return one_hot
    x = np.stack([encode(q, maxlen) for q in qs])
    y = np.stack([encode(a, digits + 1) for a in answers])
    order = rng.permutation(len(x))
    return x[order], y[order], chars


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--size", type=int, default=50000)
    parser.add_argument("--digits", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import keras
    keras.utils.set_random_seed(args.seed)
    x, y, chars = questions(args.size, args.digits, args.seed)
    split = len(x) - len(x) // 10
    model = keras.Sequential([keras.Input((x.shape[1], len(chars))), keras.layers.LSTM(128),
                              keras.layers.RepeatVector(args.digits + 1),
                              keras.layers.LSTM(128, return_sequences=True),
                              keras.layers.Dense(len(chars), activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x[:split], y[:split], batch_size=32, epochs=args.epochs,
                        validation_data=(x[split:], y[split:]), verbose=2)
    print(f"Keras {keras.__version__}: val_accuracy {history.history['val_accuracy'][-1]:.4f} "
          f"after {args.epochs} epochs, {(time.perf_counter() - start) / args.epochs:.1f} s "
          "per epoch")


if __name__ == "__main__":
    main()
