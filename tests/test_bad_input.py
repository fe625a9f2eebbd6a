"""Bad input at every public entry point: the exception type, and a message that names the
argument, what was expected and what was received. Never a NumPy-internal traceback."""

import numpy as np
import pytest

import numnet
from numnet import layers


@pytest.fixture
def model():
    m = numnet.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                           layers.Dense(3, activation="softmax")])
    m.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    return m


X = np.zeros((10, 4), np.float32)
Y = numnet.utils.to_categorical(np.arange(10) % 3, 3)

CASES = [
    # (id, call(model), exception, message regex)
    ("x/y length mismatch", lambda m: m.fit(X, Y[:7], verbose=0), ValueError,
     r"x and y must have the same number of samples\. Received: x with 10 rows, y with 7 rows"),
    ("input width", lambda m: m.fit(np.zeros((10, 5)), Y, verbose=0), ValueError,
     r"x must be an array of shape \(n, 4\) to fit the model's input\. Received: x=array of shape \(10, 5\)"),
    ("predict width", lambda m: m.predict(np.zeros((2, 9))), ValueError,
     r"x must be an array of shape \(n, 4\).*Received: x=array of shape \(2, 9\)"),
    ("integer labels with categorical loss", lambda m: m.fit(X, np.arange(10) % 3, verbose=0), ValueError,
     r"y must be one-hot targets of shape \(n, 3\) for categorical_crossentropy.*to_categorical.*Received: y=array of shape \(10,\)"),
    ("one-hot width", lambda m: m.fit(X, np.zeros((10, 4)), verbose=0), ValueError,
     r"y must be an array of shape \(n, 3\) to fit the model's output for categorical_crossentropy\. Received: y=array of shape \(10, 4\)"),
    ("validation_split", lambda m: m.fit(X, Y, validation_split=1.0, verbose=0), ValueError,
     r"validation_split must be a float in \[0, 1\)\. Received: validation_split=1.0"),
    ("validation targets", lambda m: m.fit(X, Y, validation_data=(X, Y[:, :2]), verbose=0), ValueError,
     r"validation_data\[1\] must be an array of shape \(n, 3\) to fit the model's output for categorical_crossentropy\. Received: validation_data\[1\]=array of shape \(10, 2\)"),
    ("validation inputs", lambda m: m.fit(X, Y, validation_data=(X[:, :3], Y), verbose=0), ValueError,
     r"validation_data\[0\] must be an array of shape \(n, 4\) to fit the model's input\. Received: validation_data\[0\]=array of shape \(10, 3\)"),
    ("empty x", lambda m: m.fit(np.zeros((0, 4)), Y[:0], verbose=0), ValueError,
     r"x must be a non-empty array\. Received: x=array of shape \(0, 4\)"),
    ("string dtype", lambda m: m.fit(np.full((10, 4), "a"), Y, verbose=0), TypeError,
     r"x must be an array of real numbers \(int, uint, float or bool\)\. Received: x=array of shape \(10, 4\) and dtype <U1"),
    ("object dtype", lambda m: m.predict(np.array([[None] * 4], dtype=object)), TypeError,
     r"x must be an array of real numbers.*dtype object"),
    ("complex dtype", lambda m: m.predict(np.ones((2, 4), complex)), TypeError,
     r"x must be an array of real numbers.*dtype complex128"),
    ("NaN input", lambda m: m.fit(np.where(np.eye(10, 4) > 0, np.nan, 0), Y, verbose=0), ValueError,
     r"x must contain only finite numbers\. Received: x with 4 NaN or infinite value\(s\)"),
    ("inf target", lambda m: m.fit(X, np.where(Y > 0, np.inf, 0), verbose=0), ValueError,
     r"y must contain only finite numbers\. Received: y with 10 NaN or infinite value\(s\)"),
    ("batch_size 0", lambda m: m.fit(X, Y, batch_size=0, verbose=0), ValueError,
     r"batch_size must be a positive integer\. Received: batch_size=0"),
    ("epochs float", lambda m: m.fit(X, Y, epochs=2.5, verbose=0), TypeError,
     r"epochs must be a positive integer\. Received: epochs=2.5"),
    ("verbose", lambda m: m.fit(X, Y, verbose=3), ValueError,
     r"verbose must be 'auto', 0, 1 or 2\. Received: verbose=3"),
    ("validation_data shape", lambda m: m.fit(X, Y, validation_data=(X,), verbose=0), TypeError,
     r"validation_data must be a tuple \(x_val, y_val\[, sample_weight_val\]\) or a generator\. Received: validation_data=\(array"),
    ("validation_data width", lambda m: m.fit(X, Y, validation_data=(np.zeros((3, 2)), Y[:3]), verbose=0), ValueError,
     r"validation_data\[0\] must be an array of shape \(n, 4\).*Received: validation_data\[0\]=array of shape \(3, 2\)"),
    ("unknown metric", lambda m: m.compile(loss="mse", metrics=["precision"]), ValueError,
     r"metrics must be a list of names from \[.*'accuracy'.*\]\. Received: metrics='precision'"),
    ("metrics as a string", lambda m: m.compile(loss="mse", metrics="accuracy"), TypeError,
     r"metrics must be a list of metric names such as \['accuracy'\]\. Received: metrics='accuracy'"),
    ("unknown optimizer", lambda m: m.compile(loss="mse", optimizer="lion"), ValueError,
     r"optimizer must be one of \['adadelta', 'adagrad', 'adam', 'adamw', 'nadam', 'rmsprop', 'sgd'\].*Received: optimizer='lion'"),
    ("no loss", lambda m: m.compile(optimizer="sgd"), ValueError,
     r"loss must be a loss name such as 'categorical_crossentropy' or a Loss\. Received: loss=None"),
    ("callbacks not a list", lambda m: m.fit(X, Y, callbacks="csv", verbose=0), TypeError,
     r"callbacks must be a list of numnet.callbacks.Callback\. Received: callbacks='csv'"),
    ("callback of the wrong type", lambda m: m.fit(X, Y, callbacks=[print], verbose=0), TypeError,
     r"callbacks must be a list of numnet.callbacks.Callback instances\. Received: an item of type builtin_function_or_method"),
    ("x of rank 1", lambda m: m.fit(np.zeros(10), Y, verbose=0), ValueError,
     r"x must be an array with at least 2 dimension\(s\)\. Received: x=array of shape \(10,\)"),
    ("x of rank 3 for Dense", lambda m: m.predict(np.zeros((2, 4, 4))), ValueError,
     r"x must be an array of shape \(n, 4\) to fit the model's input\. Received: x=array of shape \(2, 4, 4\)"),
    ("x as a string", lambda m: m.predict("pixels"), TypeError,
     r"x must be an array of numbers\. Received: x='pixels'"),
    ("ragged x", lambda m: m.predict([[1, 2, 3, 4], [1, 2]]), TypeError,
     r"x must be an array of numbers\. Received: x=\[\[1, 2, 3, 4\], \[1, 2\]\]"),
    ("negative epochs", lambda m: m.fit(X, Y, epochs=-1, verbose=0), ValueError,
     r"epochs must be a positive integer\. Received: epochs=-1"),
    ("zero epochs", lambda m: m.fit(X, Y, epochs=0, verbose=0), ValueError,
     r"epochs must be a positive integer\. Received: epochs=0"),
    ("negative batch_size", lambda m: m.predict(X, batch_size=-8), ValueError,
     r"batch_size must be a positive integer\. Received: batch_size=-8"),
    ("zero steps_per_epoch", lambda m: m.fit(X, Y, steps_per_epoch=0, verbose=0), ValueError,
     r"steps_per_epoch must be a positive integer\. Received: steps_per_epoch=0"),
    ("negative validation_steps", lambda m: m.fit(X, Y, validation_data=(X, Y), validation_steps=-2, verbose=0), ValueError,
     r"validation_steps must be a positive integer\. Received: validation_steps=-2"),
    ("negative initial_epoch", lambda m: m.fit(X, Y, initial_epoch=-1, verbose=0), ValueError,
     r"initial_epoch must be a non-negative integer\. Received: initial_epoch=-1"),
    ("evaluate steps 0", lambda m: m.evaluate(X, Y, steps=0, verbose=0), ValueError,
     r"steps must be a positive integer\. Received: steps=0"),
    ("evaluate length mismatch", lambda m: m.evaluate(X[:3], Y, verbose=0), ValueError,
     r"x and y must have the same number of samples\. Received: x with 3 rows, y with 10 rows"),
    ("mismatched validation_data lengths", lambda m: m.fit(X, Y, validation_data=(X, Y[:4]), verbose=0), ValueError,
     r"validation_data\[0\] and validation_data\[1\] must have the same number of samples\. Received: validation_data\[0\] with 10 rows, validation_data\[1\] with 4 rows"),
    ("validation_split with a generator", lambda m: m.fit(iter([]), validation_split=0.2, verbose=0), ValueError,
     r"validation_split needs arrays; with a generator or Sequence pass validation_data\. Received: validation_split=0.2"),
    ("generator yielding a string", lambda m: m.fit(iter(["batch"] * 3), steps_per_epoch=1, verbose=0), ValueError,
     r"Each batch must be a tuple \(x, y\) or \(x, y, sample_weight\)\. Received: str from the training data, epoch 1, step 1"),
    ("generator yielding NaN", lambda m: m.fit(iter([(np.full((2, 4), np.nan), Y[:2])]), steps_per_epoch=1, verbose=0), ValueError,
     r"x must contain only finite numbers\. Received: x with 8 NaN or infinite value\(s\) \(in the training data, epoch 1, step 1\)"),
    ("on_nonfinite", lambda m: m.fit(X, Y, on_nonfinite="ignore", verbose=0), ValueError,
     r"on_nonfinite must be one of \['raise', 'skip', 'stop'\]\. Received: on_nonfinite='ignore'"),
    ("bool shuffle", lambda m: m.fit(X, Y, shuffle="yes", verbose=0), TypeError,
     r"shuffle must be True or False\. Received: shuffle='yes'"),
    ("set_weights count", lambda m: m.set_weights([np.zeros((4, 8))]), ValueError,
     r"weights must be a list of 4 arrays\. Received: 1 arrays"),
    ("set_weights shape", lambda m: m.set_weights([np.zeros((4, 9)), np.zeros(8), np.zeros((8, 3)), np.zeros(3)]), ValueError,
     r"Weight 'kernel' of layer 'dense(_\d+)?' must have shape \(4, 8\)\. Received: shape \(4, 9\)"),
]


@pytest.mark.parametrize("call, error, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_call_is_named(model, call, error, message):
    with pytest.raises(error, match=message):
        call(model)


def test_fit_before_compile():
    m = numnet.Sequential([layers.Dense(3, input_shape=(4,))])
    with pytest.raises(RuntimeError, match=r"You must call compile\(\) before fit\(\)"):
        m.fit(X, Y)


def test_sparse_labels_out_of_range(model):
    model.compile(loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"y must hold class labels in \[0, 2\] for a model with 3 "
                                         r"outputs\. Received: y with values in \[0, 5\]"):
        model.fit(X, np.arange(10) % 6, verbose=0)


CONSTRUCTOR_CASES = [
    (lambda: layers.Dense(0), ValueError, r"units must be a positive integer\. Received: units=0"),
    (lambda: layers.Dense("8"), TypeError, r"units must be a positive integer\. Received: units='8'"),
    (lambda: layers.Dense(4, kernel_initializer="orthogonall"), ValueError,
     r"kernel_initializer must be one of \[.*'glorot_uniform'.*\] or a callable\. Received: kernel_initializer='orthogonall'"),
    (lambda: layers.Dense(4, input_shape=(0,)), ValueError,
     r"input_shape must be a non-empty tuple of positive integers \(without the batch axis\)\. Received: input_shape=\(0,\)"),
    (lambda: layers.Dropout("0.5"), TypeError, r"rate must be a float in \[0, 1\)\. Received: rate='0.5'"),
    (lambda: layers.Activation("mish"), ValueError, r"activation must be one of \[.*\].*Received: activation='mish'"),
    (lambda: numnet.Sequential([layers.Dense(2), "relu"]), TypeError,
     r"layer must be a numnet.layers.Layer instance\. Received: layer='relu'"),
    (lambda: numnet.set_random_seed(-3), ValueError, r"seed must be a non-negative integer\. Received: seed=-3"),
    (lambda: numnet.config.set_backend("torch"), ValueError, r"backend must be one of \['numba', 'numpy'\]\. Received: name='torch'"),
]


@pytest.mark.parametrize("make, error, message", CONSTRUCTOR_CASES)
def test_bad_constructor_argument_is_named(make, error, message):
    with pytest.raises(error, match=message):
        make()


OTHER_CASES = [
    (lambda: numnet.utils.to_categorical([0, 1, 10], 10), ValueError,
     r"y must hold class labels in \[0, 9\] for num_classes=10\. Received: y with maximum 10"),
    (lambda: numnet.utils.to_categorical([0, 1], 0), ValueError, r"num_classes must be a positive integer\. Received: num_classes=0"),
    (lambda: numnet.utils.to_categorical([], 3), ValueError, r"y must be a non-empty array\. Received: y=array of shape \(0,\)"),
    (lambda: numnet.utils.to_categorical(["a", "b"], 3), TypeError, r"y must be an array of real numbers"),
    (lambda: numnet.callbacks.EarlyStopping(mode="minimum"), ValueError, r"mode must be one of \['auto', 'max', 'min'\]\. Received: mode='minimum'"),
    (lambda: numnet.callbacks.EarlyStopping(patience=-1), ValueError, r"patience must be a non-negative integer\. Received: patience=-1"),
    (lambda: numnet.callbacks.EarlyStopping(monitor=3), TypeError, r"monitor must be the name of a logged value such as 'val_loss'\. Received: monitor=3"),
    (lambda: numnet.callbacks.ReduceLROnPlateau(factor=1.5), ValueError, r"factor must be a float in \[0, 1\)\. Received: factor=1.5"),
    (lambda: numnet.callbacks.CSVLogger(123), TypeError, r"filename must be a path string\. Received: filename=123"),
    (lambda: numnet.callbacks.CSVLogger("x.csv", separator=";;"), ValueError, r"separator must be a single character\. Received: separator=';;'"),
    (lambda: numnet.callbacks.TensorBoard(update_freq=0), ValueError, r"update_freq must be a positive integer\. Received: update_freq=0"),
    (lambda: numnet.callbacks.ModelCheckpoint("m.npz", save_freq="batch"), ValueError, r"save_freq must be 'epoch' or a positive number of batches\. Received: save_freq='batch'"),
    (lambda: numnet.callbacks.ModelCheckpoint("m.npz", save_freq=0), ValueError, r"save_freq must be a positive integer\. Received: save_freq=0"),
    (lambda: numnet.callbacks.LearningRateScheduler(0.1), TypeError, r"schedule must be a callable \(epoch, lr\) -> lr\. Received: schedule=0.1"),
    (lambda: numnet.datasets.mnist.load_data(path="/nonexistent/mnist.npz"), FileNotFoundError,
     r"path must be an existing mnist.npz file\. Received: path='/nonexistent/mnist.npz'"),
    (lambda: numnet.load_model("/nonexistent/model.npz"), FileNotFoundError,
     r"filepath must be an existing numnet file\. Received: filepath='/nonexistent/model.npz'"),
    (lambda: numnet.optimizers.Adam(beta_2=1.0), ValueError, r"beta_2 must be a float in \[0, 1\)\. Received: beta_2=1.0"),
    (lambda: numnet.optimizers.SGD(nesterov="yes"), TypeError, r"nesterov must be True or False\. Received: nesterov='yes'"),
    (lambda: numnet.losses.CategoricalCrossentropy(from_logits=1), TypeError, r"from_logits must be True or False\. Received: from_logits=1"),
    (lambda: layers.Dense(4, use_bias="no"), TypeError, r"use_bias must be True or False\. Received: use_bias='no'"),
    (lambda: layers.Dense(4, dtype="int8"), ValueError, r"dtype must be 'float32' or 'float64'\. Received: dtype='int8'"),
    (lambda: layers.Softmax(axis="last"), TypeError, r"axis must be an integer\. Received: axis='last'"),
    (lambda: layers.Input(shape=(-1,)), ValueError, r"shape must be a non-empty tuple of positive integers"),
]




def image_classifier(*stack):
    """A compiled classifier of 28x28x1 images (or of whatever the first layer is given)."""
    model = numnet.Sequential(list(stack or (layers.Input(shape=(28, 28, 1)),
                                             layers.Conv2D(4, 3), layers.Flatten(),
                                             layers.Dense(3, activation="softmax"))))
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    return model


LABELS = np.arange(10) % 3
IMAGE_CASES = [
    (lambda: image_classifier().fit(np.zeros((10, 28, 28)), LABELS, verbose=0), ValueError,
     r"x must be an array of shape \(n, 28, 28, 1\) to fit the model's input \(add the channel axis: x\.reshape\(-1, 28, 28, 1\)\)"),
    (lambda: image_classifier().fit(np.zeros((10, 1, 28, 28)), LABELS, verbose=0), ValueError,
     r"\(the images look channels first; numnet's are channels last, as Keras's: x\.transpose\(0, 2, 3, 1\)\)"),
    (lambda: image_classifier().predict(np.zeros((10, 784))), ValueError,
     r"to fit the model's input \(x\.reshape\(-1, 28, 28, 1\) if the values are in that order\)"),
    (lambda: image_classifier(layers.Conv2D(4, 3)).fit(np.zeros((10, 1, 28, 28)), np.zeros((10, 1, 26, 4)), verbose=0), ValueError,
     r"kernel_size must be at most the \(padded\) input \(1, 28\) \(with dilation \(1, 1\)\); the images look channels first"),
    (lambda: image_classifier(layers.Input(shape=(3, 3, 1)), layers.MaxPooling2D(4)), ValueError,
     r"pool_size must be at most the \(padded\) input \(3, 3\)\. Received: pool_size=\(4, 4\)"),
    (lambda: layers.Conv2D(8, 3, strides=0), ValueError, r"strides must be a positive integer\. Received: strides=0"),
    (lambda: layers.Conv2D(-2, 3), ValueError, r"filters must be a positive integer\. Received: filters=-2"),
    (lambda: layers.MaxPooling2D((2, 0)), ValueError, r"pool_size must be a positive integer\. Received: pool_size=0"),
    (lambda: layers.AveragePooling2D(2, padding="full"), ValueError, r"padding must be 'valid' or 'same'\. Received: padding='full'"),
    (lambda: image_classifier(layers.Input(shape=(8, 8, 1)), layers.Conv2D(2, 3), layers.Dense(3)).fit(
        np.zeros((2, 8, 8, 1)), np.zeros(2), verbose=0), ValueError,
     r"this model's output is \(None, 6, 6, 3\) .*add a Flatten layer before Dense for images"),
    (lambda: layers.SpatialDropout2D(0.5, data_format="channels_first"), ValueError,
     r"data_format must be 'channels_last' \(numnet's images are channels last\)"),
    (lambda: layers.BatchNormalization(momentum=1.5), ValueError, r"momentum must be a float in \[0, 1\]\. Received: momentum=1.5"),
]
OTHER_CASES += IMAGE_CASES


def text_classifier(*stack):
    """A compiled classifier of 5-word integer sequences (or of whatever stack is given)."""
    model = numnet.Sequential(list(stack or (layers.Embedding(10, 3, input_length=5),
                                             layers.LSTM(2), layers.Dense(1))))
    model.compile(loss="mse", optimizer="sgd")
    return model


SEQUENCE_CASES = [
    (lambda: text_classifier().fit(np.full((2, 5), 0.5), np.zeros(2), verbose=0), ValueError,
     r"x must be integers \(indices\) for the model's int32 input; found fractional values"),
    (lambda: text_classifier().predict(np.full((2, 5), 10)), ValueError,
     r"x must be indices in \[0, 10\) for layer 'embedding.*' \(its input_dim=10\)\. "
     r"Received: x holding the index 10"),
    (lambda: text_classifier().predict(np.full((2, 5), -1)), ValueError,
     r"x must be indices in \[0, 10\).*Received: x holding the index -1"),
    (lambda: numnet.Sequential([layers.Input(shape=(4,)), layers.LSTM(2)]), ValueError,
     r"input_shape must be \(batch, steps, features\) for LSTM\. Received: input_shape=\(None, 4\)"),
    (lambda: numnet.Sequential([layers.Input(shape=(4,)), layers.GlobalAveragePooling1D()]),
     ValueError, r"input_shape must be \(batch, steps, features\) for GlobalAveragePooling1D"),
    (lambda: layers.GRU(3, dropout=1.0), ValueError,
     r"dropout must be a float in \[0, 1\)\. Received: dropout=1\.0"),
    (lambda: layers.LSTM(3, recurrent_dropout=-0.1), ValueError,
     r"recurrent_dropout must be a float in \[0, 1\)"),
    (lambda: layers.LSTM(3, return_state=True), ValueError, r"return_state must be False"),
    (lambda: layers.LSTM(3, recurrent_activation="softsign"), ValueError,
     r"recurrent_activation must be one of \['linear', 'relu', 'sigmoid', 'tanh'\]"),
    (lambda: layers.Embedding(10, 3, mask_zero=1), TypeError,
     r"mask_zero must be True or False\. Received: mask_zero=1"),
    (lambda: layers.Masking(mask_value="pad"), TypeError,
     r"mask_value must be a finite number\. Received: mask_value=.pad."),
    (lambda: layers.Embedding(0, 3), ValueError, r"input_dim must be a positive integer"),
    (lambda: layers.Input(shape=(3,), dtype="int8"), ValueError,
     r"dtype must be 'float32' or 'float64' or 'int32' or 'int64'\. Received: dtype='int8'"),
    (lambda: layers.RepeatVector(0), ValueError, r"n must be a positive integer"),
    (lambda: layers.Bidirectional(layers.Dense(2)), TypeError,
     r"layer must be a recurrent layer \(SimpleRNN, LSTM or GRU\)"),
    (lambda: layers.Bidirectional(layers.LSTM(2), merge_mode="max"), ValueError,
     r"merge_mode must be one of \['concat', 'sum', 'mul', 'ave'\]"),
    (lambda: layers.Bidirectional(layers.GRU(2, go_backwards=True)), ValueError,
     r"layer must be a layer with go_backwards=False"),
    (lambda: layers.TimeDistributed("dense"), TypeError, r"layer must be a layer of one input"),
    (lambda: numnet.Sequential([layers.Input(shape=(4,)), layers.TimeDistributed(layers.Dense(2))]),
     ValueError, r"input_shape must be \(batch, steps, \.\.\.\) for TimeDistributed"),
    (lambda: layers.Conv2DTranspose(2, 3, dilation_rate=2), ValueError,
     r"dilation_rate must be 1 \(numnet's Conv2DTranspose is not dilated\)"),
    (lambda: numnet.Sequential([layers.Input(shape=(4, 3)), layers.Conv2DTranspose(2, 2)]),
     ValueError, r"input_shape must be \(batch, rows, cols, channels\) for Conv2DTranspose"),
    (lambda: layers.Conv1D(2, 3, padding="full"), ValueError,
     r"padding must be 'valid', 'same' or 'causal'\. Received: padding='full'"),
    (lambda: numnet.Sequential([layers.Input(shape=(4, 4, 1)), layers.Conv1D(2, 2)]),
     ValueError, r"input_shape must be \(batch, steps, channels\) for Conv1D"),
    (lambda: numnet.Sequential([layers.Input(shape=(4, 2)), layers.Cropping1D((2, 2))]),
     ValueError, r"cropping must be less than the input's size \(4,\)"),
    (lambda: layers.UpSampling2D(interpolation="bilinear"), ValueError,
     r"interpolation must be 'nearest'"),
    (lambda: layers.ZeroPadding2D(((1, 2), (3,))), ValueError,
     r"padding must be an int, 2 int\(s\) or 2 pair\(s\) of ints"),
    (lambda: numnet.Sequential([layers.Input(shape=(4,)), layers.MaxPooling1D()]),
     ValueError, r"input_shape must be \(batch, steps, features\) for MaxPooling1D"),
    (lambda: numnet.Sequential([layers.Input(shape=(4, 2)), layers.RepeatVector(3)]), ValueError,
     r"input_shape must be \(batch, features\) for RepeatVector"),
]
OTHER_CASES += SEQUENCE_CASES


@pytest.mark.parametrize("make, error, message", OTHER_CASES)
def test_bad_argument_elsewhere_is_named(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_monitoring_a_metric_that_does_not_exist_asks_for_a_mode_or_warns_and_trains_on(model):
    """As Keras: with mode="auto" a name that is neither the loss nor a compiled metric is an
    error at the first epoch's end; with a mode it is only missing from the logs."""
    with pytest.raises(ValueError, match=r"EarlyStopping callback received monitor=val_precision, "
                                         r"but numnet cannot tell whether it should be maximized or "
                                         r"minimized.*Pass mode='max'.*or mode='min'"):
        model.fit(X, Y, epochs=3, validation_split=0.2, verbose=0,
                  callbacks=[numnet.callbacks.EarlyStopping(monitor="val_precision")])
    stopper = numnet.callbacks.EarlyStopping(monitor="val_precision", mode="max")
    with pytest.warns(RuntimeWarning, match=r"EarlyStopping is monitoring 'val_precision', which is not in the logs"):
        history = model.fit(X, Y, epochs=3, validation_split=0.2, callbacks=[stopper], verbose=0)
    assert history.epoch == [0, 1, 2]


def test_the_suite_tries_at_least_40_distinct_bad_calls():
    """Each case above asserts the exception type and numnet's message (never a NumPy-internal
    IndexError or broadcasting error); this keeps the suite's promised breadth."""
    expected_types = {ValueError, TypeError, FileNotFoundError}
    cases = CASES + CONSTRUCTOR_CASES + OTHER_CASES
    assert all(case[-2] in expected_types for case in cases)
    assert len(cases) >= 40


def test_dense_on_images_without_flatten_says_so_at_the_targets():
    """Dense acts on the last axis of N-D inputs (as Keras): the mismatch shows at y."""
    model = numnet.Sequential([layers.Dense(3, activation="softmax", input_shape=(28, 28))])
    model.compile(loss="categorical_crossentropy", optimizer="sgd")
    assert model.output_shape == (None, 28, 3)
    with pytest.raises(ValueError, match=r"y must be an array of shape \(n, 28, 3\).*add a "
                                         r"Flatten layer before Dense for images"):
        model.fit(np.zeros((2, 28, 28)), np.zeros((2, 3)), verbose=0)


def test_summary_before_build_is_explained():
    with pytest.raises(ValueError, match=r"This model has not yet been built"):
        numnet.Sequential([layers.Dense(3)]).summary()
