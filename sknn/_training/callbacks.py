"""Training-loop callbacks: convergence and early stopping, and progress output.

They follow skorch's callback protocol (no-op ``on_*`` hooks taking ``**kwargs``)
and read the per-epoch values that :class:`sknn._training.engine.Engine` records in the
history.
"""

from __future__ import annotations

import math
import sys

from skorch.callbacks import Callback


class Convergence(Callback):
    """Stop when the monitored quantity stops improving, as scikit-learn's MLP.

    Without a validation set the training loss is monitored: an epoch whose loss
    is not below the best loss minus ``tol`` counts as no improvement (the
    loss as training minimizes it, ``train_objective``, where the engine
    records one). With ``early_stopping``, the validation loss
    (``scoring="loss"``) or score (``scoring="accuracy"`` or ``"r2"``, read
    from ``valid_<scoring>``) is monitored instead, the weights of the best epoch
    are kept, and they are restored when training ends. After more than
    ``n_iter_no_change`` epochs without improvement, training stops, or with
    ``adaptive`` the learning rate is divided by 5 (scikit-learn's
    ``learning_rate="adaptive"``) until it is at most 1e-6.

    ``best`` and ``count`` carry the best value and the count of epochs
    without improvement over from an earlier call (``partial_fit``, where
    scikit-learn keeps them on the estimator).
    """

    def __init__(
        self,
        *,
        tol: float,
        n_iter_no_change: float,
        early_stopping: bool,
        scoring: str,
        adaptive: bool = False,
        best: float = -math.inf,
        count: int = 0,
    ) -> None:
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.scoring = scoring
        self.adaptive = adaptive
        self.best = best
        self.count = count

    def initialize(self):
        self.best_ = self.best
        self.best_epoch_ = None
        self.best_state_ = None
        self.no_improvement_count_ = self.count
        self.converged_ = False
        return self

    def _monitored(self, row) -> float:
        """The quantity to maximise this epoch."""
        # a loss as training minimizes it (see Engine's ``*_objective``)
        if not self.early_stopping:
            return -row.get("train_objective", row["train_loss"])
        if self.scoring == "loss":
            return -row.get("valid_objective", row["valid_loss"])
        return row["valid_" + self.scoring]

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        value = self._monitored(row)
        if value < self.best_ + self.tol:
            self.no_improvement_count_ += 1
        else:
            self.no_improvement_count_ = 0
        # Early stopping keeps the weights of a best epoch of this call, the
        # first one even if its score is not finite (a validation loss that
        # overflows): something to go back to if a later epoch diverges.
        first = self.early_stopping and self.best_state_ is None
        if value > self.best_ or first:
            self.best_ = value
            self.best_epoch_ = row["epoch"]
            if self.early_stopping:
                self.best_state_ = {
                    key: tensor.detach().clone()
                    for key, tensor in net.module_.state_dict().items()
                }
        if self.no_improvement_count_ > self.n_iter_no_change:
            groups = net.optimizer_.param_groups
            if self.adaptive and groups[0]["lr"] > 1e-6:
                for group in groups:
                    group["lr"] /= 5.0
                self.no_improvement_count_ = 0
                return
            self.converged_ = True
            net.request_stop()

    def on_train_end(self, net, **kwargs):
        if self.early_stopping and self.best_state_ is not None:
            net.module_.load_state_dict(self.best_state_)


class InverseScaling(Callback):
    """scikit-learn's ``learning_rate="invscaling"``: after each epoch the
    learning rate becomes ``lr_init / (t + 1) ** power_t``, ``t`` being the
    training samples seen so far (from ``t_start``, ``samples`` an epoch).
    Groups with a learning-rate scale keep it relative to the first group."""

    def __init__(
        self, *, lr_init: float, power_t: float, t_start: int, samples: int
    ) -> None:
        self.lr_init = lr_init
        self.power_t = power_t
        self.t_start = t_start
        self.samples = samples

    def initialize(self):
        self.t_ = self.t_start
        return self

    def on_train_begin(self, net, **kwargs):
        groups = net.optimizer_.param_groups
        self.scales_ = [g["lr"] / groups[0]["lr"] for g in groups]

    def on_epoch_end(self, net, **kwargs):
        self.t_ += self.samples
        lr = self.lr_init / (self.t_ + 1) ** self.power_t
        for group, scale in zip(net.optimizer_.param_groups, self.scales_, strict=True):
            group["lr"] = lr * scale


class CosineDecay(Callback):
    """The learning rate falls from its initial value to zero along half a
    cosine over the run's ``steps`` optimizer steps, step by step.

    Groups with a learning-rate scale keep it relative to the first group.
    """

    def __init__(self, *, lr_init: float, steps: int) -> None:
        self.lr_init = lr_init
        self.steps = steps

    def initialize(self):
        self.step_ = 0
        return self

    def on_train_begin(self, net, **kwargs):
        groups = net.optimizer_.param_groups
        self.scales_ = [g["lr"] / groups[0]["lr"] for g in groups]

    def on_batch_end(self, net, training=False, **kwargs):
        if not training:
            return
        self.step_ += 1
        progress = min(self.step_ / max(self.steps, 1), 1.0)
        lr = self.lr_init * 0.5 * (1.0 + math.cos(math.pi * progress))
        for group, scale in zip(net.optimizer_.param_groups, self.scales_, strict=True):
            group["lr"] = lr * scale


class EpochPrinter(Callback):
    """One line per epoch, scikit-learn's ``Iteration N, loss = ...`` (the
    training loss), then the validation loss and score and the epoch's time."""

    def __init__(self, *, max_epochs: int, stream=None) -> None:
        self.max_epochs = max_epochs
        self.stream = stream

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        parts = [f"Iteration {row['epoch']}", f"loss = {row['train_loss']:.8f}"]
        if "valid_loss" in row:
            parts.append(f"valid_loss = {row['valid_loss']:.8f}")
            parts += [
                f"{key} = {value:.4f}"
                for key, value in row.items()
                if key.startswith("valid_")
                and key not in ("valid_loss", "valid_batch_count")
            ]
        parts.append(f"{row['dur']:.2f}s")
        print(", ".join(parts), file=self.stream or sys.stdout, flush=True)


class BatchProgress(Callback):
    """A progress bar within each training epoch, shown on long epochs only."""

    def __init__(self, *, min_batches: int = 50, stream=None) -> None:
        self.min_batches = min_batches
        self.stream = stream

    def initialize(self):
        self.bar_ = None
        return self

    def on_epoch_begin(self, net, dataset_train=None, **kwargs):
        n_batches = len(net.get_iterator(dataset_train, training=True))
        if n_batches >= self.min_batches:
            from tqdm.auto import tqdm

            self.bar_ = tqdm(
                total=n_batches, leave=False, file=self.stream or sys.stderr
            )

    def on_batch_end(self, net, training=False, **kwargs):
        if training and self.bar_ is not None:
            self.bar_.update(1)

    def on_epoch_end(self, net, **kwargs):
        if self.bar_ is not None:
            self.bar_.close()
            self.bar_ = None
