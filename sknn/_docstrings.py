"""Parameter descriptions written once and substituted into every classifier."""

from __future__ import annotations

import re

from ._training.setup import AUTO_LBFGS_ITERATIONS, AUTO_MIN_EPOCHS, AUTO_MIN_STEPS

#: The ``max_iter`` entry of the estimators for tables, whose ``"auto"``
#: is :func:`sknn._training.setup.auto_table_epochs`.
AUTO_MAX_ITER = f"""max_iter : int or "auto", default="auto"
        Maximum number of epochs (passes over the training data) of a
        stochastic solver, or of iterations of ``"lbfgs"``. ``"auto"``:
        {AUTO_MIN_EPOCHS} epochs, or as many as make {AUTO_MIN_STEPS}
        optimizer steps when that is more (a table of 128 rows, two
        batches of 64, gets 100 epochs); {AUTO_LBFGS_ITERATIONS} iterations of
        ``"lbfgs"``, as in scikit-learn. A stochastic run of ``"auto"``
        epochs is a plan that sknn chose: reaching its end gives no
        ``ConvergenceWarning``."""


class Substitution:
    """Fill ``%(name)s`` placeholders of a docstring (imbalanced-learn's helper)."""

    def __init__(self, **params: str) -> None:
        self.params = params

    def __call__(self, obj):
        obj.__doc__ = obj.__doc__ % self.params
        return obj


def with_defaults(texts: dict[str, str], defaults: dict[str, str]) -> dict[str, str]:
    """The shared texts with the ``default=`` of some parameters changed, for
    an estimator whose defaults differ from the shared ones."""
    texts = dict(texts)
    for name, value in defaults.items():
        pattern = re.compile(rf"^(\s*{name} : [^\n]*, default=)[^\n]*$", re.MULTILINE)
        total = 0
        for key, text in texts.items():
            texts[key], count = pattern.subn(lambda m, v=value: m.group(1) + v, text)
            total += count
        if total != 1:
            raise RuntimeError(f"no single {name!r} entry in the shared parameters")
    return texts


def with_entries(texts: dict[str, str], entries: dict[str, str]) -> dict[str, str]:
    """The shared texts with whole parameter entries replaced: ``entries``
    maps a parameter's name to its new entry (its ``name : type`` line and
    its description, indented as the shared ones)."""
    texts = dict(texts)
    found = dict.fromkeys(entries, 0)
    for key, text in texts.items():
        parts = text.split("\n\n    ")
        for index, part in enumerate(parts):
            name = part.split(" : ", 1)[0].strip()
            if name in entries:
                parts[index] = entries[name].strip()
                found[name] += 1
        texts[key] = "\n\n    ".join(parts)
    missing = [name for name, count in found.items() if count != 1]
    if missing:
        raise RuntimeError(f"no single entry for {missing} in the shared parameters")
    return texts


def shared_entry(name: str, texts: dict[str, str] | None = None) -> str:
    """The shared entry of one parameter, to derive an estimator's own."""
    for text in (SHARED if texts is None else texts).values():
        for part in text.split("\n\n    "):
            if part.split(" : ", 1)[0].strip() == name:
                return part
    raise KeyError(name)


_NETWORK_PARAMETERS = """activation : {"relu", "identity", "logistic", "tanh", \
"leaky_relu", "elu", "gelu", "silu"}, default="relu"
        Activation of the hidden layers (scikit-learn's names, plus common
        deep-learning ones).

    dropout : float, default=0.0
        Dropout probability after each hidden layer.

    normalization : str or None, default=None
        Normalization inside the network, by name (see
        :mod:`sknn.normalization` for the methods and when to use each).

    normalization_kwargs : dict or None, default=None
        Extra options of the normalization method (for example ``groups``,
        ``eps`` or ``momentum``), passed to the layer; an option the method
        does not take is an error. To search several methods in one grid,
        key the dict by method name, e.g.
        ``{"group": {"groups": 8}, "batch": {"momentum": 0.01}}``: each method
        then gets its own options (none when it is not a key). Batch
        renormalization's ``warmup_steps`` and ``ramp_steps`` default to 10%
        and 40% of the run's optimizer steps."""

_TRAINING_PARAMETERS = """solver : {"adam", "adamw", "sgd", "lbfgs"}, default="adam"
        The optimizer, with scikit-learn's names. ``"adam"`` and ``"adamw"``
        (Adam with decoupled weight decay) use ``beta_1``, ``beta_2`` and
        ``epsilon``; ``"sgd"`` uses ``momentum``, ``nesterovs_momentum`` and
        the ``learning_rate`` schedule. ``"lbfgs"`` is full-batch L-BFGS
        (``torch.optim.LBFGS`` with a strong-Wolfe line search and a history
        of 10, like scipy's L-BFGS-B that scikit-learn uses): it converges
        fast and well on small data sets, ignores ``batch_size``, ``shuffle``,
        ``learning_rate_init`` and early stopping, counts ``max_iter`` in its
        iterations (one per epoch of ``history_``), stops when the largest
        gradient is at most ``tol``, and has no ``partial_fit``.

    alpha : float, default=0.1
        Strength of the L2 penalty on the weights of linear, convolutional
        and embedding layers (``nn.Linear``, ``nn.Conv1d`` to ``nn.Conv3d``
        and ``nn.Embedding``, in a network of your own too; not biases,
        normalization or other parameters). Scaled as in
        scikit-learn: the gradient of the penalty is ``alpha * w`` divided by
        the batch's total sample weight (its size when unweighted).
        With ``solver="adamw"`` the same coefficient is applied as
        decoupled weight decay. Under ``normalization="weight"`` the penalty
        falls on the magnitudes ``g`` (``||w|| = |g|`` row by row); under
        ``"spectral"``, which fixes the weights' scale, it does not apply.

    batch_size : int or "auto", default=64
        Samples per optimizer step (at most ``n_samples``); ``"auto"`` is
        scikit-learn's ``min(200, n_samples)``. A
        last batch of a single sample is merged into the one before it, so
        batch statistics are always defined and no sample is dropped.

    learning_rate : {"constant", "invscaling", "adaptive", "cosine"}, \
default="constant"
        Learning-rate schedule. ``"constant"`` keeps ``learning_rate_init``.
        For ``solver="sgd"``, as scikit-learn defines them: ``"invscaling"``
        sets it to ``learning_rate_init / (t + 1) ** power_t`` after each
        epoch, ``t`` being the number of training samples seen so far
        (``t_``); ``"adaptive"`` divides it by 5 whenever the monitored loss
        or score has not improved by ``tol`` for ``n_iter_no_change`` epochs,
        and stops once it is below 1e-6. ``"cosine"`` (any stochastic
        solver; sknn's) lowers it step by step from ``learning_rate_init`` to
        zero along half a cosine over the ``max_iter`` epochs of a ``fit``
        (``partial_fit`` keeps it constant). The schedule runs its course:
        a plateau of the training loss does not stop it (with
        ``early_stopping=True`` the validation score still can), and a run
        that ends there has spent its planned budget and gets no
        ``ConvergenceWarning``.

    learning_rate_init : float, default=3e-3
        Learning rate of the optimizer (unused by ``"lbfgs"``).

    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.

    max_iter : int, default=20
        Maximum number of epochs (passes over the training data).

    shuffle : bool, default=True
        Whether to shuffle the training samples in each epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation
        split. With an int, results are identical run after run on the CPU.
        torch's global random state is left untouched by ``fit``; as
        everywhere in scikit-learn, ``None`` draws the seed from numpy's
        global random state.

    tol : float, default=1e-4
        Minimum improvement of the monitored loss or score that counts as
        progress (see ``n_iter_no_change``); for ``solver="lbfgs"``, the
        largest gradient at which it has converged. A regressor's losses are
        compared as training minimizes them, on the scaled target
        (``scale_target``), so that when training stops does not depend on
        the target's units.

    verbose : int, default=0
        0 is silent; 1 prints one line per epoch, scikit-learn's
        ``Iteration N, loss = ...`` (the training loss), then the validation
        loss and score and the epoch's seconds; 2 also shows a progress bar
        within long epochs.

    warm_start : bool, default=False
        When True, ``fit`` continues from the weights of the previous fit
        (with a new optimizer, as scikit-learn does) and ``history_`` goes on.

    momentum : float, default=0.9
        Momentum of ``solver="sgd"``.

    nesterovs_momentum : bool, default=True
        Whether ``solver="sgd"`` uses Nesterov's momentum.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified
        by class for a classifier, seeded by ``random_state``), stop when
        the monitored validation quantity (``scoring``) has not improved by
        ``tol`` for more than ``n_iter_no_change`` epochs, and restore the
        weights of the best
        epoch. An explicit validation set passed to ``fit`` as ``X_val`` and
        ``y_val`` is used instead of the held-out fraction.

    validation_fraction : float, default=0.1
        Fraction of the training data held out when ``early_stopping=True``
        and no explicit validation set is given.

    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of Adam's moment estimates.

    epsilon : float, default=1e-8
        Adam's numerical-stability constant.

    n_iter_no_change : int or np.inf, default=10
        Epochs without improvement of more than ``tol`` after which training
        stops (or, with ``learning_rate="adaptive"``, the learning rate
        drops): of the training loss, or of the validation quantity with
        ``early_stopping=True``. ``np.inf`` never stops early. Under
        ``learning_rate="cosine"`` only the validation quantity counts.

    max_fun : int, default=15000
        ``solver="lbfgs"`` only: the most evaluations of the loss (forward
        and backward passes over the whole training set) the fit may make,
        line searches included; a ``ConvergenceWarning`` says when it runs
        out.

    device : str or torch.device, default="auto"
        Where the network trains and predicts: ``"auto"`` picks the first CUDA
        device when one is available and the CPU otherwise; ``"cpu"``,
        ``"cuda"`` or ``"cuda:1"`` are honoured, and a CUDA device that is not
        there is an error. A model trained on a GPU unpickles on a CPU-only
        machine. On the CPU, torch's thread count (``torch.set_num_threads``)
        applies, except that a network whose training step is small (below
        four million multiply-accumulates per batch) trains on one thread,
        which is faster for it and immune to busy cores; torch's setting is
        restored after ``fit``.

    dtype : {"float32", "float64"}, default="float32"
        Floating-point type of the network and of the data it is fed (inputs
        are converted once). float32 is the fast default; float64 gives
        results that do not depend on the order of floating-point sums, for
        example exact equivalence of integer sample weights and repeated
        samples.

    precision : {"exact", "tf32", "bf16"}, default="exact"
        The arithmetic of the network's products on a GPU. ``"exact"``: the
        network's dtype, nothing less (torch lets cuDNN run float32
        convolutions and recurrent layers in TF32 by default; sknn does not,
        inside its fit and predict). ``"tf32"``: float32 products in TF32 on
        NVIDIA GPUs from Ampere on (the CPU computes exactly). ``"bf16"``:
        mixed precision, forward passes in bfloat16 where torch's autocast
        deems it safe, weights and optimizer in float32 (on any device;
        needs ``dtype="float32"``). Whatever the precision, a fit with an int
        ``random_state`` is reproducible on the same machine: sknn asks torch
        for deterministic algorithms on CUDA while it fits and predicts, and
        restores torch's settings afterwards.

    compile : bool or {"default", "reduce-overhead", "max-autotune"}, \
default=False
        Run the forward passes (training, validation and prediction) through
        ``torch.compile``, with this mode (True: ``"default"``);
        ``"reduce-overhead"`` replays whole steps as CUDA graphs, which pays
        for small batches on a GPU. Compiling takes seconds to minutes before
        the first step, so it pays on long fits; on a CPU it rarely does.
        ``module_`` remains the plain network (saved, exported and read as
        without compiling)."""

_FITTED_ATTRIBUTES = """n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during ``fit``, when ``X`` was a DataFrame
        with string column names.

    module_ : torch.nn.Module
        The trained network.

    module_kwargs_ : dict or None
        The keyword arguments the network was built with: every parameter of
        its constructor, the sizes read off the data and the defaults
        included (None for a module instance, which is copied). Unpickling
        rebuilds the network from them.

    history_ : skorch.History
        One row per epoch (per iteration for ``"lbfgs"``), over every call
        since the first fit: ``epoch``, ``train_loss``, ``dur`` (seconds)
        and, with validation data, ``valid_loss`` and the validation score,
        ``valid_accuracy`` for a classifier, ``valid_r2`` for a regressor.

    loss_ : float
        The training loss of the last epoch, as scikit-learn defines it:
        the data loss plus the L2 term ``alpha / 2 * ||W||^2`` per unit of
        sample weight.

    loss_curve_ : list of float
        ``loss_`` of each epoch in ``history_``.

    validation_scores_ : list of float or None
        Validation score (accuracy for a classifier, R² for a regressor) of
        each epoch that had validation data, or None.

    best_loss_ : float or None
        Lowest training loss in ``loss_curve_``, or None with
        ``early_stopping=True`` (scikit-learn's definition).

    best_validation_score_ : float or None
        Validation score of the model that is kept: the epoch early
        stopping restored, or the last epoch; None without validation data.
        ``partial_fit`` leaves it as it was.

    best_epoch_ : int or None
        The epoch whose weights early stopping restored.

    n_iter_ : int
        Epochs run by the last call to ``fit`` or ``partial_fit`` (one for
        ``partial_fit``; iterations for ``"lbfgs"``), as in scikit-learn.

    t_ : int
        Training samples the solver has seen since the first fit (epochs
        times training samples; it goes on over ``warm_start`` and
        ``partial_fit``, and stays 0 for ``"lbfgs"``, as in scikit-learn).

    device_ : str
        The device the network is on."""

_CLASSIFIER_PARAMETERS = """scoring : {"loss", "accuracy"}, default="loss"
        What early stopping monitors on the validation set: its loss (the
        smoother signal) or its accuracy (scikit-learn's MLP).

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, multiplied with
        ``sample_weight``. ``"balanced"`` weights classes inversely to their
        frequency, as in scikit-learn (for a multiclass-multioutput target,
        column by column, the columns' weights multiplied).

    output_weights : array-like of shape (n_outputs,) or None, default=None
        Multiclass-multioutput targets only (a 2-D ``y`` whose columns hold
        their own labels): how much each column's cross-entropy counts in
        the loss they share; None counts each once."""

_CLASSIFIER_ATTRIBUTES = """classes_ : ndarray of shape (n_classes,) or list of ndarray
        Class labels, in scikit-learn's sorted order (``arange(n_labels)`` for
        multilabel targets); for a multiclass-multioutput target, one array
        per column of ``y``, as scikit-learn's ``MultiOutputClassifier`` has.

    n_outputs_ : int
        Number of output units of the network.

    target_type_ : str
        ``"binary"``, ``"multiclass"``, ``"multilabel-indicator"`` or
        ``"multiclass-multioutput"``.

    out_activation_ : str
        The output's activation, as scikit-learn names it: ``"softmax"``
        for multiclass targets, ``"logistic"`` for binary and multilabel
        ones."""

_REGRESSOR_PARAMETERS = """loss : {"squared_error", "poisson", "absolute_error", \
"huber", "quantile"}, default="squared_error"
        What training minimizes, per sample the mean over the outputs of:
        half the squared error (scikit-learn's ``"squared_error"``); the
        absolute error (a median regression, robust to outliers); Huber's
        loss, quadratic up to ``huber_delta`` and linear beyond; the pinball
        loss of quantile ``quantile``; or, summed over the outputs as in
        scikit-learn, half the Poisson deviance of ``exp(output)``, for
        counts and other non-negative targets (a log link: predictions are
        positive, and ``y`` must not be negative).

    huber_delta : float, default=1.0
        ``loss="huber"`` only: the size of a residual, in the target's
        units, beyond which the loss grows linearly.

    quantile : float, default=0.5
        ``loss="quantile"`` only: the quantile to predict, in (0, 1)
        (HistGradientBoostingRegressor's name).

    scale_target : bool, default=True
        Whether the network learns a standardized target: each output is
        centred and divided by its (weighted) standard deviation before
        training, and predictions are mapped back, so targets in the
        thousands train as well as targets near one, with the same
        learning rate. For ``loss="poisson"`` each output is only divided
        by its mean, which keeps the log link and the sign. The losses
        reported (``loss_``, ``loss_curve_``, ``history_``) are in the
        target's original units either way.

    scoring : {"loss", "r2"}, default="r2"
        What early stopping monitors on the validation set: its R²
        (scikit-learn's MLPRegressor, uniform average over outputs) or its
        loss."""

_REGRESSOR_ATTRIBUTES = """n_outputs_ : int
        Number of outputs (targets) of the network.

    out_activation_ : str
        The output's activation, as scikit-learn names it: ``"identity"``,
        or ``"exp"`` for ``loss="poisson"`` (its log link).

    target_offset_ : ndarray of shape (`n_outputs_`,)
        What is subtracted from each target before training: its weighted
        mean (0 without target scaling and for the Poisson loss).

    target_scale_ : ndarray of shape (`n_outputs_`,)
        What each target is then divided by: its weighted standard
        deviation, or for the Poisson loss its weighted mean (1 without
        target scaling)."""

_SHARED = {
    "network_parameters": _NETWORK_PARAMETERS,
    "training_parameters": _TRAINING_PARAMETERS,
    "fitted_attributes": _FITTED_ATTRIBUTES,
}

#: The substitutions of a classifier's docstring.
SHARED = {
    **_SHARED,
    "task_parameters": _CLASSIFIER_PARAMETERS,
    "task_attributes": _CLASSIFIER_ATTRIBUTES,
}

#: The substitutions of a regressor's docstring.
REGRESSOR = {
    **_SHARED,
    "task_parameters": _REGRESSOR_PARAMETERS,
    "task_attributes": _REGRESSOR_ATTRIBUTES,
}
