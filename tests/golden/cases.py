"""Cases that Keras (make_keras_golden.py) and numnet (test_keras_parity.py) build the same
way: each maker takes the library's optimizers module `o` and its schedules module `s`."""

OPTIMIZERS = {  # name -> maker(o, s)
    "RMSprop_momentum": lambda o, s: o.RMSprop(0.01, momentum=0.9),
    "RMSprop_centered": lambda o, s: o.RMSprop(0.01, centered=True),
    "RMSprop_momentum_centered": lambda o, s: o.RMSprop(0.01, momentum=0.5, centered=True),
    "RMSprop_clipnorm": lambda o, s: o.RMSprop(0.01, clipnorm=0.5),
    "Adam_amsgrad": lambda o, s: o.Adam(0.05, amsgrad=True),
    "Adam_weight_decay": lambda o, s: o.Adam(0.05, weight_decay=0.01),
    "AdamW": lambda o, s: o.AdamW(),
    "AdamW_strong": lambda o, s: o.AdamW(0.05, weight_decay=0.1),
    "Adadelta": lambda o, s: o.Adadelta(learning_rate=1.0, rho=0.95),
    "Adagrad": lambda o, s: o.Adagrad(0.1),
    "Adagrad_default": lambda o, s: o.Adagrad(),
    "Nadam": lambda o, s: o.Nadam(0.05),
    "SGD_clipnorm": lambda o, s: o.SGD(0.5, clipnorm=0.1),
    "SGD_global_clipnorm": lambda o, s: o.SGD(0.5, global_clipnorm=0.1),
    "SGD_clipvalue": lambda o, s: o.SGD(0.5, clipvalue=0.01),
    "SGD_momentum_weight_decay": lambda o, s: o.SGD(0.5, momentum=0.9, weight_decay=0.05),
    "SGD_ExponentialDecay": lambda o, s: o.SGD(s.ExponentialDecay(0.5, 3, 0.5)),
    "SGD_ExponentialDecay_staircase": lambda o, s: o.SGD(s.ExponentialDecay(0.5, 3, 0.5, staircase=True)),
    "SGD_PiecewiseConstantDecay": lambda o, s: o.SGD(s.PiecewiseConstantDecay([3, 6], [0.5, 0.2, 0.05])),
    "SGD_InverseTimeDecay": lambda o, s: o.SGD(s.InverseTimeDecay(0.5, 2, 0.5)),
    "SGD_CosineDecay": lambda o, s: o.SGD(s.CosineDecay(0.5, 8, alpha=0.1)),
    "SGD_CosineDecay_warmup": lambda o, s: o.SGD(s.CosineDecay(0.0, 6, warmup_target=0.5, warmup_steps=3)),
    "Adam_ExponentialDecay_weight_decay": lambda o, s: o.Adam(s.ExponentialDecay(0.05, 2, 0.8), weight_decay=0.02),
    "SGD_ema": lambda o, s: o.SGD(0.5, use_ema=True, ema_momentum=0.9),
    "Adam_ema_overwrite": lambda o, s: o.Adam(0.05, use_ema=True, ema_momentum=0.8, ema_overwrite_frequency=3),
}

SCHEDULES = {  # name -> maker(s)
    "ExponentialDecay": lambda s: s.ExponentialDecay(0.5, 3, 0.5),
    "PiecewiseConstantDecay": lambda s: s.PiecewiseConstantDecay([3, 6], [0.5, 0.2, 0.05]),
    "InverseTimeDecay_staircase": lambda s: s.InverseTimeDecay(0.5, 2, 0.5, staircase=True),
    "CosineDecay": lambda s: s.CosineDecay(0.5, 8, alpha=0.1),
    "CosineDecay_warmup": lambda s: s.CosineDecay(0.0, 6, warmup_target=0.5, warmup_steps=3),
}


# name -> (hidden Dense arguments, output Dense arguments, optimizer), each a maker(k) of the
# library `k` (keras or numnet): regularizers and constraints on a 3-4-3 classifier
REGULARIZED = {
    "all_on_both_layers": (
        lambda k: {"kernel_regularizer": k.regularizers.L2(0.01),
                   "bias_regularizer": k.regularizers.L1(0.02),
                   "activity_regularizer": k.regularizers.L2(0.005)},
        lambda k: {"kernel_regularizer": "l1", "kernel_constraint": k.constraints.MaxNorm(0.8),
                   "bias_constraint": k.constraints.NonNeg()},
        lambda o: o.SGD(0.3)),
    "weights_only_adam": (
        lambda k: {"kernel_regularizer": k.regularizers.L1L2(l1=0.01, l2=0.02),
                   "kernel_constraint": k.constraints.UnitNorm()},
        lambda k: {"kernel_regularizer": "l2", "bias_regularizer": k.regularizers.L2(0.1)},
        lambda o: o.Adam(0.05)),
}


# name -> maker(L) of the layers after Input((7, 7, 2)), L being keras.layers or numnet.layers:
# small image classifiers trained 2 epochs of SGD from fixed weights (BatchNormalization's
# moving statistics included in the final weights)
IMAGE_MODELS = {
    "conv_bn_pools": lambda L: [
        L.Conv2D(4, 3, padding="same", activation="relu"), L.BatchNormalization(momentum=0.9),
        L.MaxPooling2D(2, padding="same"), L.Conv2D(3, 2, strides=2),
        L.AveragePooling2D(2, strides=1, padding="same"), L.Flatten(),
        L.Dense(3, activation="softmax")],
    "dilated_global_average": lambda L: [
        L.Conv2D(3, 3, dilation_rate=2, padding="same", activation="tanh"),
        L.BatchNormalization(center=False, epsilon=0.01), L.GlobalAveragePooling2D(),
        L.BatchNormalization(momentum=0.5), L.Dense(3, activation="softmax")],
    "strided_global_max": lambda L: [
        L.Conv2D(5, (2, 3), strides=(1, 2), use_bias=False), L.GlobalMaxPooling2D(),
        L.Dense(3, activation="softmax")],
}

# Slots decaying to zero: one step with gradient 1e-3, then zero gradients (the weight of an
# always-blank pixel). name -> (maker(o), Keras's slot names in numnet's order)
DECAYING_SLOTS = {
    "SGD_momentum": (lambda o: o.SGD(0.01, momentum=0.9), ["momentum"]),
    "RMSprop": (lambda o: o.RMSprop(0.001), ["velocity"]),
    "RMSprop_centered_momentum": (lambda o: o.RMSprop(0.001, momentum=0.9, centered=True),
                                  ["velocity", "momentum", "average_gradient"]),
    "Adam": (lambda o: o.Adam(0.001), ["momentum", "velocity"]),
    "Nadam": (lambda o: o.Nadam(0.001), ["momentum", "velocity"]),
    "Adadelta": (lambda o: o.Adadelta(1.0, rho=0.9), ["accumulated_grad", "accumulated_delta_var"]),
}
DECAYING_SLOTS_RECORDED = (1, 100, 500, 600, 650, 700, 750, 800, 900)  # steps after the first
