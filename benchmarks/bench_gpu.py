"""sknn on a CUDA GPU: fit time by precision and compilation, against a
hand-written PyTorch loop on the same device.

Seven sections, each printed as soon as it ends:

1. MLP, 200,000 x 256 float32 -> 512-512 -> 10 classes, batch 256, 2 epochs:
   ``MLPClassifier`` with ``precision`` "exact", "tf32", "bf16", with
   ``compile="reduce-overhead"``, ``compile=True`` and bf16 with
   "reduce-overhead", and skorch's ``NeuralNetClassifier`` as its
   documentation shows it (bench_fit.py's contender, on the GPU);
2. the same with batch 4096 and 6 epochs;
3. ``CNNClassifier(filters=(32, 64))``, 8,000 random 64x64x3 pictures of 2
   classes, batch 128, 2 epochs, by precision;
4. ``RNNClassifier``, bidirectional LSTM of 128 units, 10,000 sequences x 100
   steps x 8 features, batch 128, 2 epochs, by precision; and sequences of
   20 to 100 steps (a list of arrays) against equal ones, sknn only;
5. what sknn's deterministic settings on CUDA cost (MLP batch 256, CNN,
   LSTM): its defaults against the same fit with the settings taken out of
   ``sknn._training.numerics.sknn_settings`` by a patch in this script;
6. whether two fits with ``random_state=0`` predict bitwise the same;
7. one-row ``predict_proba`` latency against a bare ``torch.inference_mode()``
   forward of the same module on a device tensor, softmax and copy back.

The hand loop is what a PyTorch expert writes for a GPU: the data already on
the device as tensors (before its clock starts; sknn and skorch get numpy
arrays and move them inside ``fit``), ``torch.randperm(n, device=...)`` each
epoch, index slices, ``torch.optim.Adam(fused=True)``,
``zero_grad(set_to_none=True)``; same network, epochs, batch size and
learning rate, no penalty, no early stop, no learning-rate schedule, no
gradient clipping. It runs at each precision ("hand tf32": TF32 products,
"hand bf16": bfloat16 autocast), so that each sknn precision is also compared
with the hand loop at its own precision. Its CNN is a copy of the sknn
module (built by a one-epoch fit), re-initialised; its LSTM is ``nn.LSTM``
and ``nn.Linear`` with the shapes of sknn's RNN module (checked to compute
the same function), without the packing sknn's module does for sequences of
unequal lengths. Outside its precision, the hand loop leaves torch's
defaults (no deterministic algorithms, no cuDNN benchmarking).

As in bench_fit.py, the contenders alternate (A B C A B C ...), a first
round warms up (its times, compilation included, are the ``1st fit s``
column) and is not counted; medians and medians of the per-round ratios to
the hand loop of the same round are printed. Clocks are read after
``torch.cuda.synchronize()``. Accuracy on held-out data (labels follow a
simple rule of the inputs) shows that nobody wins by training less.

A time budget (``--budget``, 170 s) is shared between the sections; each
stops timing further rounds when its share is spent (after at least one
timed round), and sections that find the budget spent are skipped. The
process may run past the budget by the last section's first rounds.

    python benchmarks/bench_gpu.py            # on a CUDA machine (about 3 minutes)
    python benchmarks/bench_gpu.py --small    # tiny sizes on the CPU (smoke run)
    python benchmarks/bench_gpu.py --sections 3,4,6 --no-compile
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import platform
import statistics
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from bench_fit import Setup, _network, make_contender
from bench_predict_latency import timed

import sknn
from sknn import CNNClassifier, RNNClassifier
from sknn._training import numerics

#: What sknn sets on CUDA for reproducible fits; section 5 removes them.
DETERMINISM_KEYS = ("cudnn.deterministic", "cudnn.benchmark", "deterministic", "fill")

#: The issue's targets: (section, what, at most).
TARGET_FIT_256 = 0.5
TARGET_FIT_4096 = 1.0
TARGET_LATENCY = 1.5


# -- sizes ------------------------------------------------------------------------


@dataclass
class Sizes:
    mlp_rows: int = 200_000
    mlp_features: int = 256
    mlp_classes: int = 10
    mlp_hidden: int = 512
    mlp_small_batch: tuple[int, int] = (256, 2)  # batch, epochs
    mlp_large_batch: tuple[int, int] = (4096, 6)
    pictures: int = 8_000
    side: int = 64
    filters: tuple[int, ...] = (32, 64)
    cnn_batch: int = 128
    sequences: int = 10_000
    steps: int = 100
    step_features: int = 8
    min_steps: int = 20
    lstm_hidden: int = 128
    lstm_batch: int = 128
    epochs: int = 2
    n_test: int = 1_000
    latency_calls: int = 2_000


SMALL = Sizes(
    mlp_rows=2_000,
    mlp_features=16,
    mlp_classes=3,
    mlp_hidden=32,
    mlp_small_batch=(64, 2),
    mlp_large_batch=(512, 3),
    pictures=96,
    side=12,
    filters=(4, 8),
    cnn_batch=32,
    sequences=96,
    steps=12,
    step_features=3,
    min_steps=4,
    lstm_hidden=8,
    lstm_batch=32,
    n_test=64,
    latency_calls=20,
)


# -- device, clocks and precision ---------------------------------------------------


def now() -> float:
    return time.perf_counter()


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:100]


@contextlib.contextmanager
def float32_products(device: torch.device, precision: str):
    """The hand loop's float32 products, set as sknn sets them (TF32 for
    ``"tf32"`` only; torch's default lets cuDNN's convolutions and recurrent
    layers use TF32), without sknn's deterministic settings: an expert's
    loop leaves those at torch's defaults."""
    state = {
        key: value
        for key, value in numerics.sknn_settings(device, precision).items()
        if key not in DETERMINISM_KEYS
    }
    saved = {key: numerics._read(key) for key in state}
    for key, value in state.items():
        numerics._write(key, value)
    try:
        yield
    finally:
        for key, value in saved.items():
            numerics._write(key, value)


@contextlib.contextmanager
def without_determinism():
    """sknn's numeric settings less those that make CUDA fits reproducible."""
    original = numerics.sknn_settings

    def settings(device, precision):
        state = dict(original(device, precision))
        for key in DETERMINISM_KEYS:
            state.pop(key, None)
        return state

    numerics.sknn_settings = settings
    numerics._settings.cache_clear()  # results are cached by device and precision
    try:
        yield
    finally:
        numerics.sknn_settings = original
        numerics._settings.cache_clear()


# -- the hand loop ------------------------------------------------------------------


def loss_of(outputs: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """sknn's loss: one logit for a binary target, a softmax otherwise."""
    if outputs.shape[1] == 1:
        return torch.nn.functional.binary_cross_entropy_with_logits(
            outputs[:, 0], y.to(outputs.dtype)
        )
    return torch.nn.functional.cross_entropy(outputs, y)


def reinitialised(template: torch.nn.Module) -> torch.nn.Module:
    module = copy.deepcopy(template)
    for part in module.modules():
        if hasattr(part, "reset_parameters"):
            part.reset_parameters()
    return module.train()


class HandLoop:
    """What a PyTorch expert writes for a GPU (see the module's docstring)."""

    def __init__(self, make_module, *, epochs, batch_size, lr, precision="exact"):
        self.make_module = make_module
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.precision = precision

    def fit(self, X: torch.Tensor, y: torch.Tensor):
        device = X.device
        torch.manual_seed(0)
        module = self.make_module().to(device)
        optimizer = torch.optim.Adam(module.parameters(), lr=self.lr, fused=True)
        n = len(X)
        with float32_products(device, self.precision):
            for _ in range(self.epochs):
                order = torch.randperm(n, device=device)
                for start in range(0, n, self.batch_size):
                    rows = order[start : start + self.batch_size]
                    optimizer.zero_grad(set_to_none=True)
                    with numerics.autocast(device, self.precision):
                        loss = loss_of(module(X[rows]), y[rows])
                    loss.backward()
                    optimizer.step()
        self.module_ = module
        return self


class PlainLSTM(torch.nn.Module):
    """sknn's RNN module (one bidirectional LSTM layer, final states, linear
    output) as written by hand for sequences of equal length: no packing."""

    def __init__(self, rnn: torch.nn.Module):
        super().__init__()
        self.lstm = copy.deepcopy(rnn.layers[0])
        self.lstm.flatten_parameters()  # a copy's weights are not one cuDNN chunk
        self.output = copy.deepcopy(rnn.output)

    def forward(self, x):
        _, (hidden, _) = self.lstm(x)
        return self.output(torch.cat([hidden[-2], hidden[-1]], dim=1))


# -- contenders and rounds ------------------------------------------------------------


@dataclass
class Contender:
    name: str
    run: Callable[[], tuple[float, object]]  # fit seconds, the fitted model
    precision: str = "exact"  # the hand loop it is also compared with
    keep: bool = False  # keep its last fitted model for later sections


@dataclass
class Result:
    first: float | None = None
    times: list = field(default_factory=list)
    accuracy: float | None = None
    error: str | None = None


def timed_fit(device, fit, *args) -> float:
    synchronize(device)
    start = now()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a ConvergenceWarning is not the point
        fit(*args)
    synchronize(device)
    return now() - start


def hand_run(ctx, make_module, X, y, *, epochs, batch_size, lr, precision):
    def run():
        loop = HandLoop(
            make_module,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            precision=precision,
        )
        return timed_fit(ctx.device, loop.fit, X, y), loop

    return run


def estimator_run(ctx, make_estimator, X, y):
    def run():
        estimator = make_estimator()
        return timed_fit(ctx.device, estimator.fit, X, y), estimator

    return run


def accuracy(module: torch.nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    device = next(module.parameters()).device
    training = module.training
    module.eval()
    with torch.inference_mode():
        outputs = torch.cat(
            [module(X[i : i + 4096].to(device)) for i in range(0, len(X), 4096)]
        )
    module.train(training)
    predicted = (
        (outputs[:, 0] > 0).long() if outputs.shape[1] == 1 else outputs.argmax(1)
    )
    return float((predicted.to(y.device) == y).float().mean())


def alternate(ctx, contenders, deadline, test=None) -> dict[str, Result]:
    """Rounds of every contender in turn: one warm-up round, then up to
    ``ctx.repeats`` timed ones while the section's share of the budget
    lasts (the first timed round runs unless the whole budget is spent)."""
    results = {c.name: Result() for c in contenders}
    last_round = 0.0
    for round_ in range(ctx.repeats + 1):
        if round_ > 0 and ctx.budget_left() <= 0:
            print(f"  (stopped after {round_ - 1} timed round(s): budget spent)")
            break
        if round_ > 1 and now() + last_round > deadline:
            print(f"  (stopped after {round_ - 1} timed round(s): section's share)")
            break
        start = now()
        line = []
        for c in contenders:
            result = results[c.name]
            if result.error is not None:
                continue
            try:
                seconds, fitted = c.run()
            except Exception as error:  # a variant that fails: say so, go on
                result.error = first_line(error)
                ctx.failures.append(f"{c.name}: {result.error}")
                line.append(f"{c.name} failed")
                continue
            line.append(f"{c.name} {seconds:.2f}")
            if round_ == 0:
                result.first = seconds
            else:
                result.times.append(seconds)
                if test is not None:
                    result.accuracy = accuracy(fitted.module_, *test)
            if c.keep:
                ctx.fitted[c.name] = fitted
        last_round = now() - start
        label = "warm-up round" if round_ == 0 else f"round {round_}"
        print(f"  {label} ({last_round:.1f} s): " + ", ".join(line))
    return results


def ratio(numerators, denominators) -> float | None:
    pairs = list(zip(numerators, denominators, strict=False))
    return statistics.median(a / b for a, b in pairs) if pairs else None


HANDS = {"exact": "hand", "tf32": "hand tf32", "bf16": "hand bf16"}


def fit_table(contenders, results) -> dict[str, float]:
    """The table of a fit section; returns each contender's ratio to the
    hand loop (fp32)."""
    print(
        f"{'contender':<36}{'1st fit s':>10}{'fit s':>9}{'x hand':>9}"
        f"{'x hand same prec.':>19}{'accuracy':>10}"
    )
    hand = results["hand"].times
    ratios = {}
    for c in contenders:
        r = results[c.name]
        if r.error is not None:
            print(f"{c.name:<36}failed: {r.error}")
            continue
        first = f"{r.first:>10.2f}" if r.first is not None else " " * 10
        if not r.times:
            print(f"{c.name:<36}{first}{'(no timed round)':>20}")
            continue
        ratios[c.name] = ratio(r.times, hand)
        same = results[HANDS[c.precision]].times
        cells = [statistics.median(r.times), ratios[c.name], ratio(r.times, same)]
        text = "".join(
            f"{v:>{w}.2f}" if v is not None else " " * w
            for v, w in zip(cells, (9, 9, 19), strict=True)
        )
        acc = f"{r.accuracy:>10.3f}" if r.accuracy is not None else ""
        print(f"{c.name:<36}{first}{text}{acc}")
    return ratios


def target_line(ratios: dict, what: str, at_most: float) -> None:
    sknn_ratios = {
        k: v for k, v in ratios.items() if k.startswith("sknn") and v is not None
    }
    if not sknn_ratios:
        print(f"Target ({what} <= {at_most}x the hand loop): not measured")
        return
    best = min(sknn_ratios, key=sknn_ratios.get)
    value = sknn_ratios[best]
    verdict = "met" if value <= at_most else "not met"
    print(
        f"Target: {what}, fastest sknn option <= {at_most}x the hand loop (fp32): "
        f"{best} at {value:.2f}x, {verdict}"
    )


# -- data ---------------------------------------------------------------------------


class Context:
    def __init__(self, args, sizes: Sizes, device: torch.device, start: float):
        self.sizes = sizes
        self.device = device
        self.small = args.small
        self.repeats = 1 if args.small else args.repeats
        self.compile = not args.small and not args.no_compile
        self.budget_end = start + args.budget
        self.fitted: dict = {}
        self.failures: list[str] = []
        self._data: dict = {}

    def budget_left(self) -> float:
        return self.budget_end - now()

    def on_device(self, *arrays):
        return tuple(torch.as_tensor(a).to(self.device) for a in arrays)

    def table(self):
        """Rows of a learnable rule (argmax of a random linear map), float32."""
        if "table" not in self._data:
            s = self.sizes
            rng = np.random.default_rng(0)
            n = s.mlp_rows + s.n_test
            X = rng.standard_normal((n, s.mlp_features), dtype=np.float32)
            weights = rng.standard_normal((s.mlp_features, s.mlp_classes))
            y = (X @ weights.astype(np.float32)).argmax(1).astype(np.int64)
            train, test = slice(None, s.mlp_rows), slice(s.mlp_rows, None)
            self._data["table"] = (
                X[train],
                y[train],
                self.on_device(X[train], y[train]),
                self.on_device(X[test], y[test]),
                X[test],
            )
        return self._data["table"]

    def pictures(self):
        """Random pictures; the class says which half of channel 0 is brighter."""
        if "pictures" not in self._data:
            s = self.sizes
            rng = np.random.default_rng(1)
            n = s.pictures + s.n_test
            X = rng.standard_normal((n, s.side, s.side, 3), dtype=np.float32)
            half = s.side // 2
            top = X[:, :half, :, 0].mean(axis=(1, 2))
            y = (top > X[:, half:, :, 0].mean(axis=(1, 2))).astype(np.int64)
            train, test = slice(None, s.pictures), slice(s.pictures, None)
            self._data["pictures"] = (
                X[train],
                y[train],
                self.on_device(X[train], y[train]),
                self.on_device(X[test], y[test]),
            )
        return self._data["pictures"]

    def sequences(self):
        """Equal-length sequences, the same cut to random lengths (a list), and
        the class: the sign of the sum of feature 0 over the first steps."""
        if "sequences" not in self._data:
            s = self.sizes
            rng = np.random.default_rng(2)
            n = s.sequences + s.n_test
            X = rng.standard_normal((n, s.steps, s.step_features), dtype=np.float32)
            y = (X[:, : s.min_steps // 2, 0].sum(axis=1) > 0).astype(np.int64)
            train, test = slice(None, s.sequences), slice(s.sequences, None)
            lengths = rng.integers(s.min_steps, s.steps + 1, size=s.sequences)
            ragged = [X[i, :length] for i, length in enumerate(lengths)]
            self._data["sequences"] = (
                X[train],
                y[train],
                self.on_device(X[train], y[train]),
                self.on_device(X[test], y[test]),
                ragged,
            )
        return self._data["sequences"]


# -- estimators ---------------------------------------------------------------------


def mlp_setup(ctx, batch_size: int, epochs: int) -> Setup:
    s = ctx.sizes
    return Setup(
        n_samples=s.mlp_rows,
        n_features=s.mlp_features,
        n_classes=s.mlp_classes,
        hidden=s.mlp_hidden,
        epochs=epochs,
        batch_size=batch_size,
        lr=1e-3,
    )


def sknn_mlp(ctx, setup: Setup, precision="exact", compile=False):
    # bench_fit.py's MLPClassifier: alpha=0, tol=0, no stop before max_iter
    estimator = make_contender("sknn", setup)
    return estimator.set_params(
        device=str(ctx.device), precision=precision, compile=compile
    )


def sknn_cnn(ctx, precision="exact", epochs=None):
    s = ctx.sizes
    return CNNClassifier(
        filters=s.filters,
        batch_size=s.cnn_batch,
        max_iter=epochs or s.epochs,
        learning_rate="constant",
        learning_rate_init=1e-3,
        alpha=0.0,
        tol=0.0,
        n_iter_no_change=s.epochs + 1,
        random_state=0,
        device=str(ctx.device),
        precision=precision,
    )


def sknn_lstm(ctx, precision="exact", epochs=None):
    s = ctx.sizes
    return RNNClassifier(
        cell="lstm",
        hidden_size=s.lstm_hidden,
        bidirectional=True,
        downsample=1,  # every step, as the hand loop reads them
        gradient_clipping=None,
        batch_size=s.lstm_batch,
        max_iter=epochs or s.epochs,
        learning_rate="constant",
        learning_rate_init=1e-3,
        alpha=0.0,
        tol=0.0,
        n_iter_no_change=s.epochs + 1,
        random_state=0,
        device=str(ctx.device),
        precision=precision,
    )


MLP_VARIANTS = [  # name, precision, compile
    ("sknn exact", "exact", False),
    ("sknn tf32", "tf32", False),
    ("sknn bf16", "bf16", False),
    ("sknn compile=reduce-overhead", "exact", "reduce-overhead"),
    ("sknn compile=True", "exact", True),
    ("sknn bf16, compile=reduce-overhead", "bf16", "reduce-overhead"),
]


def hand_contenders(ctx, make_module, X, y, *, epochs, batch_size):
    return [
        Contender(
            name,
            hand_run(
                ctx,
                make_module,
                X,
                y,
                epochs=epochs,
                batch_size=batch_size,
                lr=1e-3,
                precision=precision,
            ),
            precision,
        )
        for precision, name in HANDS.items()
    ]


def precision_contenders(ctx, make, X, y) -> list[Contender]:
    """sknn's estimator ``make(ctx, precision)`` at each precision."""
    return [
        Contender(
            f"sknn {precision}",
            estimator_run(ctx, lambda p=precision: make(ctx, p), X, y),
            precision,
        )
        for precision in numerics.PRECISIONS
    ]


# -- sections -----------------------------------------------------------------------


def mlp_section(ctx, deadline, batch_size, epochs, target) -> None:
    X, y, (X_t, y_t), test, _ = ctx.table()
    setup = mlp_setup(ctx, batch_size, epochs)
    contenders = hand_contenders(
        ctx, lambda: _network(setup), X_t, y_t, epochs=epochs, batch_size=batch_size
    )
    for name, precision, compile in MLP_VARIANTS:
        if compile and not ctx.compile:
            continue
        contenders.append(
            Contender(
                name,
                estimator_run(
                    ctx,
                    lambda p=precision, c=compile: sknn_mlp(ctx, setup, p, c),
                    X,
                    y,
                ),
                precision,
                keep=batch_size == ctx.sizes.mlp_small_batch[0],
            )
        )
    contenders.append(
        Contender(
            "skorch",
            estimator_run(
                ctx,
                lambda: make_contender("skorch", setup).set_params(
                    device=str(ctx.device)
                ),
                X,
                y,
            ),
        )
    )
    results = alternate(ctx, contenders, deadline, test)
    ratios = fit_table(contenders, results)
    target_line(ratios, f"MLP batch {batch_size}", target)
    if ctx.compile:
        compiled_graphs()


def section_mlp_small_batch(ctx, deadline):
    batch, epochs = ctx.sizes.mlp_small_batch
    mlp_section(ctx, deadline, batch, epochs, TARGET_FIT_256)


def section_mlp_large_batch(ctx, deadline):
    batch, epochs = ctx.sizes.mlp_large_batch
    mlp_section(ctx, deadline, batch, epochs, TARGET_FIT_4096)


def compiled_graphs() -> None:
    try:
        from torch._dynamo.utils import counters

        stats = counters["stats"]
        print(
            f"(torch._dynamo so far: {stats.get('unique_graphs', 0)} graphs, "
            f"{stats.get('calls_captured', 0)} calls captured)"
        )
    except Exception:  # a diagnostic only
        pass


def section_cnn(ctx, deadline):
    s = ctx.sizes
    X, y, (X_t, y_t), test = ctx.pictures()
    template = sknn_cnn(ctx, epochs=1)
    timed_fit(ctx.device, template.fit, X, y)
    module = template.module_
    contenders = hand_contenders(
        ctx,
        lambda: reinitialised(module),
        X_t,
        y_t,
        epochs=s.epochs,
        batch_size=s.cnn_batch,
    )
    contenders += precision_contenders(ctx, sknn_cnn, X, y)
    results = alternate(ctx, contenders, deadline, test)
    fit_table(contenders, results)


def section_lstm(ctx, deadline):
    s = ctx.sizes
    X, y, (X_t, y_t), test, ragged = ctx.sequences()
    template = sknn_lstm(ctx, epochs=1)
    timed_fit(ctx.device, template.fit, X, y)
    plain = PlainLSTM(template.module_)
    probe = X_t[:256]
    with float32_products(ctx.device, "exact"), torch.inference_mode():
        difference = (plain.eval()(probe) - template.module_.eval()(probe)).abs().max()
    print(f"hand LSTM against sknn's RNN module, max |difference|: {difference:.1e}")
    if difference > 1e-3:
        raise RuntimeError("the hand LSTM does not compute sknn's function")
    contenders = hand_contenders(
        ctx,
        lambda: reinitialised(plain),
        X_t,
        y_t,
        epochs=s.epochs,
        batch_size=s.lstm_batch,
    )
    contenders += precision_contenders(ctx, sknn_lstm, X, y)
    ragged_name = f"sknn exact, {s.min_steps}-{s.steps} steps (list)"
    contenders.append(
        Contender(ragged_name, estimator_run(ctx, lambda: sknn_lstm(ctx), ragged, y))
    )
    results = alternate(ctx, contenders, deadline, test)
    fit_table(contenders, results)
    equal, unequal = results["sknn exact"].times, results[ragged_name].times
    if equal and unequal:
        print(
            f"sequences of {s.min_steps}-{s.steps} steps / all of {s.steps} "
            f"(sknn exact): {ratio(unequal, equal):.2f}"
        )


def patched(make, X, y):
    """A fit without sknn's deterministic settings."""

    def fit():
        with without_determinism():
            return make().fit(X, y)

    return fit


def section_determinism(ctx, deadline):
    original = numerics.sknn_settings(ctx.device, "exact")
    present = [key for key in DETERMINISM_KEYS if key in original]
    if ctx.device.type == "cuda" and len(present) < len(DETERMINISM_KEYS):
        missing = sorted(set(DETERMINISM_KEYS) - set(present))
        print(f"(sknn_settings no longer has {missing}: only {present} taken out)")
    if not present:
        print(f"(on {ctx.device.type} sknn sets no determinism: both rows the same)")
    batch, epochs = ctx.sizes.mlp_small_batch
    X_mlp, y_mlp, *_ = ctx.table()
    X_cnn, y_cnn, *_ = ctx.pictures()
    X_seq, y_seq, *_ = ctx.sequences()
    models = {
        f"MLP batch {batch}": (
            lambda: sknn_mlp(ctx, mlp_setup(ctx, batch, epochs)),
            X_mlp,
            y_mlp,
        ),
        "CNN": (lambda: sknn_cnn(ctx), X_cnn, y_cnn),
        "LSTM": (lambda: sknn_lstm(ctx), X_seq, y_seq),
    }
    contenders = []
    for name, (make, X, y) in models.items():
        contenders.append(Contender(f"{name}, default", estimator_run(ctx, make, X, y)))
        contenders.append(
            Contender(
                f"{name}, settings dropped",
                lambda make=make, X=X, y=y: (
                    timed_fit(ctx.device, patched(make, X, y)),
                    None,
                ),
            )
        )
    results = alternate(ctx, contenders, deadline)
    print(f"{'model':<16}{'default s':>11}{'dropped s':>11}{'default / dropped':>19}")
    for name in models:
        default = results[f"{name}, default"]
        dropped = results[f"{name}, settings dropped"]
        if default.error or dropped.error:
            print(f"{name:<16}failed: {default.error or dropped.error}")
            continue
        if not default.times or not dropped.times:
            print(f"{name:<16}(no timed round)")
            continue
        print(
            f"{name:<16}{statistics.median(default.times):>11.2f}"
            f"{statistics.median(dropped.times):>11.2f}"
            f"{ratio(default.times, dropped.times):>19.2f}"
        )


def section_reproducibility(ctx, deadline):
    del deadline  # four fits of each model, short
    X_cnn, y_cnn, *_ = ctx.pictures()
    X_seq, y_seq, *_ = ctx.sequences()
    n = ctx.sizes.n_test
    models = {
        "CNN": (lambda: sknn_cnn(ctx), X_cnn, y_cnn),
        "LSTM": (lambda: sknn_lstm(ctx), X_seq, y_seq),
    }
    print(f"{'model':<8}{'settings':<24}{'bitwise identical':>19}{'max |diff|':>12}")
    for name, (make, X, y) in models.items():
        for label, scope in (
            ("sknn's (deterministic)", contextlib.nullcontext),
            ("dropped", without_determinism),
        ):
            probabilities = []
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                for _ in range(2):
                    with scope():
                        estimator = make().fit(X, y)
                    probabilities.append(estimator.predict_proba(X[:n]))
            a, b = probabilities
            same = "yes" if np.array_equal(a, b) else "no"
            print(f"{name:<8}{label:<24}{same:>19}{np.abs(a - b).max():>12.1e}")
            alerts = {
                str(w.message).splitlines()[0][:110]
                for w in caught
                if "deterministic" in str(w.message)
            }
            for alert in sorted(alerts)[:3]:
                print(f"    torch: {alert}")


def section_latency(ctx, deadline):
    s = ctx.sizes
    X, y, _, _, X_test = ctx.table()
    setup = mlp_setup(ctx, *s.mlp_small_batch)
    models = {"sknn predict_proba": ctx.fitted.get("sknn exact")}
    if ctx.compile:
        name = "sknn predict_proba, compile=reduce-overhead"
        models[name] = ctx.fitted.get("sknn compile=reduce-overhead")
    errors = {}
    for name, model in models.items():
        if model is None:  # section 1 did not run, or did not keep this one
            compile = "reduce-overhead" if "compile" in name else False
            try:
                estimator = sknn_mlp(ctx, setup, compile=compile)
                timed_fit(ctx.device, estimator.fit, X, y)
                models[name] = estimator
            except Exception as error:
                errors[name] = first_line(error)
                ctx.failures.append(f"{name}: {errors[name]}")
    module = copy.deepcopy(models["sknn predict_proba"].module_)
    module = module.to(ctx.device).eval()
    row = X_test[:1]
    row_t = torch.as_tensor(row).to(ctx.device)

    def bare(_):
        with torch.inference_mode():
            return torch.softmax(module(row_t), dim=1).cpu()

    def bare_from_numpy(X):
        with torch.inference_mode():
            X_t = torch.from_numpy(X).to(ctx.device)
            return torch.softmax(module(X_t), dim=1).cpu()

    contenders = {
        name: model.predict_proba
        for name, model in models.items()
        if name not in errors
    }
    contenders["bare forward, device tensor"] = bare
    contenders["bare forward from numpy"] = bare_from_numpy
    for _ in range(20):  # warm-up, compilation included
        for name, fn in contenders.items():
            if name in errors:
                continue
            try:
                fn(row)
            except Exception as error:
                errors[name] = first_line(error)
                ctx.failures.append(f"{name}: {errors[name]}")
    live = {k: v for k, v in contenders.items() if k not in errors}
    times = {name: [] for name in live}
    for call in range(s.latency_calls):
        if call % 100 == 99 and now() > deadline:
            print(f"  (stopped after {call} calls: section's share)")
            break
        for name, fn in live.items():
            times[name] += timed(fn, row, 1)
    median = {name: statistics.median(t) * 1e6 for name, t in times.items()}
    base = median["bare forward, device tensor"]
    print(f"{'contender':<46}{'µs':>10}{'x bare':>9}")
    for name in [*models, "bare forward, device tensor", "bare forward from numpy"]:
        if name in errors:
            print(f"{name:<46}failed: {errors[name]}")
        else:
            print(f"{name:<46}{median[name]:>10.1f}{median[name] / base:>9.2f}")
    for name in models:
        if name in median:
            value = median[name] / base
            verdict = "met" if value <= TARGET_LATENCY else "not met"
            print(
                f"Target: {name}, one row <= {TARGET_LATENCY}x a bare forward: "
                f"{value:.2f}x, {verdict}"
            )


def section_titles(sizes: Sizes) -> list[tuple[str, float, Callable]]:
    s = sizes
    mlp = (
        f"{s.mlp_rows:,} x {s.mlp_features} float32 -> "
        f"{s.mlp_hidden}-{s.mlp_hidden} -> {s.mlp_classes} classes"
    )
    b1, e1 = s.mlp_small_batch
    b2, e2 = s.mlp_large_batch
    cnn = (
        f"{s.pictures:,} random pictures {s.side}x{s.side}x3, 2 classes, "
        f"filters {s.filters}, batch {s.cnn_batch}, {s.epochs} epochs"
    )
    lstm = (
        f"bidirectional LSTM {s.lstm_hidden}, {s.sequences:,} sequences x "
        f"{s.steps} steps x {s.step_features}, batch {s.lstm_batch}, "
        f"{s.epochs} epochs"
    )
    return [
        (f"1. MLP {mlp}, batch {b1}, {e1} epochs", 0.30, section_mlp_small_batch),
        (f"2. MLP {mlp}, batch {b2}, {e2} epochs", 0.14, section_mlp_large_batch),
        (f"3. CNN, {cnn}", 0.12, section_cnn),
        (f"4. RNN, {lstm}", 0.14, section_lstm),
        (
            "5. The cost of determinism: sknn's settings on CUDA or not",
            0.14,
            section_determinism,
        ),
        (
            "6. Reproducibility: two fits with random_state=0, predict_proba",
            0.06,
            section_reproducibility,
        ),
        ("7. One-row predict_proba latency (the section 1 MLP)", 0.10, section_latency),
    ]


def main(argv=None) -> int:
    start = now()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny smoke run")
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds")
    parser.add_argument(
        "--budget", type=float, default=170.0, help="seconds for all sections"
    )
    parser.add_argument("--sections", default="1,2,3,4,5,6,7", help="which, e.g. 1,3,7")
    parser.add_argument(
        "--no-compile", action="store_true", help="leave out the compile variants"
    )
    parser.add_argument(
        "--device",
        default=None,
        help="with --small: cpu (default) or cuda; the full run needs cuda",
    )
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # a timeout still leaves rows
    if args.small:
        device = torch.device(args.device or "cpu")
    elif not torch.cuda.is_available():
        print("bench_gpu.py measures sknn on a CUDA GPU and found none: nothing run.")
        print("(python benchmarks/bench_gpu.py --small runs tiny sizes on the CPU.)")
        return 0
    else:
        device = torch.device("cuda")
    if args.small and device.type == "cpu":
        torch.set_num_threads(1)  # tiny steps: threads only wait at barriers
    sizes = SMALL if args.small else Sizes()
    ctx = Context(args, sizes, device, start)
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
        cuda = f"CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}"
    else:
        name, cuda = platform.processor() or platform.machine(), "no CUDA"
    print(
        f"device {device.type}: {name}; torch {torch.__version__} ({cuda}), "
        f"sknn {sknn.__version__}, Python {platform.python_version()}, "
        f"{torch.get_num_threads()} torch threads"
    )
    print(
        f"{ctx.repeats} timed round(s) after one warm-up round; budget "
        f"{args.budget:.0f} s; compile variants "
        f"{'on' if ctx.compile else 'off'}"
    )
    if ctx.compile:
        # One process fits each compiled configuration several times (a user
        # fits it once): without this, torch._dynamo would fall back to eager
        # after 8 recompilations of the same function and time that instead.
        config = torch._dynamo.config
        for limit in ("recompile_limit", "cache_size_limit"):
            if hasattr(config, limit):
                setattr(config, limit, 64)
                print(f"(torch._dynamo.config.{limit} raised to 64 for this run)")
                break
    chosen = {part.strip() for part in args.sections.split(",")}
    sections = [s for s in section_titles(sizes) if s[0].split(".")[0] in chosen]
    failed = []
    for index, (title, weight, run) in enumerate(sections):
        print(f"\n## {title}")
        left = ctx.budget_left()
        if left <= 0:
            print(f"skipped: the time budget ({args.budget:.0f} s) is spent")
            continue
        share = left * weight / sum(w for _, w, _ in sections[index:])
        section_start = now()
        try:
            run(ctx, section_start + share)
        except Exception as error:  # the next sections still run
            traceback.print_exc()
            print(f"section failed: {first_line(error)}")
            failed.append(title)
        print(
            f"({now() - section_start:.1f} s for this section, "
            f"{now() - start:.1f} s since the start)"
        )
    print(f"\ntotal {now() - start:.1f} s")
    if ctx.failures:
        print("failed variants: " + "; ".join(ctx.failures))
    # A smoke run fails on any failure; a GPU run only if a section broke.
    return 1 if failed or (args.small and ctx.failures) else 0


if __name__ == "__main__":
    sys.exit(main())
