"""RNNClassifier and RNNRegressor: recurrent networks for sequences, of equal
lengths or not."""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from ._docstrings import REGRESSOR, SHARED, Substitution, with_defaults
from ._inputs import SequenceInputMixin, array_ndim, is_sequences
from ._preset import _BasePreset, auto_epochs
from ._tasks import ClassifierTaskMixin, RegressorTaskMixin
from ._training.device import resolve_device
from ._training.threads import training_threads
from ._utils import Interval, IntInterval, StrOptions
from .modules import RNN
from .normalization import uses_batch_statistics

_DEFAULTS = {
    "alpha": "0.0",
    "batch_size": '"auto"',
    "learning_rate": '"cosine"',
    "learning_rate_init": "1e-3",
    "max_iter": '"auto"',
}

#: Gate blocks of each cell's weights: an LSTM computes four, a GRU three.
_GATES = {"lstm": 4, "gru": 3, "rnn": 1}

#: The most time steps that ``downsample="auto"`` lets the recurrent layers
#: read: longer training sequences are averaged over windows down to this.
AUTO_MAX_STEPS = 50


class _RNN(SequenceInputMixin, _BasePreset):
    """The recurrent architecture, task-neutral: RNNClassifier and
    RNNRegressor add their task."""

    _parameter_constraints: dict = {
        **{
            k: v
            for k, v in _BasePreset._parameter_constraints.items()
            if k != "activation"
        },
        "cell": [StrOptions({"lstm", "gru", "rnn"})],
        "hidden_size": [IntInterval(Integral, 1, None, closed="left")],
        "num_layers": [IntInterval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "pooling": [StrOptions({"last", "mean", "attention"})],
        "downsample": [
            StrOptions({"auto"}),
            IntInterval(Integral, 1, None, closed="left"),
        ],
        "data_format": [StrOptions({"channels_last", "channels_first"})],
        "gradient_clipping": [Interval(Real, 0, None, closed="neither"), None],
        "batch_size": [
            StrOptions({"auto"}),
            IntInterval(Integral, 1, None, closed="left"),
        ],
    }

    #: NaN marks padding: prediction does not treat it as bad input.
    _nan_padding = True

    def _validate_params(self):
        super()._validate_params()
        if self.normalization is not None and uses_batch_statistics(self.normalization):
            raise ValueError(
                f"normalization={self.normalization!r} normalizes with statistics "
                "of the batch, which suit recurrent layers badly: they change "
                "with every time step, and padding would enter them. Use "
                "'layer' or 'rms', which normalize each step of each sequence "
                "on its own."
            )

    # -- inputs ------------------------------------------------------------------

    def _ready_inputs(self, X):
        return None  # sequences are always checked for their padding

    def _validate_inputs(self, X, y="no_validation", *, reset, **check_params):
        X = self._refuse_unreadable(X)
        sequences = is_sequences(X)
        if not sequences and array_ndim(X) > 2:
            raise ValueError(
                "Expected sequences as a 3-D array (n_samples, timesteps, "
                "features), a list of 2-D arrays or a table (n_samples, "
                f"timesteps), got an array of shape {np.shape(X)}."
            )
        if (
            not sequences
            and not reset
            and len(self.input_shape_) == 2
            and array_ndim(X) == 2
        ):
            # fitted on sequences: a table holds univariate ones, of any length
            if self._features_per_step() != 1:
                raise ValueError(
                    f"X is a table of univariate sequences, but "
                    f"{type(self).__name__} was fitted on sequences of "
                    f"{self._features_per_step()} features per time step."
                )
            X = np.asarray(X, dtype=np.float64)
            if X.ndim == 2:
                X = X[:, :, None]
            sequences = True
        if not sequences:
            # a table (numpy, list of rows or data frame): univariate sequences
            # of equal length, validated as scikit-learn validates tables (a
            # NaN is an error; the width is checked at prediction)
            check_params.pop("ensure_all_finite", None)
            return super()._validate_inputs(X, y, reset=reset, **check_params)
        X, _, y = self._validate_sequences(X, y, reset=reset)
        if reset:
            self.n_features_in_ = X.shape[2]
            self.input_shape_ = X.shape[1:]
        X = np.ascontiguousarray(X, dtype=self.dtype)
        return X if isinstance(y, str) and y == "no_validation" else (X, y)

    def _features_per_step(self) -> int:
        """Features of each time step: a table's sequences have one."""
        return self.input_shape_[1] if len(self.input_shape_) == 2 else 1

    def _shape_for_module(self, X):
        return X.reshape(len(X), -1, self._features_per_step())

    # -- the network and its training ---------------------------------------------

    def _module_factory(self):
        return RNN

    def _module_kwargs(self, task, steps_per_epoch, batch_size):
        return {
            "input_shape": (self.input_shape_[0], self._features_per_step()),
            "n_outputs": task.n_outputs,
            "cell": self.cell,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "bidirectional": self.bidirectional,
            "pooling": self.pooling,
            "downsample": self._downsample_factor(),
            **self._network_kwargs(steps_per_epoch, batch_size),
        }

    def _train(self, X, y, sample_weight, task, validation, warm, partial):
        # A recurrent layer is a chain of small matrix products, one per time
        # step and direction, each waiting for the one before: split between
        # threads, each product waits at a barrier, which costs more than it
        # saves, many times more on a busy machine (measured on 2 cores with
        # other work running, bidirectional LSTM of 128 units, batches of 16
        # and 50 steps: 12 ms a step on one thread, 43 ms on two). So the
        # training runs on one thread unless one such product is large.
        batch = self._effective_batch_size(len(X))
        width = self.hidden_size * (2 if self.bidirectional else 1)
        inputs = max(self._features_per_step(), width if self.num_layers > 1 else 0)
        product = batch * _GATES[self.cell] * self.hidden_size
        product *= inputs + self.hidden_size
        with training_threads(resolve_device(self.device), product):
            return super()._train(X, y, sample_weight, task, validation, warm, partial)

    def _downsample_factor(self) -> int:
        """Time steps averaged into one: ``downsample="auto"`` brings the
        longest training sequence to at most ``AUTO_MAX_STEPS`` steps."""
        if self.downsample == "auto":
            return max(1, math.ceil(self.input_shape_[0] / AUTO_MAX_STEPS))
        return int(self.downsample)

    def _effective_batch_size(self, n_samples):
        if self.batch_size == "auto" and self.solver != "lbfgs":
            return min(16, n_samples)
        return super()._effective_batch_size(n_samples)

    def _max_epochs(self, steps_per_epoch, step_macs):
        if self.max_iter == "auto":
            return auto_epochs(steps_per_epoch, step_macs)
        return self.max_iter

    def _max_grad_norm(self):
        return self.gradient_clipping


@Substitution(**with_defaults(SHARED, _DEFAULTS))
class RNNClassifier(ClassifierTaskMixin, _RNN):
    """Recurrent neural network classifier (LSTM, GRU or RNN) on PyTorch.

    For sequences: an array ``(n, timesteps, features)``, channels last as
    in Keras (``data_format="channels_first"`` for aeon's and PyTorch's
    ``(n, features, timesteps)``), or ``(n, timesteps)`` for univariate
    ones. Sequences of **unequal lengths** come as a list of arrays
    ``(timesteps_i, features)``, or as a 3-D array padded at the end with NaN
    (the convention of aeon and sktime); the padding is never seen by the
    network, which runs on packed sequences, so a sequence's prediction does
    not depend on how much padding follows it. A NaN inside a sequence is an
    error that says where. At prediction, sequences may be longer (or
    shorter) than any seen in fit.

    The network (:class:`sknn.modules.RNN`) stacks ``num_layers`` recurrent
    layers, summarises the sequence (``pooling``) and ends in a linear
    output layer: one logit and a sigmoid for a binary target, a softmax
    for multiclass, one sigmoid per label for a multilabel indicator
    matrix. Training is the shared machinery of every sknn classifier
    (optimizers, early stopping, weights, ``partial_fit``, seeding,
    devices, pickling).

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        The recurrent layer.

    hidden_size : int, default=128
        Units of each recurrent layer, per direction.

    num_layers : int, default=1
        Stacked recurrent layers.

    bidirectional : bool, default=True
        Whether each layer also reads the sequences backwards.

    pooling : {"last", "mean", "attention"}, default="last"
        What the output layer sees: the final hidden state (of both
        directions), the mean of the last layer's outputs over the time
        steps, or their attention-weighted mean (a learned score per step).

    downsample : "auto" or int, default="auto"
        Time steps averaged into one before the first recurrent layer
        (windows of ``downsample`` steps, stride ``downsample``; padding is
        left out of the means): a sequence of ``n`` steps reaches the
        recurrent layers as ``ceil(n / downsample)`` steps, so long series
        train several times faster and their gradients cross fewer steps.
        ``"auto"`` takes the smallest factor that brings the training
        sequences (``input_shape_[0]`` steps) to at most 50 steps: 1 (every
        step read) up to 50 steps, 3 for 150 steps, 30 for 1,460. 1 reads
        every step. The factor is kept in ``module_kwargs_["downsample"]``
        and applies at prediction to sequences of any length.

    data_format : {"channels_last", "channels_first"}, default="channels_last"
        Where the features are: ``(n, timesteps, features)`` or
        ``(n, features, timesteps)`` (lists: ``(timesteps_i, features)`` or
        ``(features, timesteps_i)``).

    gradient_clipping : float or None, default=1.0
        Gradients are rescaled so that their norm is at most this: it keeps
        recurrent networks from the exploding gradients of long sequences.

    dropout : float, default=0.0
        Dropout between stacked layers and before the output layer.

    normalization : {None, "layer", "rms"}, default=None
        Normalization of each recurrent layer's outputs, each time step of
        each sequence on its own. Methods that use batch statistics
        (``"batch"`` and its variants) are refused: across time steps and
        padding those statistics are ill-defined.

    normalization_kwargs : dict or None, default=None
        Options of the normalization method.

    %(training_parameters)s

    %(task_parameters)s

    Attributes
    ----------
    %(task_attributes)s

    %(fitted_attributes)s

    input_shape_ : tuple of int
        ``(timesteps, features)`` of the training sequences (the longest
        one's length), or ``(timesteps,)`` for a table. ``n_features_in_`` is
        the number of features per time step, or the number of columns of a
        table.

    See Also
    --------
    sknn.modules.RNN : The network it trains, for your own PyTorch code.
    sknn.CNNClassifier : Convolutions, often better on long signals.

    Notes
    -----
    The defaults, chosen on UCR / UEA data sets of 24 to 1,460 time steps
    and 1 to 12 features (``benchmarks/bench_sequences.py`` and
    ``benchmarks/bench_rnn_defaults.py``): a bidirectional LSTM of 128
    units classifying from its final states, reading at most 50 time steps
    (``downsample="auto"`` averages longer sequences over windows), batches
    of 16 (``batch_size="auto"``: 16, or fewer samples), Adam at 1e-3 with
    a cosine decay to zero and gradient clipping at 1, and
    ``max_iter="auto"``: as many epochs as make about 1,500 optimizer
    steps, fewer for long sequences (the run is held to about 1e12
    multiply-accumulates of forward passes, at least 200 steps). On the
    CPU, training runs on one thread unless the product of one time step
    (batch, gates, hidden units, inputs) is large: a recurrent layer's
    chain of small products gains nothing from more threads, and loses much
    on a busy machine. With seeds 0 and 1 they score 0.966 on
    ItalyPowerDemand, 0.964 on JapaneseVowels and 0.925 on BasicMotions
    (unchanged by ``downsample``), and 0.950 on GunPoint (150 steps; 0.70
    reading every step, as the defaults did before ``downsample``), each
    fit in under 40 s on two busy CPU cores; on longer or spikier signals
    (ArrowHead, OSULeaf, ACSF1) :class:`~sknn.CNNClassifier` remains far
    stronger.

    An exported ONNX model (:func:`sknn.to_onnx`) takes sequences of the
    training length, shorter ones padded with NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn import RNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 12, 2))
    >>> y = (X[:, :3, 0].sum(axis=1) > 0).astype(int)  # what comes first
    >>> clf = RNNClassifier(hidden_size=16, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.8
    True
    >>> ragged = [rng.normal(size=(n, 2)) for n in (5, 9, 12)]
    >>> clf.predict(ragged).shape
    (3,)
    """

    _parameter_constraints: dict = {
        **_RNN._parameter_constraints,
        **ClassifierTaskMixin._task_constraints,
    }

    def __init__(
        self,
        *,
        cell="lstm",
        hidden_size=128,
        num_layers=1,
        bidirectional=True,
        pooling="last",
        downsample="auto",
        data_format="channels_last",
        gradient_clipping=1.0,
        solver="adam",
        alpha=0.0,
        batch_size="auto",
        learning_rate="cosine",
        learning_rate_init=1e-3,
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
        dropout=0.0,
        normalization=None,
        normalization_kwargs=None,
        class_weight=None,
        output_weights=None,
        device="auto",
        dtype="float32",
        precision="exact",
        compile=False,
    ):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.downsample = downsample
        self.data_format = data_format
        self.gradient_clipping = gradient_clipping
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


@Substitution(**with_defaults(REGRESSOR, _DEFAULTS))
class RNNRegressor(RegressorTaskMixin, _RNN):
    """Recurrent neural network regressor (LSTM, GRU or RNN) on PyTorch.

    The network, inputs and defaults of :class:`~sknn.RNNClassifier`
    (sequences ``(n, timesteps, features)``, channels last or first, of
    equal or unequal lengths as a list of arrays or NaN padding, never seen
    by the network), trained with a regression loss: one output per
    target, learned standardized (``scale_target``) and predicted in the
    original units.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        The recurrent layer.

    hidden_size : int, default=128
        Units of each recurrent layer, per direction.

    num_layers : int, default=1
        Stacked recurrent layers.

    bidirectional : bool, default=True
        Whether each layer also reads the sequences backwards.

    pooling : {"last", "mean", "attention"}, default="last"
        What the output layer sees: the final hidden state, the mean of the
        last layer's outputs over the time steps, or their attention-weighted
        mean.

    downsample : "auto" or int, default="auto"
        Time steps averaged into one before the first recurrent layer
        (padding left out): a sequence of ``n`` steps reaches the recurrent
        layers as ``ceil(n / downsample)`` steps. ``"auto"`` takes the
        smallest factor that brings the training sequences to at most 50
        steps; 1 reads every step. The factor is kept in
        ``module_kwargs_["downsample"]``.

    data_format : {"channels_last", "channels_first"}, default="channels_last"
        Where the features are: ``(n, timesteps, features)`` or
        ``(n, features, timesteps)``.

    gradient_clipping : float or None, default=1.0
        Gradients are rescaled so that their norm is at most this.

    dropout : float, default=0.0
        Dropout between stacked layers and before the output layer.

    normalization : {None, "layer", "rms"}, default=None
        Normalization of each recurrent layer's outputs, each time step of
        each sequence on its own.

    normalization_kwargs : dict or None, default=None
        Options of the normalization method.

    %(training_parameters)s

    %(task_parameters)s

    Attributes
    ----------
    %(task_attributes)s

    %(fitted_attributes)s

    input_shape_ : tuple of int
        ``(timesteps, features)`` of the training sequences (the longest
        one's length), or ``(timesteps,)`` for a table.

    See Also
    --------
    sknn.RNNClassifier : The same network for class labels.
    sknn.CNNRegressor : Convolutions, often better on long signals.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn import RNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(100, 10, 2))
    >>> y = X[:, :3, 0].sum(axis=1)  # what comes first
    >>> reg = RNNRegressor(hidden_size=16, random_state=0)
    >>> reg.fit(X, y).score(X, y) > 0.8
    True
    >>> ragged = [rng.normal(size=(n, 2)) for n in (5, 9, 12)]
    >>> reg.predict(ragged).shape
    (3,)
    """

    _parameter_constraints: dict = {
        **_RNN._parameter_constraints,
        **RegressorTaskMixin._task_constraints,
    }

    def __init__(
        self,
        *,
        cell="lstm",
        hidden_size=128,
        num_layers=1,
        bidirectional=True,
        pooling="last",
        downsample="auto",
        data_format="channels_last",
        gradient_clipping=1.0,
        solver="adam",
        alpha=0.0,
        batch_size="auto",
        learning_rate="cosine",
        learning_rate_init=1e-3,
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
        dropout=0.0,
        normalization=None,
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
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.downsample = downsample
        self.data_format = data_format
        self.gradient_clipping = gradient_clipping
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
