"""Keras's "Sequence to sequence learning for performing number addition" in numnet: strings
such as "535+61" in, "596" out, one character per step, an LSTM encoder, the encoding repeated
for each answer digit (RepeatVector), an LSTM decoder and a softmax over the characters at
every step. The data are generated (no files).

Run:  python examples/addition_rnn.py [--epochs 30] [--size 50000] [--seed 0]
"""

import argparse

import numpy as np

import numnet
from numnet import layers

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--size", type=int, default=50000, help="questions generated")
parser.add_argument("--digits", type=int, default=3)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--verbose", type=int, default=2, choices=[0, 1, 2])
args = parser.parse_args()
numnet.set_random_seed(args.seed)
rng = np.random.default_rng(args.seed)

DIGITS = args.digits
MAXLEN = DIGITS + 1 + DIGITS  # "123+456"
CHARS = "0123456789+ "
INDEX = {c: i for i, c in enumerate(CHARS)}


def encode(text: str, rows: int) -> np.ndarray:
    """One-hot (rows, characters) of `text` padded to `rows`."""
    one_hot = np.zeros((rows, len(CHARS)), dtype=bool)
    for i, c in enumerate(text):
        one_hot[i, INDEX[c]] = True
    return one_hot


def decode(one_hot: np.ndarray) -> str:
    return "".join(CHARS[i] for i in one_hot.argmax(axis=-1))


# Questions a+b with up to DIGITS digits each, every pair once; the question is reversed (as
# the Keras example does: the digits the answer starts with end up near the decoder).
def number() -> int:
    return int("".join(rng.choice(list("0123456789"), rng.integers(1, DIGITS + 1))))


questions, answers, seen = [], [], set()
while len(questions) < args.size:
    a, b = number(), number()
    if (min(a, b), max(a, b)) in seen:
        continue
    seen.add((min(a, b), max(a, b)))
    questions.append(f"{a}+{b}".ljust(MAXLEN)[::-1])
    answers.append(str(a + b).ljust(DIGITS + 1))
print(f"{len(questions)} questions, e.g. {questions[0][::-1]!r} -> {answers[0]!r}")

x = np.stack([encode(q, MAXLEN) for q in questions])
y = np.stack([encode(a, DIGITS + 1) for a in answers])
order = rng.permutation(len(x))
x, y = x[order], y[order]
split = len(x) - len(x) // 10
(x_train, y_train), (x_val, y_val) = (x[:split], y[:split]), (x[split:], y[split:])
print("training:", x_train.shape, y_train.shape, "validation:", x_val.shape, y_val.shape)

model = numnet.Sequential([
    layers.Input(shape=(MAXLEN, len(CHARS))),
    layers.LSTM(128),  # the encoder: the question as one vector
    layers.RepeatVector(DIGITS + 1),  # handed to every step of the answer
    layers.LSTM(128, return_sequences=True),  # the decoder
    layers.Dense(len(CHARS), activation="softmax"),  # a character per step
])
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.summary()

history = model.fit(x_train, y_train, batch_size=32, epochs=args.epochs,
                    validation_data=(x_val, y_val), verbose=args.verbose)

predicted = model.predict(x_val, verbose=0).argmax(axis=-1)
exact = (predicted == y_val.argmax(axis=-1)).all(axis=1).mean()
print(f"validation: per-character accuracy {history.history['val_accuracy'][-1]:.4f}, "
      f"whole answers right {exact:.4f}")
for i in range(8):
    question, truth, guess = decode(x_val[i])[::-1], decode(y_val[i]), decode(
        np.eye(len(CHARS))[predicted[i]])
    print(f"  {question} = {guess} {'ok' if guess == truth else 'wrong, ' + truth}")
