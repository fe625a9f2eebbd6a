"""Sequence models built the same way with Keras and with numnet, for the golden values in
recurrent.json (made by `make_graph_golden.py --cases recurrent`, read by
tests/test_recurrent_parity.py). Makers as in graph_cases.py; integer inputs are word
indices below VOCABULARY."""

VOCABULARY = 20


def embedding_lstm(K):
    x = K.Input((6,), dtype="int32", name="words")
    h = K.layers.Embedding(VOCABULARY, 4, name="embed")(x)
    h = K.layers.LSTM(5, name="lstm")(h)
    return K.Model(x, K.layers.Dense(1, activation="sigmoid", name="out")(h)), {
        "loss": "binary_crossentropy", "metrics": ["accuracy"]}


def embedding_gru_sparse(K):
    x = K.Input((7,), dtype="int32", name="words")
    h = K.layers.Embedding(VOCABULARY, 3, name="embed")(x)
    h = K.layers.GRU(4, name="gru")(h)
    return K.Model(x, K.layers.Dense(3, activation="softmax", name="out")(h)), {
        "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}


def gru_reset_before_sequences(K):
    x = K.Input((6, 3), name="series")
    h = K.layers.GRU(4, reset_after=False, return_sequences=True, name="gru")(x)
    h = K.layers.GlobalAveragePooling1D(name="mean")(h)
    return K.Model(x, K.layers.Dense(2, name="out")(h)), {"loss": "mse"}


def simple_rnn_backwards(K):
    x = K.Input((5, 3), name="series")
    h = K.layers.SimpleRNN(4, go_backwards=True, name="rnn")(x)
    return K.Model(x, K.layers.Dense(3, activation="softmax", name="out")(h)), {
        "loss": "categorical_crossentropy", "metrics": ["accuracy"]}


def lstm_sequences_dense_per_step(K):
    x = K.Input((5, 2), name="series")
    h = K.layers.LSTM(3, return_sequences=True, use_bias=False, name="lstm")(x)
    h = K.layers.Dense(4, activation="relu", name="per_step")(h)
    h = K.layers.GlobalMaxPooling1D(name="max")(h)
    return K.Model(x, K.layers.Dense(1, name="out")(h)), {"loss": "mse"}


def stacked_lstm_gru(K):
    x = K.Input((6,), dtype="int32", name="words")
    h = K.layers.Embedding(VOCABULARY, 3, name="embed")(x)
    h = K.layers.LSTM(4, return_sequences=True, unit_forget_bias=False, go_backwards=True,
                      name="lstm")(h)
    h = K.layers.GRU(3, activation="relu", name="gru")(h)
    return K.Model(x, K.layers.Dense(1, activation="sigmoid", name="out")(h)), {
        "loss": "binary_crossentropy"}


def sequence_tagger(K):
    """A label per step: sparse cross-entropy and accuracy over (n, steps, classes)."""
    x = K.Input((5,), dtype="int32", name="words")
    h = K.layers.Embedding(VOCABULARY, 4, name="embed")(x)
    h = K.layers.LSTM(4, return_sequences=True, name="lstm")(h)
    return K.Model(x, K.layers.Dense(3, activation="softmax", name="tags")(h)), {
        "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}


def repeat_decoder(K):
    """The addition RNN's shape: an encoding repeated, decoded step by step, one-hot targets."""
    x = K.Input((3,), name="code")
    h = K.layers.RepeatVector(4, name="repeat")(x)
    h = K.layers.GRU(3, return_sequences=True, name="gru")(h)
    return K.Model(x, K.layers.Dense(5, activation="softmax", name="digits")(h)), {
        "loss": "categorical_crossentropy", "metrics": ["accuracy"]}


# ---- masks: padded steps skipped by the recurrent layers, the pooling, the loss and metrics
def masked_lstm_classifier(K):
    x = K.Input((6,), dtype="int32", name="words")
    h = K.layers.Embedding(VOCABULARY, 4, mask_zero=True, name="embed")(x)
    h = K.layers.LSTM(5, name="lstm")(h)
    return K.Model(x, K.layers.Dense(1, activation="sigmoid", name="out")(h)), {
        "loss": "binary_crossentropy", "metrics": ["accuracy"]}


def masked_gru_tagger(K):
    """A label per step; the padded steps are left out of the loss and the accuracy."""
    x = K.Input((5,), dtype="int32", name="words")
    h = K.layers.Embedding(VOCABULARY, 3, mask_zero=True, name="embed")(x)
    h = K.layers.GRU(4, return_sequences=True, name="gru")(h)
    return K.Model(x, K.layers.Dense(3, activation="softmax", name="tags")(h)), {
        "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}


def masked_average(K):
    x = K.Input((6,), dtype="int32", name="words")
    h = K.layers.Embedding(VOCABULARY, 4, mask_zero=True, name="embed")(x)
    h = K.layers.GlobalAveragePooling1D(name="mean")(h)
    return K.Model(x, K.layers.Dense(2, activation="softmax", name="out")(h)), {
        "loss": "categorical_crossentropy", "metrics": ["accuracy"]}


def masking_rnn_backwards(K):
    """Masking on float steps; a reversed SimpleRNN; mean squared error per real step."""
    x = K.Input((5, 3), name="series")
    h = K.layers.Masking(0.0, name="padding")(x)
    h = K.layers.SimpleRNN(4, go_backwards=True, return_sequences=True, name="rnn")(h)
    return K.Model(x, K.layers.Dense(2, name="out")(h)), {"loss": "mse", "metrics": ["mae"]}


def masked_concatenate_lstm(K):
    """The mask through a Dense (handed on) and a Concatenate (joined) into stacked LSTMs."""
    x = K.Input((6,), dtype="int32", name="words")
    e = K.layers.Embedding(VOCABULARY, 3, mask_zero=True, name="embed")(x)
    d = K.layers.Dense(2, activation="tanh", name="per_step")(e)
    h = K.layers.Concatenate(name="join")([e, d])
    h = K.layers.LSTM(4, return_sequences=True, name="lstm_1")(h)
    h = K.layers.LSTM(3, name="lstm_2")(h)
    return K.Model(x, K.layers.Dense(2, activation="softmax", name="out")(h)), {
        "loss": "categorical_crossentropy", "metrics": ["accuracy"]}


# ---- 1-D convolutions and the shape layers of sequences and images
def conv1d_text(K):
    x = K.Input((8,), dtype="int32", name="words")
    h = K.layers.Embedding(VOCABULARY, 3, name="embed")(x)
    h = K.layers.Conv1D(4, 3, padding="same", activation="relu", name="conv_same")(h)
    h = K.layers.MaxPooling1D(2, name="pool")(h)
    h = K.layers.Conv1D(3, 2, strides=2, padding="causal", name="conv_causal")(h)
    h = K.layers.GlobalMaxPooling1D(name="max")(h)
    return K.Model(x, K.layers.Dense(1, activation="sigmoid", name="out")(h)), {
        "loss": "binary_crossentropy", "metrics": ["accuracy"]}


def conv1d_series(K):
    x = K.Input((8, 2), name="series")
    h = K.layers.ZeroPadding1D((1, 2), name="pad")(x)
    h = K.layers.Conv1D(3, 3, dilation_rate=2, padding="causal", activation="tanh",
                        name="dilated")(h)
    h = K.layers.AveragePooling1D(2, padding="same", name="mean")(h)
    h = K.layers.UpSampling1D(2, name="up")(h)
    h = K.layers.Cropping1D((1, 1), name="crop")(h)
    h = K.layers.Conv1D(2, 1, name="mix")(h)
    return K.Model(x, K.layers.Dense(2, activation="softmax", name="out")(
        K.layers.Flatten(name="flat")(h))), {"loss": "categorical_crossentropy"}


def image_shapes(K):
    x = K.Input((5, 5, 1), name="images")
    h = K.layers.ZeroPadding2D(1, name="pad")(x)
    h = K.layers.Conv2D(2, 3, activation="relu", name="conv")(h)
    h = K.layers.UpSampling2D((2, 1), name="up")(h)
    h = K.layers.Cropping2D(((1, 1), (2, 0)), name="crop")(h)
    return K.Model(x, K.layers.Dense(3, name="out")(K.layers.Flatten(name="flat")(h))), {
        "loss": "mse"}


# ---- Bidirectional
def bidirectional_masked_tagger(K):
    """Both directions per step, concatenated; padded steps (zeros on both sides) left out."""
    x = K.Input((5,), dtype="int32", name="words")
    h = K.layers.Embedding(VOCABULARY, 3, mask_zero=True, name="embed")(x)
    h = K.layers.Bidirectional(K.layers.LSTM(3, return_sequences=True, name="lstm"),
                               name="both_ways")(h)
    return K.Model(x, K.layers.Dense(3, activation="softmax", name="tags")(h)), {
        "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}


def bidirectional_merges(K):
    """sum, ave and mul merges, the last outputs and the sequences, stacked."""
    x = K.Input((6, 2), name="series")
    h = K.layers.Bidirectional(K.layers.GRU(3, return_sequences=True, name="gru"),
                               merge_mode="mul", name="mul")(x)
    a = K.layers.Bidirectional(K.layers.SimpleRNN(2, name="rnn"), merge_mode="ave",
                               name="ave")(h)
    b = K.layers.Bidirectional(K.layers.LSTM(2, name="lstm"), merge_mode="sum", name="sum")(h)
    return K.Model(x, K.layers.Dense(2, name="out")(K.layers.Concatenate(name="join")([a, b]))), {
        "loss": "mse"}


def bidirectional_masked_classifier(K):
    x = K.Input((6,), dtype="int32", name="words")
    h = K.layers.Embedding(VOCABULARY, 4, mask_zero=True, name="embed")(x)
    h = K.layers.Bidirectional(K.layers.GRU(3, name="gru"), name="both_ways")(h)
    return K.Model(x, K.layers.Dense(1, activation="sigmoid", name="out")(h)), {
        "loss": "binary_crossentropy", "metrics": ["accuracy"]}


# ---- TimeDistributed
def time_distributed_decoder(K):
    """Keras for R's addition RNN head: a softmax Dense applied to every step."""
    x = K.Input((3,), name="code")
    h = K.layers.RepeatVector(4, name="repeat")(x)
    h = K.layers.LSTM(3, return_sequences=True, name="lstm")(h)
    h = K.layers.TimeDistributed(K.layers.Dense(4, activation="relu", name="hidden"),
                                 name="per_step")(h)
    return K.Model(x, K.layers.TimeDistributed(K.layers.Dense(5, activation="softmax",
                                                              name="digit"), name="digits")(h)), {
        "loss": "categorical_crossentropy", "metrics": ["accuracy"]}


def time_distributed_frames(K):
    """A convolution over each frame of a short video, then a GRU over the frames."""
    x = K.Input((3, 5, 5, 1), name="frames")
    h = K.layers.TimeDistributed(K.layers.Conv2D(2, 3, activation="relu", name="conv"),
                                 name="conv_frames")(x)
    h = K.layers.TimeDistributed(K.layers.Flatten(name="flat"), name="flat_frames")(h)
    h = K.layers.GRU(3, name="gru")(h)
    return K.Model(x, K.layers.Dense(2, activation="softmax", name="out")(h)), {
        "loss": "categorical_crossentropy"}


def transposed_autoencoder(K):
    """A convolutional autoencoder's decoder: Conv2DTranspose, valid and same, strided."""
    x = K.Input((4, 4, 2), name="images")
    h = K.layers.Conv2D(3, 3, strides=2, padding="same", activation="relu", name="encode")(x)
    h = K.layers.Conv2DTranspose(2, 3, strides=2, padding="same", activation="relu",
                                 name="up_same")(h)
    h = K.layers.Conv2DTranspose(2, 2, padding="valid", name="up_valid")(h)
    h = K.layers.Cropping2D(((0, 1), (0, 1)), name="crop")(h)
    return K.Model(x, K.layers.Conv2DTranspose(2, (1, 3), strides=(1, 1), padding="same",
                                               activation="sigmoid", name="out")(h)), {
        "loss": "binary_crossentropy"}


CASES = {f.__name__: f for f in (embedding_lstm, embedding_gru_sparse,
                                 gru_reset_before_sequences, simple_rnn_backwards,
                                 lstm_sequences_dense_per_step, stacked_lstm_gru,
                                 sequence_tagger, repeat_decoder, masked_lstm_classifier,
                                 masked_gru_tagger, masked_average, masking_rnn_backwards,
                                 masked_concatenate_lstm, conv1d_text, conv1d_series,
                                 image_shapes, bidirectional_masked_tagger, bidirectional_merges,
                                 bidirectional_masked_classifier, time_distributed_decoder,
                                 time_distributed_frames, transposed_autoencoder)}
FEATURES = {}


def pre_padded(x):
    """Row i with its first i % steps steps set to 0 (padding, as pad_sequences puts it),
    so that every row keeps a real step."""
    x = x.copy()
    for i in range(len(x)):
        x[i, :i % x.shape[1]] = 0
    return x


# how a case's generated inputs are changed before training (by input name)
PREPARE = {name: {"words": pre_padded, "series": pre_padded}
           for name in CASES if "mask" in name}
