"""The text race's data and model, in one place for every contender (numnet, PyTorch, and the
Keras workers in their own processes): 80-word "reviews" over a 2,000-word vocabulary, each
holding one marker word (1 in a positive review, 2 in a negative one) at a random step among
uniformly drawn words; an Embedding(2000, 32) -> LSTM(64) or GRU(64) -> Dense(1, sigmoid)
classifier, Adam, batch 64. NumPy only, so that any venv can import it."""

import numpy as np

VOCABULARY, STEPS, EMBEDDING, UNITS, BATCH = 2000, 80, 32, 64, 64
TRAIN, VALIDATION = 8192, 1024


def reviews(seed: int = 0):
    """(x_train int32 (8192, 80), y_train float32 (8192, 1)), and the same for 1,024
    validation reviews."""
    rng = np.random.default_rng(seed)
    n = TRAIN + VALIDATION
    x = rng.integers(3, VOCABULARY, (n, STEPS)).astype(np.int32)
    y = rng.integers(0, 2, n).astype(np.float32)
    x[np.arange(n), rng.integers(0, STEPS, n)] = np.where(y == 1, 1, 2)
    y = y[:, None]
    return (x[:TRAIN], y[:TRAIN]), (x[TRAIN:], y[TRAIN:])
