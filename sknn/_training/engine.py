"""The training engine: skorch's ``NeuralNet`` fed whole tensor batches.

skorch runs the loop (initialisation, epochs, callbacks, history, device moves,
pickling); sknn replaces the parts that cost time on in-memory data: batches
are slices of tensors (:mod:`sknn._training.data`), the loss of an epoch is summed on
the device and read once per epoch rather than once per batch, and the module's
train / eval mode is set once per pass rather than once per batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EpochTimer

from .checkpoint import Checkpoint
from .data import SplitData
from .lbfgs import LBFGSRun
from .named import call_module
from .numerics import autocast, compiled, numerics
from .optim import penalized_parameters
from .step import StepRunner
from .stream import make_batches

#: What to change when training diverges.
DIVERGENCE_ADVICE = (
    "Scale the inputs (StandardScaler, or sknn.preprocessing.TensorScaler for "
    "images and other tensors) or lower learning_rate_init (or alpha, if it is "
    "large)."
)


def join_outputs(outputs):
    """A module's outputs as one tensor: several outputs (a tuple or list of
    tensors, one per head or target, each ``(batch,)`` or ``(batch, width)``)
    side by side; anything else as it is, for the task to check."""
    if isinstance(outputs, (tuple, list)) and outputs:
        if all(isinstance(o, torch.Tensor) and o.ndim in (1, 2) for o in outputs):
            if len({o.shape[0] for o in outputs}) == 1:
                parts = [o.reshape(len(o), -1) for o in outputs]
                joined = torch.cat(parts, dim=1)
                # what the output checks name when the width is wrong
                joined._sknn_parts = [p.shape[1] for p in parts]
                return joined
    return outputs


class Diverged(ValueError):
    """Training diverged: the loss or the weights became non-finite.

    ``what`` says what happened, the message adds what to change."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} {DIVERGENCE_ADVICE}")
        self.what = what


class Engine(NeuralNet):
    """skorch ``NeuralNet`` specialised for sknn's in-memory tensor data.

    The criterion is the task's loss, an ``nn.Module`` called as
    ``criterion(outputs, target, weight)`` (the weight may be None); when it
    has a true ``reports`` attribute, its ``report`` method gives the loss
    to record (in the target's original units, say; its ``penalty_factor``
    brings the L2 term to the same units), which the history and the
    divergence check read; the loss it minimizes is then recorded beside
    it as ``train_objective`` (``valid_objective``), which the convergence
    tests read, so that they do not depend on the units of the report.

    Parameters beyond skorch's
    --------------------------
    metric : object
        The validation metric: ``metric.batch(outputs, target, weight)``
        returns a 1-D tensor per validation batch (left on the device), and
        ``metric.value(rows)`` reduces the stacked rows (a float64 numpy
        array) to the epoch's score, recorded as ``"valid_" + metric.name``.
    shuffle : bool
        Whether to reshuffle the training rows each epoch.
    generator : torch.Generator
        Source of the epoch permutations.
    alpha : float
        Strength of the L2 penalty (see :meth:`apply_penalty`).
    output_check : callable or None
        Called as ``output_check(logits, n_samples)`` on the module's output
        for the first training batch of each call, in train mode: a module
        may return other things in train mode than in eval mode.
    max_fun : int
        With an L-BFGS optimizer, the most loss evaluations of a run.
    max_grad_norm : float or None
        Gradients are rescaled so that their global norm is at most this
        (gradient clipping, which keeps recurrent networks stable).
    precision : {"exact", "tf32", "bf16"}
        The arithmetic of the forward passes (see
        :mod:`sknn._training.numerics`); outputs are handed on in the
        network's dtype whatever it is. :meth:`predict_outputs` applies
        torch's settings for it itself; a fit runs under the caller's
        ``numerics(device, precision)``, which also covers the passes made
        outside the engine (the probe, batch-norm statistics).
    compile_mode : bool or str
        Whether (True, or a ``torch.compile`` mode) the forward passes run
        through ``torch.compile``; ``module_`` itself is not replaced.
        (skorch's own ``compile`` would replace it, and sknn reads and saves
        the plain module.)
    """

    def __init__(
        self,
        *args,
        metric,
        shuffle,
        generator,
        alpha,
        output_check=None,
        max_fun=15000,
        max_grad_norm=None,
        precision="exact",
        compile_mode=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.max_grad_norm = max_grad_norm
        self.precision = precision
        self.compile_mode = compile_mode
        self.metric = metric
        self.shuffle = shuffle
        self.generator = generator
        self.alpha = alpha
        self.output_check = output_check
        self.max_fun = max_fun

    def request_stop(self):
        """End training after the current epoch (a callback's way to stop)."""
        self.stop_requested_ = True

    def partial_fit(self, X, y=None, classes=None, *, transactional=True):
        """Train ``max_epochs`` epochs on ``X``, a :class:`SplitData`.

        A transaction: on an exception, the module, the optimizer's state,
        the generator and the history go back to where this call found them
        (with ``transactional``; otherwise the caller discards the engine),
        and the exception propagates. A ``KeyboardInterrupt`` is the user
        stopping training: they go back to the end of the last epoch this
        call completed (``epochs_completed_``), training ends there as if it
        had converged (early stopping's best weights are restored), and the
        interrupt propagates.
        """
        if not self.initialized_:
            self.initialize()
        rows = len(self.history_)
        self.epochs_completed_ = 0
        self.stop_requested_ = False
        self.divergence_ = None
        self.output_unchecked_ = True
        start = self._checkpoint("start_checkpoint_") if transactional else None
        epoch = self._checkpoint("epoch_checkpoint_")
        try:
            self.notify("on_train_begin", X=X, y=y)
            self.fit_loop(X, y)  # under the caller's numerics(): see precision
        except KeyboardInterrupt:
            epoch.restore()
            self._after_restore(rows + self.epochs_completed_)
            if self.epochs_completed_:
                self.notify("on_train_end", X=X, y=y)
            raise
        except Diverged as error:
            if not self._keeps_best_weights():
                if start is not None:
                    start.restore()
                    self._after_restore(rows)
                raise
            # Early stopping has the weights of a best epoch to go back to,
            # as scikit-learn's MLP does: the diverged epoch is recorded
            # with non-finite losses and training ends there.
            epoch.restore()
            self._after_restore(rows + self.epochs_completed_)
            self._record_diverged_epoch()
            self.divergence_ = error.what
            self.notify("on_train_end", X=X, y=y)
        except BaseException:
            if start is not None:
                start.restore()
                self._after_restore(rows)
            raise
        else:
            self.notify("on_train_end", X=X, y=y)
        finally:
            # Trained or not, the module is left ready to predict.
            self._set_training(False)
        return self

    def _keeps_best_weights(self) -> bool:
        """Whether a callback keeps the weights of a best epoch (early
        stopping's), to restore when training ends."""
        return any(
            getattr(callback, "best_state_", None) is not None
            for _, callback in self.callbacks_
        )

    def _record_diverged_epoch(self):
        """A history row for an epoch that diverged: its losses and score
        are NaN."""
        self.history.new_epoch()
        self.history.record("epoch", len(self.history))
        for key in ("train_loss", "valid_loss", "valid_" + self.metric.name):
            self.history.record(key, math.nan)
        self.epochs_completed_ += 1

    def _checkpoint(self, name: str) -> Checkpoint:
        """The checkpoint kept as ``name``, saved now (its buffers are reused
        from one call to the next)."""
        checkpoint = getattr(self, name, None)
        if checkpoint is None or checkpoint.optimizer is not self.optimizer_:
            checkpoint = Checkpoint(self.module_, self.optimizer_, self.generator)
            setattr(self, name, checkpoint)
        checkpoint.save()
        return checkpoint

    def _after_restore(self, rows: int):
        """Drop the history of epochs not kept; the lean step's cached state
        tensors may have been replaced, and L-BFGS's kept gradient is stale."""
        del self.history_[rows:]
        self.prepare_optimizer()
        if self.lbfgs_ is not None:
            self.lbfgs_.forget()

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        dataset_train, dataset_valid = self.get_split_datasets(X, y)
        kwargs = {"dataset_train": dataset_train, "dataset_valid": dataset_valid}
        iterator_train = self.get_iterator(dataset_train, training=True)
        iterator_valid = (
            None if dataset_valid is None else self.get_iterator(dataset_valid)
        )
        for _ in range(self.max_epochs if epochs is None else epochs):
            self.notify("on_epoch_begin", **kwargs)
            self.run_single_epoch(iterator_train, True, "train", self.train_step)
            self._check_finite_weights()
            self.run_single_epoch(iterator_valid, False, "valid", self.validation_step)
            self.notify("on_epoch_end", **kwargs)
            self.epochs_completed_ += 1
            self.epoch_checkpoint_.save()
            if self.stop_requested_:
                break
        return self

    def _check_finite_weights(self):
        """A last step can leave the weights non-finite while the epoch's loss,
        computed before it, is finite: one synchronisation per epoch finds it."""
        params = [p.detach() for p in self.module_.parameters()]
        # One multi-tensor kernel: a norm is finite if and only if every
        # element is (or the weights are beyond any sane size anyway).
        norms = torch._foreach_norm(params) if params else None
        if norms and not bool(torch.stack(norms).isfinite().all()):
            raise Diverged(
                f"The network's weights became non-finite in epoch "
                f"{len(self.history)}: the network diverged."
            )

    def get_default_callbacks(self):
        return [("epoch_timer", EpochTimer())]

    def initialize_optimizer(self, triggered_directly=None):
        # ``optimizer`` is sknn's factory: it builds the parameter groups itself
        # (learning-rate scales some layers ask for).
        self.optimizer_ = self.optimizer(self.module_)
        self.prepare_optimizer()
        return self

    @property
    def lbfgs_(self) -> LBFGSRun | None:
        """The L-BFGS run when the optimizer is L-BFGS, else None."""
        if not isinstance(self.optimizer_, torch.optim.LBFGS):
            return None
        run = self.__dict__.get("_lbfgs_run")
        if run is None or run.optimizer is not self.optimizer_:
            run = self.__dict__["_lbfgs_run"] = LBFGSRun(self.optimizer_, self.max_fun)
        return run

    def prepare_optimizer(self):
        """Find the tensors the L2 penalty applies to, and how it applies.

        Called again after ``optimizer_.load_state_dict``, which replaces the
        optimizer's state tensors.
        """
        self.steps_ = StepRunner(self.optimizer_)
        self.penalized_ = penalized_parameters(self.module_)
        # AdamW decays the weights themselves (decoupled weight decay); Adam
        # and SGD add the penalty's gradient, as their ``weight_decay`` does.
        self.decoupled_decay_ = isinstance(self.optimizer_, torch.optim.AdamW)
        self.penalty_lr_ = self.optimizer_.param_groups[0]["lr"]
        dtypes = {p.dtype for p in self.penalized_}
        self.max_decay_ = min((torch.finfo(d).max for d in dtypes), default=math.inf)

    def apply_penalty(self, weight_sum: float):
        """scikit-learn's L2 penalty, ``alpha / 2 * ||W||^2`` per unit weight.

        Divided by the batch's total sample weight, it is a weight decay of
        ``alpha / weight_sum``, applied in one multi-tensor kernel.
        """
        decay = self.alpha / weight_sum
        if not decay <= self.max_decay_:
            raise ValueError(
                f"The L2 penalty's step, alpha / (the batch's total sample weight) "
                f"= {self.alpha:g} / {weight_sum:g}, overflows the network's "
                "floating-point type: lower alpha, or give the samples larger "
                "weights."
            )
        params = [p for p in self.penalized_ if p.grad is not None]
        if not params:
            return
        with torch.no_grad():
            if self.decoupled_decay_:
                torch._foreach_mul_(params, 1.0 - self.penalty_lr_ * decay)
            else:
                torch._foreach_add_([p.grad for p in params], params, alpha=decay)

    def initialize_module(self):
        super().initialize_module()
        # Layers with parameter constraints (e.g. batch-instance norm's rho in
        # [0, 1]) are projected back onto them after each optimizer step.
        self.constrained_modules_ = [
            m for m in self.module_.modules() if hasattr(m, "constrain_")
        ]
        return self

    def get_split_datasets(self, X, y=None, **fit_params):
        if not isinstance(X, SplitData):
            raise TypeError("sknn's engine is fed SplitData by its estimators.")
        return X.train, X.valid

    def get_iterator(self, dataset, training=False):
        return make_batches(
            dataset,
            batch_size=self.batch_size,
            shuffle=training and self.shuffle,
            generator=self.generator,
            training=training,
        )

    def initialize_criterion(self):
        super().initialize_criterion()
        self.reports_ = bool(getattr(self.criterion_, "reports", False))
        return self

    def get_loss(self, y_pred, y_true, X=None, training=False):
        target, weight = y_true
        return self.criterion_(y_pred, target, weight)

    def _losses(self, loss, y_pred, y_true, penalty=0.0) -> dict:
        """A batch's loss to record (``"loss"``): the criterion's report, if
        it has one, beside the training objective it minimizes
        (``"objective"``, which the convergence tests read), else the loss
        itself. ``penalty`` is the L2 term, where ``loss`` includes it."""
        if not self.reports_:
            return {"loss": loss.detach()}
        target, weight = y_true
        report = self.criterion_.report(y_pred.detach(), target, weight)
        scaled = penalty * self.criterion_.penalty_factor
        return {"loss": report + scaled, "objective": loss.detach()}

    def autocast(self):
        """The context of a forward pass at the engine's ``precision``."""
        return autocast(self.device, self.precision_)

    @property
    def precision_(self) -> str:
        """``precision`` (``"exact"`` for an engine pickled before it was)."""
        return self.__dict__.get("precision", "exact")

    def forward_batch(self, Xi):
        """The module's outputs for a batch, at the engine's precision and
        through its compiled form if it has one, in the network's dtype."""
        if self.precision_ == "exact" and not self.__dict__.get("compile_mode"):
            outputs = call_module(self.module_, Xi)
            return outputs if type(outputs) is torch.Tensor else join_outputs(outputs)
        with self.autocast():
            outputs = join_outputs(call_module(self._module_call(), Xi))
        if isinstance(outputs, torch.Tensor) and outputs.dtype == torch.bfloat16:
            outputs = outputs.to(self.network_dtype()[0])
        return outputs

    def _module_call(self):
        """``module_``, or its compiled form (made once, not pickled)."""
        mode = self.__dict__.get("compile_mode", False)
        if mode is False:
            return self.module_
        cached = self.__dict__.get("_compiled")
        if cached is None or cached[0] is not self.module_:
            cached = self.__dict__["_compiled"] = (
                self.module_,
                compiled(self.module_, mode),
            )
        return cached[1]

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_compiled", None)  # torch.compile's wrapper does not pickle
        return state

    def _forward(self, Xi):
        """A training forward pass, drawing from the fit's random stream."""
        stream = getattr(self, "random_stream", None)
        if stream is None:
            y_pred = self.forward_batch(Xi)
        else:
            with stream.active():
                y_pred = self.forward_batch(Xi)
        if self.output_unchecked_:
            if self.output_check is not None:
                self.output_check(y_pred, len(Xi))
            self.output_unchecked_ = False
        return y_pred

    def _penalty(self, weight_sum: float) -> torch.Tensor | float:
        """scikit-learn's L2 term of the loss, ``alpha / 2 * ||W||^2`` per unit
        of sample weight, with its graph (L-BFGS differentiates it)."""
        if not (self.alpha and self.penalized_):
            return 0.0
        squares = sum(p.square().sum() for p in self.penalized_)
        return squares * (0.5 * self.alpha / weight_sum)

    def train_step(self, batch, **fit_params):
        """One step. The epoch's loss is scikit-learn's: the data loss plus
        the L2 term for the weights each batch saw, whose norms are kept
        (one kernel) and summed once per epoch."""
        Xi, yi, weight_sum = batch
        if self.lbfgs_ is not None:
            return self._lbfgs_step(Xi, yi, weight_sum)
        self.steps_.zero_grad()
        y_pred = self._forward(Xi)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        loss.backward()
        if self.alpha and self.penalized_:
            self.epoch_norms_.extend(torch._foreach_norm(self.penalized_))
            self.apply_penalty(weight_sum)
        if self.max_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(
                self.steps_.params, self.max_grad_norm, foreach=True
            )
        self.steps_.step()
        for module in self.constrained_modules_:
            module.constrain_()
        return {**self._losses(loss, y_pred, yi), "y_pred": y_pred}

    def _lbfgs_step(self, Xi, yi, weight_sum):
        outputs = []

        def evaluate():
            outputs.append(self._forward(Xi))
            loss = self.get_loss(outputs[-1], yi, X=Xi, training=True)
            return loss + self._penalty(weight_sum)

        loss = self.lbfgs_.iterate(evaluate)  # the L2 term included
        for module in self.constrained_modules_:
            module.constrain_()
        losses = {"loss": loss}
        if self.reports_:
            # the loss where the iteration ended, in the reported units
            with torch.no_grad():
                outputs.append(self._forward(Xi))
                penalty = self._penalty(weight_sum)
                losses = self._losses(loss, outputs[-1], yi, penalty)
        if self.lbfgs_.converged or self.lbfgs_.out_of_evaluations:
            self.request_stop()
        return {**losses, "y_pred": outputs[-1].detach()}

    def validation_step(self, batch, **fit_params):
        Xi, yi, _ = batch
        with torch.no_grad():
            y_pred = self.forward_batch(Xi)
            loss = self.get_loss(y_pred, yi, X=Xi, training=False)
        return {**self._losses(loss, y_pred, yi), "y_pred": y_pred}

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        self._set_training(training)
        begin = self._batch_listeners("on_batch_begin")
        end = self._batch_listeners("on_batch_end")
        losses, objectives, weight_sums, scores = [], [], [], []
        self.epoch_norms_ = []  # of the penalized weights, before each step
        for batch in iterator:
            if training and batch[2] == 0:
                # A batch whose samples all weigh zero contributes nothing:
                # no step, as if its samples were not there.
                continue
            for hook in begin:
                hook(self, batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            losses.append(step["loss"].detach())
            if "objective" in step:
                objectives.append(step["objective"])
            weight_sums.append(batch[2])
            if not training:
                target, weight = batch[1]
                scores.append(self.metric.batch(step["y_pred"], target, weight))
            for hook in end:
                hook(self, batch=batch, training=training, **step)
        epoch_loss = self._epoch_mean(
            losses,
            weight_sums,
            self.criterion_.penalty_factor if self.reports_ else 1.0,
        )
        if training and not math.isfinite(epoch_loss):
            raise Diverged(
                f"The training loss became {epoch_loss} in epoch "
                f"{len(self.history)}: the network diverged."
            )
        self.history.record(prefix + "_loss", epoch_loss)
        if objectives:
            objective = self._epoch_mean(objectives, weight_sums)
            self.history.record(prefix + "_objective", objective)
        if not training:
            rows = torch.stack(scores).cpu().double().numpy()
            self.history.record("valid_" + self.metric.name, self.metric.value(rows))
        self.history.record(prefix + "_batch_count", len(losses))

    def _epoch_mean(
        self, losses: list, weight_sums: list, penalty_factor: float = 1.0
    ) -> float:
        """The epoch's loss: the weighted mean of the batch losses plus the
        L2 term of the weights each batch saw (times ``penalty_factor``, the
        units of a report), copied to the host once (one synchronisation
        per epoch). It is reduced in float64 (which not every device has),
        so large sample weights cannot overflow it."""
        batch_losses = torch.stack(losses).cpu().double()
        weight_sums_t = torch.tensor(weight_sums, dtype=torch.float64)
        epoch_loss = torch.dot(batch_losses, weight_sums_t).item()
        if self.epoch_norms_:
            norms = torch.stack(self.epoch_norms_).double()
            penalty = 0.5 * self.alpha * norms.square().sum().item()
            epoch_loss += penalty * penalty_factor
        return epoch_loss / math.fsum(weight_sums)

    def _batch_listeners(self, method_name: str) -> list:
        """The batch hooks that do something, in skorch's ``notify`` order.

        skorch calls every callback's hook on every batch; most are no-ops,
        and on small batches the calls cost measurable time.
        """
        hooks = [(self, getattr(self, method_name))]
        hooks += [(cb, getattr(cb, method_name)) for _, cb in self.callbacks_]
        return [
            hook
            for owner, hook in hooks
            if getattr(type(owner), method_name)
            not in (getattr(NeuralNet, method_name), getattr(Callback, method_name))
        ]

    def predict_outputs(
        self,
        batches: Iterable[torch.Tensor],
        finish: Callable[[torch.Tensor], torch.Tensor],
    ) -> torch.Tensor:
        """``finish`` of the module's logits in eval mode, batch by batch,
        concatenated; ``finish`` sees each batch of logits while it is in the
        cache (to turn it into probabilities, say)."""
        if self.module_.training:  # left in eval mode after training
            self._set_training(False)
        with numerics(self.device, self.precision_), torch.inference_mode():
            outputs = [finish(self.forward_batch(Xi)) for Xi in batches]
            return outputs[0] if len(outputs) == 1 else torch.cat(outputs)

    def network_dtype(self) -> tuple[torch.dtype, np.dtype]:
        """The network's floating dtype, in torch's and numpy's terms (read
        once: prediction asks for it at every call)."""
        cached = self.__dict__.get("_network_dtype")
        if cached is None:
            dtype = next(self.module_.parameters()).dtype
            numpy = torch.empty((), dtype=dtype).numpy().dtype
            cached = self.__dict__["_network_dtype"] = (dtype, numpy)
        return cached
