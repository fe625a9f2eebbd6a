"""One Keras contender of the text race in a process of its own (Keras picks its backend,
TensorFlow or JAX, once per process: KERAS_BACKEND). Builds text_task's model for the cell
named on the command line, then for every line "epoch" on stdin trains one epoch and prints
its validation accuracy; ends at end of input.

    KERAS_BACKEND=jax python benchmarks/keras_text_worker.py lstm
"""

import os
import sys

import keras
from text_task import BATCH, EMBEDDING, STEPS, UNITS, VOCABULARY, reviews

THREADS = int(os.environ.get("NUMNET_BENCH_THREADS", "2"))
if keras.backend.backend() == "tensorflow":
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(THREADS)
    tf.config.threading.set_inter_op_parallelism_threads(THREADS)

keras.utils.set_random_seed(0)
cell = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[sys.argv[1]]
model = keras.Sequential([keras.Input((STEPS,), dtype="int32"),
                          keras.layers.Embedding(VOCABULARY, EMBEDDING), cell(UNITS),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
(x, y), validation = reviews()
print("ready", flush=True)
for line in sys.stdin:
    if line.strip() != "epoch":
        continue
    history = model.fit(x, y, batch_size=BATCH, epochs=1, validation_data=validation, verbose=0)
    print(history.history["val_accuracy"][-1], flush=True)
