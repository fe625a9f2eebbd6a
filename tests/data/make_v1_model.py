"""Writes model_v1.npz (a compiled, trained model file) and model_v1_expected.npz (inputs,
the model's predictions, and its weights after one more epoch of fit(initial_epoch=2))."""
import sys
import numpy as np
import numnet
from numnet import layers

out = sys.argv[1]
numnet.config.set_backend("numpy")
numnet.set_random_seed(3)
g = np.random.default_rng(0)
x = g.standard_normal((48, 6)).astype("float32")
y = numnet.utils.to_categorical((x[:, 0] > 0).astype(int) + (x[:, 1] > 1).astype(int), 3)
model = numnet.Sequential([layers.Input(shape=(6,)), layers.Dense(8, activation="relu"),
                           layers.Dropout(0.5), layers.Dense(3, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer=numnet.optimizers.RMSprop(0.01),
              metrics=["accuracy"])
model.fit(x, y, epochs=2, batch_size=16, verbose=0)
model.save(f"{out}/model_v1.npz")
probs = model.predict(x)
model.fit(x, y, epochs=3, initial_epoch=2, batch_size=16, verbose=0)
np.savez(f"{out}/model_v1_expected.npz", x=x, y=y, predictions=probs,
         **{f"weights_after_epoch_3_{i}": w for i, w in enumerate(model.get_weights())})
