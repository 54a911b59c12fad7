"""CNNClassifier and CNNRegressor: convolutional networks for signals, images
and volumes."""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from ._docstrings import (
    REGRESSOR,
    SHARED,
    Substitution,
    shared_entry,
    with_defaults,
    with_entries,
)
from ._inputs import SequenceInputMixin, is_sequences
from ._preset import _BasePreset, auto_epochs
from ._sequences import resample
from ._tasks import ClassifierTaskMixin, RegressorTaskMixin
from ._utils import Interval, IntInterval, StrOptions, is_int
from .modules import CNN
from .modules._cnn import feature_map_shapes
from .normalization import uses_batch_statistics

#: What ``"auto"`` stands for, by input: 1-D signals (sequences, and tables
#: read as signals) get a fully convolutional network in the manner of FCN
#: (Wang et al., 2017: wide kernels, batch norm, no pooling before the global
#: average) trained long with a decaying rate; images and volumes a small
#: VGG-like network trained briefly at a constant rate.
AUTO = {
    "signal": {
        "filters": (128, 256, 128),
        "pooling": None,
        "dropout": 0.0,
        "batch_size": 16,
        "learning_rate": "cosine",
        "learning_rate_init": 1e-3,
    },
    "image": {
        "filters": (32, 64),
        "kernel_size": 3,
        "pooling": "max",
        "dropout": 0.2,
        "batch_size": 128,
        "learning_rate": "constant",
        "learning_rate_init": 3e-3,
        "max_iter": 30,
    },
}


#: Normalizations that standardize each channel of a sample over the positions
#: of its feature map: a map of one position leaves nothing to standardize,
#: whatever the batch size.
_OVER_POSITIONS = frozenset({"instance", "batch_instance"})


def signal_kernels(n_blocks: int) -> tuple[int, ...]:
    """FCN's kernels for ``n_blocks`` blocks: 8 first, 3 last, 5 between."""
    if n_blocks == 1:
        return (8,)
    return (8,) + (5,) * (n_blocks - 2) + (3,)


_AUTO_TEXT = '``"auto"``: {signal} for 1-D signals, {image} for images and volumes.'

_ENTRIES = {
    "dropout": """dropout : float or "auto", default="auto"
        Dropout probability after each block and dense hidden layer;
        """
    + _AUTO_TEXT.format(signal="0", image="0.2"),
    "batch_size": """batch_size : int or "auto", default="auto"
        Samples per optimizer step (at most ``n_samples``); """
    + _AUTO_TEXT.format(signal="16", image="128")
    + """ A last
        batch of a single sample is merged into the one before it, so batch
        statistics are always defined and no sample is dropped.""",
    "learning_rate_init": """learning_rate_init : float or "auto", default="auto"
        Learning rate of the optimizer (unused by ``"lbfgs"``); """
    + _AUTO_TEXT.format(signal="1e-3", image="3e-3"),
    "max_iter": """max_iter : int or "auto", default="auto"
        Maximum number of epochs (passes over the training data).
        ``"auto"``: 30 for images and volumes; for 1-D signals as many as
        make about 1,500 optimizer steps, fewer when the network is large
        for the data (the run is held to about 1e12 multiply-accumulates of
        forward passes, a minute or so on two CPU cores, and at least 200
        steps). An int is a ceiling that a plateau of the loss can cut short,
        unless ``learning_rate="cosine"`` (see ``learning_rate``).""",
}

_ENTRIES["learning_rate"] = (
    shared_entry("learning_rate")
    .replace('{"constant"', '{"auto", "constant"')
    .replace('default="constant"', 'default="auto"')
    + """
        ``"auto"``: ``"cosine"`` for 1-D signals with ``max_iter="auto"``,
        whose run it plans; ``"constant"`` for images and volumes, and for
        any input given an int ``max_iter``, which is then a ceiling, as in
        scikit-learn: the run ends earlier at a plateau of the loss (``tol``,
        ``n_iter_no_change``)."""
)

_DEFAULTS = {"alpha": "1e-4", "normalization": '"batch"'}
_DOCSTRINGS = with_entries(with_defaults(SHARED, _DEFAULTS), _ENTRIES)
_REGRESSOR_DOCSTRINGS = with_entries(with_defaults(REGRESSOR, _DEFAULTS), _ENTRIES)


def _positive_ints(name: str, value, *, allow_empty: bool) -> tuple[int, ...]:
    sizes = (value,) if isinstance(value, Integral) else tuple(value)
    valid = all(is_int(s) for s in sizes)
    if not valid or not all(s > 0 for s in sizes) or not (sizes or allow_empty):
        empty = "" if allow_empty else "non-empty "
        raise ValueError(
            f"{name} must be a positive int or a {empty}sequence of positive "
            f"ints, got {value!r}."
        )
    return tuple(int(s) for s in sizes)


class _CNN(SequenceInputMixin, _BasePreset):
    """The convolutional architecture, task-neutral: CNNClassifier and
    CNNRegressor add their task."""

    _parameter_constraints: dict = {
        **_BasePreset._parameter_constraints,
        "filters": [
            StrOptions({"auto"}),
            "array-like",
            IntInterval(Integral, 1, None, closed="left"),
        ],
        "kernel_size": [
            StrOptions({"auto"}),
            "array-like",
            IntInterval(Integral, 1, None, closed="left"),
        ],
        "pooling": [StrOptions({"max", "avg", "auto"}), None],
        "dropout": [StrOptions({"auto"}), Interval(Real, 0, 1, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            IntInterval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [
            StrOptions({"auto", "constant", "invscaling", "adaptive", "cosine"})
        ],
        "learning_rate_init": [
            StrOptions({"auto"}),
            Interval(Real, 0, None, closed="neither"),
        ],
        "dense_layer_sizes": [
            "array-like",
            IntInterval(Integral, 1, None, closed="left"),
        ],
        "data_format": [StrOptions({"channels_last", "channels_first"})],
        "spatial_dims": [IntInterval(Integral, 1, 3, closed="both"), None],
    }

    def _validate_params(self):
        super()._validate_params()
        filters = None
        if self.filters != "auto":
            filters = _positive_ints("filters", self.filters, allow_empty=False)
        if self.kernel_size != "auto":
            kernels = _positive_ints("kernel_size", self.kernel_size, allow_empty=False)
            if (
                len(kernels) > 1
                and filters is not None
                and len(kernels) != len(filters)
            ):
                raise ValueError(
                    f"kernel_size={self.kernel_size!r} gives {len(kernels)} "
                    f"kernels for the {len(filters)} block(s) of filters="
                    f"{self.filters!r}: give one int, or one per block."
                )
        _positive_ints("dense_layer_sizes", self.dense_layer_sizes, allow_empty=True)

    # -- what "auto" stands for ---------------------------------------------------

    def _auto(self, name: str):
        """The value of parameter ``name`` for this fit's input."""
        value = getattr(self, name)
        if not (isinstance(value, str) and value == "auto"):
            return value
        if len(self.spatial_shape_) > 1:
            return AUTO["image"][name]
        if name == "kernel_size":
            return signal_kernels(len(self._filters()))
        return AUTO["signal"][name]

    def _filters(self) -> tuple[int, ...]:
        return _positive_ints("filters", self._auto("filters"), allow_empty=False)

    def _kernels(self) -> tuple[int, ...]:
        kernels = _positive_ints(
            "kernel_size", self._auto("kernel_size"), allow_empty=False
        )
        blocks = len(self._filters())
        if len(kernels) == 1:
            return kernels * blocks
        if len(kernels) != blocks:  # an "auto" filters of another depth
            raise ValueError(
                f"kernel_size={self.kernel_size!r} gives {len(kernels)} kernels "
                f"for the {blocks} block(s) of filters={self._filters()}: give "
                "one int, or one per block."
            )
        return kernels

    def _dropout(self) -> float:
        return self._auto("dropout")

    def _learning_rate_init(self) -> float:
        return self._auto("learning_rate_init")

    def _learning_rate_schedule(self) -> str:
        # A cosine falls to zero over the run that max_iter="auto" plans. A
        # max_iter of the user's is scikit-learn's ceiling, which a plateau of
        # the loss must be free to cut short (a cosine runs its course): at the
        # 1000 epochs scikit-learn's checks set, a cosine over a table of 50
        # rows would take 4,000 steps and overfit the classes a class_weight
        # of 1e-4 asks to ignore.
        if self.learning_rate == "auto" and self.max_iter != "auto":
            return "constant"
        return self._auto("learning_rate")

    def _effective_batch_size(self, n_samples):
        if self.batch_size == "auto" and self.solver != "lbfgs":
            return min(self._auto("batch_size"), n_samples)
        return super()._effective_batch_size(n_samples)

    def _max_epochs(self, steps_per_epoch, step_macs):
        if self.max_iter != "auto":
            return self.max_iter
        if len(self.spatial_shape_) > 1:
            return AUTO["image"]["max_iter"]
        return auto_epochs(steps_per_epoch, step_macs)

    # -- input layout ------------------------------------------------------------

    @property
    def _channels_last(self) -> bool:
        return self.data_format == "channels_last"

    def _layout(self, sample_shape: tuple[int, ...]):
        """Spatial shape and channel count of samples of ``sample_shape``."""
        rank = len(sample_shape)
        spatial_dims = self.spatial_dims
        if spatial_dims is None:
            if rank > 4:
                raise ValueError(
                    f"{type(self).__name__} takes samples of 1 to 4 axes (at most "
                    "3 spatial axes and a channel axis), got samples of shape "
                    f"{sample_shape}."
                )
            spatial_dims = max(rank - 1, 1)
        if rank == spatial_dims:
            return sample_shape, 1
        if rank == spatial_dims + 1:
            if self._channels_last:
                return sample_shape[:-1], sample_shape[-1]
            return sample_shape[1:], sample_shape[0]
        raise ValueError(
            f"spatial_dims={spatial_dims} needs samples with {spatial_dims} "
            f"spatial axes and an optional channel axis, i.e. {spatial_dims} or "
            f"{spatial_dims + 1} axes; got samples of shape {sample_shape}."
        )

    def _record_input_shape(self, shape):
        self.spatial_shape_, self.n_channels_ = self._layout(shape)
        self.input_shape_ = shape

    # -- sequences -----------------------------------------------------------------

    def _reads_sequences(self, X, *, reset: bool) -> bool:
        """Whether ``X`` goes to a 1-D convolution as sequences (a list of
        arrays, or a 3-D array with NaN padding or another length)."""
        if self.spatial_dims not in (None, 1) or not is_sequences(X):
            return False
        return reset or len(self.spatial_shape_) == 1

    def _features_per_step(self) -> int:
        return self.n_channels_

    def _validate_inputs(self, X, y="no_validation", *, reset, **check_params):
        X = self._refuse_unreadable(X) if is_sequences(X) else X
        if not self._reads_sequences(X, reset=reset):
            return super()._validate_inputs(X, y, reset=reset, **check_params)
        X, lengths, y = self._validate_sequences(X, y, reset=reset)
        length = X.shape[1] if reset else self.spatial_shape_[0]
        if X.shape[1] != length or (lengths != length).any():
            X = resample(X, lengths, length)
        if not self._channels_last:
            X = X.transpose(0, 2, 1)
        if reset:
            self._record_input_shape(X.shape[1:])
            self.n_features_in_ = math.prod(X.shape[1:])
        X = np.ascontiguousarray(X, dtype=self.dtype)
        return X if isinstance(y, str) and y == "no_validation" else (X, y)

    def _ready_inputs(self, X):
        ready = super()._ready_inputs(X)
        if ready is not None and X.ndim == 3 and len(self.spatial_shape_) == 1:
            if X.dtype.kind == "f" and np.isnan(X).any():
                return None  # padding: the sequences are resampled
        return ready

    def _describe_input(self) -> str:
        kind = f"{len(self.spatial_shape_)}-D convolution"
        return (
            f" ({kind} over {self.spatial_shape_} positions with "
            f"{self.n_channels_} channel(s), {self.data_format.replace('_', ' ')})"
        )

    def _module_input_shape(self) -> tuple[int, ...]:
        """One sample as the network takes it, with its channel axis."""
        channel = (self.n_channels_,)
        if self._channels_last:
            return self.spatial_shape_ + channel
        return channel + self.spatial_shape_

    def _shape_for_module(self, X: np.ndarray) -> np.ndarray:
        return X.reshape(X.shape[0], *self._module_input_shape())

    def _normalization_spatial_dims(self) -> int:
        return len(self.spatial_shape_)

    def _module_factory(self):
        return CNN

    def _check_feature_maps(self, module_kwargs: dict, batch_size: int) -> None:
        """Refuse, before anything is built or trained, a normalization that
        cannot take its statistics on the feature maps of this input; torch
        would fail in the first training step without naming the block.

        Instance statistics need more than one position in each map, batch
        statistics more than one value per channel in a batch (samples times
        positions). ``batch_size`` is the run's: a batch of one sample only
        happens with ``batch_size=1`` or a single training sample, as a last
        batch of one joins the one before it.
        """
        method = module_kwargs["normalization"]
        over_positions = method in _OVER_POSITIONS
        if not over_positions and not (
            batch_size == 1 and uses_batch_statistics(method)
        ):
            return
        filters = module_kwargs["filters"]
        pooling = module_kwargs["pooling"]
        shapes = feature_map_shapes(self.spatial_shape_, len(filters), pooling)
        single = [math.prod(shape) == 1 for shape in shapes]
        if not any(single):
            return
        block = single.index(True)  # and every block after it
        if block == 0:
            where = (
                "block 1 normalizes the input itself, of a single position "
                f"(spatial_shape_={self.spatial_shape_})"
            )
            fewer = "larger inputs"
        else:
            stages = "block 1" if block == 1 else f"blocks 1 to {block}"
            where = (
                f"block {block + 1} of filters={filters} normalizes maps of a "
                f"single position (the {pooling!r} pooling of {stages} shrinks "
                f"the {self.spatial_shape_} input to {shapes[block]})"
            )
            at_most = "1 block" if block == 1 else f"{block} blocks"
            fewer = (
                f"at most {at_most} (fewer pooling stages), pooling=None or "
                "larger inputs"
            )
        others = (
            "a normalization that works sample by sample, such as 'group' or 'layer'"
        )
        if over_positions:
            raise ValueError(
                f"normalization={method!r} standardizes each channel of a "
                f"sample over the positions of its feature map, but {where}. "
                f"Use {fewer}, or {others}."
            )
        one_sample = (
            "batch_size=1" if self.batch_size == 1 else "a single training sample"
        )
        raise ValueError(
            f"normalization={method!r} takes each channel's statistics over "
            "the samples of a training batch and the positions of their feature "
            f"maps, but the batches hold one sample ({one_sample}) and {where}: "
            "one value per channel, which has no variance. Use batch_size >= 2 "
            "and at least 2 training samples (a partial_fit chunk of 2 rows or "
            f"more), {fewer}, or {others}."
        )

    def _module_kwargs(self, task, steps_per_epoch, batch_size):
        filters = self._filters()
        pooling = self._auto("pooling")
        self._check_feature_maps(
            {
                "filters": filters,
                "pooling": pooling,
                "normalization": self.normalization,
            },
            batch_size,
        )
        kernels = self._kernels()
        dense = _positive_ints(
            "dense_layer_sizes", self.dense_layer_sizes, allow_empty=True
        )
        dims = len(self.spatial_shape_)
        channels = (self.n_channels_, *filters)
        convolutions = sum(
            (k**dims * a + 1) * b
            for a, b, k in zip(channels, filters, kernels, strict=False)
        )
        self._check_network_size(convolutions, "filters")
        widths = (filters[-1], *dense, task.n_outputs)
        dense_parameters = sum(
            (a + 1) * b for a, b in zip(widths, widths[1:], strict=False)
        )
        self._check_network_size(convolutions + dense_parameters, "dense_layer_sizes")
        return {
            "input_shape": self._module_input_shape(),
            "n_outputs": task.n_outputs,
            "filters": filters,
            "kernel_size": kernels[0] if len(set(kernels)) == 1 else kernels,
            "pooling": pooling,
            "dense_layer_sizes": dense,
            "channels_last": self._channels_last,
            **self._network_kwargs(steps_per_epoch, batch_size),
        }


@Substitution(**_DOCSTRINGS)
class CNNClassifier(ClassifierTaskMixin, _CNN):
    """Convolutional neural network classifier on PyTorch.

    Takes signals, images and volumes as tensors, without flattening them:
    blocks of convolution, normalization, activation, pooling and dropout,
    one per entry of ``filters``, then global average pooling, optional dense
    hidden layers and the output layer. Targets, training, validation, early
    stopping, sample and class weights, seeding, devices and pickling behave
    exactly as in :class:`~sknn.MLPClassifier`: binary targets get one
    sigmoid output, multiclass targets a softmax, multilabel indicator
    matrices one sigmoid per label.

    The rank of ``X`` selects the convolution (channels last by default):

    ========================================  ==================================
    ``X``                                     network
    ========================================  ==================================
    ``(n, features)`` table or DataFrame      1-D conv over the features, one
                                              channel
    ``(n, length, channels)``                 1-D conv
    ``(n, height, width, channels)``          2-D conv
    ``(n, depth, height, width, channels)``   3-D conv
    ========================================  ==================================

    A grayscale image stack ``(n, height, width)`` without a channel axis is
    therefore read as ``n`` signals of ``height`` positions and ``width``
    channels; pass ``spatial_dims=2`` to read it as one-channel images (see
    ``spatial_dims``). Inputs of any real dtype are accepted as they are,
    uint8 images included, and converted once to ``dtype``; scale them
    first, for example with :class:`~sknn.preprocessing.TensorScaler` in a
    :class:`~sklearn.pipeline.Pipeline`.

    Signals of **unequal lengths** come as a list of arrays ``(length_i,
    channels)`` or as a 3-D array padded at the end with NaN (aeon's and
    sktime's convention). Each signal's real part is resampled linearly to
    the training length (the longest training signal, ``spatial_shape_``),
    at fit and at prediction, so signals shorter or longer than any seen in
    fit are predicted too. A NaN inside a signal is an error that says
    where.

    Parameters
    ----------
    filters : int, tuple of int or "auto", default="auto"
        Output channels of the convolution of each block; at least one
        block. ``"auto"``: (128, 256, 128) for 1-D signals, (32, 64) for
        images and volumes.

    kernel_size : int, tuple of int or "auto", default="auto"
        Side of the convolution kernels along every spatial axis: one for
        every block, or one per block. Padding is ``"same"`` (an even kernel
        pads one more position on the right, as in Keras): only pooling
        shrinks a feature map. ``"auto"``: (8, 5, 3) for three blocks of a
        1-D signal (8 first, 3 last and 5 between for other depths), 3 for
        images and volumes.

    pooling : {"max", "avg", "auto"} or None, default="auto"
        Down-sampling by 2 after each block, along every spatial axis still
        longer than one position (odd lengths round up), so a feature map
        never shrinks below one position and small inputs such as 8x8 digits
        work with any number of blocks. None keeps the full resolution.
        ``"auto"``: None for 1-D signals, whose global average then sees
        every position, ``"max"`` for images and volumes.

    dense_layer_sizes : int or tuple of int, default=()
        Widths of the dense hidden layers between global average pooling and
        the output layer; ``()`` connects the pooled channels to the output
        directly.

    data_format : {"channels_last", "channels_first"}, default="channels_last"
        Position of the channel axis in ``X``: last, as in the course, Keras,
        PIL and matplotlib (``(n, 64, 64, 3)``), or first after the samples,
        as in PyTorch (``(n, 3, 64, 64)``). Both train the same network with
        the same results. Internally, 2-D and 3-D convolutions run on torch's
        channels-last memory format, which trains 20-30%% faster on a CPU;
        channels-last input gets there without a copy.

    spatial_dims : {1, 2, 3} or None, default=None
        Number of spatial axes, for inputs whose rank is ambiguous. None
        applies the table above: samples with one axis are 1-D signals of one
        channel, samples with ``k >= 2`` axes have ``k - 1`` spatial axes and
        a channel axis. An int fixes the number of spatial axes ``s``:
        samples with ``s`` axes then get a single channel (``spatial_dims=2``
        reads ``(n, height, width)`` as grayscale images) and samples with
        ``s + 1`` axes keep their channel axis; other ranks are an error.

    %(network_parameters)s

    %(training_parameters)s

    %(task_parameters)s

    Attributes
    ----------
    %(task_attributes)s

    %(fitted_attributes)s

    input_shape_ : tuple of int
        Shape of one sample as given to ``fit``. Inputs to ``predict`` must
        have the same shape. ``n_features_in_`` is the product of its
        entries, the number of values in a sample.

    spatial_shape_ : tuple of int
        Length, (height, width) or (depth, height, width) of the samples.

    n_channels_ : int
        Channels of the samples (1 when they have no channel axis).

    See Also
    --------
    sknn.MLPClassifier : A dense network, for tables and flattened tensors.
    sknn.modules.CNN : The network it trains, for your own PyTorch code.
    sknn.preprocessing.TensorScaler : Scales images per channel in a Pipeline.

    Notes
    -----
    Normalization applies to the activations of the convolutions, with
    statistics over the samples and spatial positions of each channel for
    ``"batch"``; ``"weight"`` and ``"spectral"`` reparametrize the
    convolutions. The dense layers of the head are not normalized.
    ``"instance"`` and ``"batch_instance"`` need feature maps of more than
    one position, and statistics of the batch more than one value per
    channel (a batch of one sample needs maps of two positions or more):
    ``fit`` refuses, before training, a 1x1 image, a signal of length 1 or
    pooling down to a single position that leaves them nothing to
    standardize, and names the block.

    The defaults for images (two blocks of 32 and 64 filters, batch
    normalization, dropout 0.2, batches of 128, 30 epochs of Adam at 3e-3)
    reach a 5-fold accuracy of about 0.98 on the 8x8 digits in a few seconds
    on a CPU. Those for 1-D signals are the FCN of Wang et al. (2017): three
    blocks of 128, 256 and 128 filters with kernels of 8, 5 and 3, batch
    normalization, no pooling before the global average, batches of 16 and
    Adam at 1e-3 decayed to zero along a cosine over about 1,500 steps. On
    the published splits of GunPoint, ItalyPowerDemand, BasicMotions and
    JapaneseVowels they score 0.996, 0.963, 1.000 and 0.993 (mean of three
    seeds; FCN's published 1.000, 0.961, 1.000, 0.993) in 11 to 28 seconds
    a fit on 2 CPU cores (``benchmarks/bench_sequences.py``).
    Batch normalization makes a sample's training-time output depend on the
    rest of its batch, and dropout draws one mask per row: an integer sample
    weight is then only approximately equivalent to repeating the sample.
    ``normalization=None`` or a per-sample method (``"layer"``, ``"group"``,
    ``"instance"``) with ``dropout=0`` keeps the equivalence exact.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from sknn import CNNClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> images = X.reshape(-1, 8, 8, 1) / 16.0  # (n, height, width, channels)
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     images, y, stratify=y, random_state=0)
    >>> clf = CNNClassifier(max_iter=5, random_state=0).fit(X_train, y_train)
    >>> clf.spatial_shape_, clf.n_channels_, clf.n_features_in_
    ((8, 8), 1, 64)
    >>> clf.score(X_test, y_test) > 0.9
    True
    >>> clf.predict_proba(X_test[:2]).shape
    (2, 10)
    """

    _parameter_constraints: dict = {
        **_CNN._parameter_constraints,
        **ClassifierTaskMixin._task_constraints,
    }

    def __init__(
        self,
        *,
        filters="auto",
        kernel_size="auto",
        pooling="auto",
        dense_layer_sizes=(),
        data_format="channels_last",
        spatial_dims=None,
        activation="relu",
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate="auto",
        learning_rate_init="auto",
        power_t=0.5,
        max_iter="auto",
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=0,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        scoring="loss",
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout="auto",
        normalization="batch",
        normalization_kwargs=None,
        class_weight=None,
        output_weights=None,
        device="auto",
        dtype="float32",
        precision="exact",
        compile=False,
    ):
        self.filters = filters
        self.kernel_size = kernel_size
        self.pooling = pooling
        self.dense_layer_sizes = dense_layer_sizes
        self.data_format = data_format
        self.spatial_dims = spatial_dims
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.scoring = scoring
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.normalization = normalization
        self.normalization_kwargs = normalization_kwargs
        self.class_weight = class_weight
        self.output_weights = output_weights
        self.device = device
        self.dtype = dtype
        self.precision = precision
        self.compile = compile


@Substitution(**_REGRESSOR_DOCSTRINGS)
class CNNRegressor(RegressorTaskMixin, _CNN):
    """Convolutional neural network regressor on PyTorch.

    The network, inputs and defaults of :class:`~sknn.CNNClassifier`
    (signals, images and volumes, channels last or first, signals of
    unequal lengths resampled to the training length; the FCN defaults for
    1-D signals), trained with a regression loss: one output per target,
    learned standardized (``scale_target``) and predicted in the original
    units.

    Parameters
    ----------
    filters : int, tuple of int or "auto", default="auto"
        Output channels of the convolution of each block; ``"auto"``:
        (128, 256, 128) for 1-D signals, (32, 64) for images and volumes.

    kernel_size : int, tuple of int or "auto", default="auto"
        Side of the convolution kernels, one for every block or one per
        block; ``"auto"``: (8, 5, 3) for 1-D signals, 3 for images and
        volumes.

    pooling : {"max", "avg", "auto"} or None, default="auto"
        Down-sampling by 2 after each block; ``"auto"``: None for 1-D
        signals, ``"max"`` for images and volumes.

    dense_layer_sizes : int or tuple of int, default=()
        Widths of the dense hidden layers after global average pooling.

    data_format : {"channels_last", "channels_first"}, default="channels_last"
        Position of the channel axis in ``X``.

    spatial_dims : {1, 2, 3} or None, default=None
        Number of spatial axes, for inputs whose rank is ambiguous (see
        :class:`~sknn.CNNClassifier`).

    %(network_parameters)s

    %(training_parameters)s

    %(task_parameters)s

    Attributes
    ----------
    %(task_attributes)s

    %(fitted_attributes)s

    input_shape_ : tuple of int
        Shape of one sample as given to ``fit``.

    spatial_shape_ : tuple of int
        Length, (height, width) or (depth, height, width) of the samples.

    n_channels_ : int
        Channels of the samples (1 when they have no channel axis).

    See Also
    --------
    sknn.CNNClassifier : The same network for class labels.
    sknn.RNNRegressor : Recurrent networks for sequences.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn import CNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 32, 1))  # 200 signals of 32 steps
    >>> y = 100 + 10 * X[:, :, 0].mean(axis=1) + 5 * abs(X[:, :, 0]).mean(axis=1)
    >>> reg = CNNRegressor(filters=(16, 16), max_iter=30, random_state=0)
    >>> reg.fit(X, y).score(X, y) > 0.9
    True
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    _parameter_constraints: dict = {
        **_CNN._parameter_constraints,
        **RegressorTaskMixin._task_constraints,
    }

    def __init__(
        self,
        *,
        filters="auto",
        kernel_size="auto",
        pooling="auto",
        dense_layer_sizes=(),
        data_format="channels_last",
        spatial_dims=None,
        activation="relu",
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate="auto",
        learning_rate_init="auto",
        power_t=0.5,
        max_iter="auto",
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=0,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        scoring="r2",
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout="auto",
        normalization="batch",
        normalization_kwargs=None,
        loss="squared_error",
        huber_delta=1.0,
        quantile=0.5,
        scale_target=True,
        device="auto",
        dtype="float32",
        precision="exact",
        compile=False,
    ):
        self.filters = filters
        self.kernel_size = kernel_size
        self.pooling = pooling
        self.dense_layer_sizes = dense_layer_sizes
        self.data_format = data_format
        self.spatial_dims = spatial_dims
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.scoring = scoring
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.normalization = normalization
        self.normalization_kwargs = normalization_kwargs
        self.loss = loss
        self.huber_delta = huber_delta
        self.quantile = quantile
        self.scale_target = scale_target
        self.device = device
        self.dtype = dtype
        self.precision = precision
        self.compile = compile
