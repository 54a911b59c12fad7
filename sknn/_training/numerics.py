"""How the network computes: precision, reproducibility and compilation.

torch keeps its numeric settings process-wide: whether float32 products may
run in TF32 on a GPU, whether cuDNN may pick kernels by timing them, whether
algorithms must be deterministic. sknn sets them for the duration of its own
fit and predict (:func:`numerics`) and puts back what it found, so that

* ``dtype="float32"`` means float32 arithmetic (``precision="exact"``):
  cuDNN otherwise runs convolutions and recurrent layers in TF32, whose
  10-bit mantissa moves predictions by 1e-4;
* an int ``random_state`` reproduces a fit on a GPU as it does on the CPU:
  cuDNN's deterministic kernels, no benchmarking, and torch's deterministic
  algorithms (warning, not failing, where an operation has none);
* ``precision="tf32"`` or ``"bf16"`` trades those bits for speed on purpose.

The settings are one state shared by every thread: concurrent fits (a
threaded grid search) keep them applied until the last one ends, and the
state the first one found is what the last one restores.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import warnings

import torch

#: The values of the ``precision`` hyperparameter.
PRECISIONS = ("exact", "tf32", "bf16")

#: The values of ``compile`` besides True and False: torch.compile's modes.
COMPILE_MODES = ("default", "reduce-overhead", "max-autotune")

#: What torch's deterministic mode says about the cuBLAS workspace: on a
#: single stream, as sknn runs, cuBLAS is reproducible without that setting
#: (NVIDIA's cuBLAS documentation, "Results reproducibility").
_CUBLAS_ALERT = ".*uses CuBLAS and you have CUDA >= 10.2"

_LOCK = threading.Lock()
_active = 0
#: The settings sknn changed while fits or predictions run, as it found them.
_saved: dict = {}


def _new_api() -> bool:
    return hasattr(getattr(torch.backends.cudnn, "conv", None), "fp32_precision")


def _read(key: str):
    """One of torch's settings, by the names of :func:`sknn_settings`."""
    if key == "deterministic":
        return (
            torch.are_deterministic_algorithms_enabled(),
            torch.is_deterministic_algorithms_warn_only_enabled(),
        )
    if key == "fill":
        return torch.utils.deterministic.fill_uninitialized_memory
    if key == "matmul_precision":
        return torch.get_float32_matmul_precision()
    if key == "cuda.matmul.allow_tf32":
        return torch.backends.cuda.matmul.allow_tf32
    package, name = key.split(".")
    if package in ("cuda", "cudnn", "mkldnn") and name in ("matmul", "conv", "rnn"):
        return _fp32_precision(package, name)
    return getattr(getattr(torch.backends, package), name)  # legacy flags


#: torch's own getter of a float32 precision, where it has one (a C function,
#: read at every prediction: the properties of torch.backends cost ten times
#: more).
_GETTER = getattr(torch._C, "_get_fp32_precision_getter", None)


def _fp32_precision(backend: str, op: str) -> str:
    """The float32 precision torch has for ``op`` of ``backend`` ("all": of
    the backend; backend "generic": the global one)."""
    if _GETTER is not None:  # which knows cuDNN as part of "cuda"
        return _GETTER("cuda" if backend == "cudnn" else backend, op)
    if backend == "generic":
        return torch.backends.fp32_precision
    module = getattr(torch.backends, backend)
    return (module if op == "all" else getattr(module, op)).fp32_precision


def _write(key: str, value) -> None:
    if key == "deterministic":
        torch.use_deterministic_algorithms(value[0], warn_only=value[1])
    elif key == "fill":
        torch.utils.deterministic.fill_uninitialized_memory = value
    elif key == "matmul_precision":
        torch.set_float32_matmul_precision(value)
    elif key == "cuda.matmul.allow_tf32":
        torch.backends.cuda.matmul.allow_tf32 = value
    else:
        package, name = key.split(".")
        if package in ("cuda", "cudnn", "mkldnn") and name in ("matmul", "conv", "rnn"):
            getattr(getattr(torch.backends, package), name).fp32_precision = value
        else:
            setattr(getattr(torch.backends, package), name, value)


def sknn_settings(device: torch.device, precision: str) -> dict:
    """The settings of a fit or prediction on ``device`` at ``precision``.

    On the CPU only the float32 precision of oneDNN's products counts:
    IEEE float32 (``"tf32"`` computes exactly there). On a CUDA device,
    cuBLAS and cuDNN products in TF32 for ``"tf32"`` only, cuDNN's
    deterministic kernels without benchmarking, and torch's deterministic
    algorithms (warning where an operation has none), without the filling
    of fresh memory, which they do not need.
    """
    cuda = torch.device(device).type == "cuda"
    tf32 = "tf32" if precision == "tf32" else "ieee"
    if _new_api():
        state = {"mkldnn.matmul": "ieee", "mkldnn.conv": "ieee"}
        if cuda:
            state.update({"cuda.matmul": tf32, "cudnn.conv": tf32, "cudnn.rnn": tf32})
    else:  # torch < 2.9
        state = {"matmul_precision": "highest"}
        if cuda:
            state.update(
                {
                    "matmul_precision": "high" if tf32 == "tf32" else "highest",
                    "cuda.matmul.allow_tf32": tf32 == "tf32",
                    "cudnn.allow_tf32": tf32 == "tf32",
                }
            )
    if cuda:
        state.update(
            {
                "cudnn.deterministic": True,
                "cudnn.benchmark": False,
                "deterministic": (True, True),
                "fill": False,
            }
        )
    return state


@functools.lru_cache
def _settings(device_type: str, precision: str) -> dict:
    return sknn_settings(torch.device(device_type), precision)


def _inherits(key: str, value: str) -> bool:
    """Whether a float32 precision of ``"none"`` (inherit) for ``key`` comes
    to ``value``: torch reads the backend's, then the global setting."""
    package = key.split(".")[0]
    found = _fp32_precision(package, "all")
    if found == "none":
        found = _fp32_precision("generic", "all")
    return (found if found != "none" else "ieee") == value


class numerics:  # noqa: N801 - used as a function, ``with numerics(...)``
    """Apply :func:`sknn_settings` while the block runs, then restore the
    settings it changed as they were (see the module's docstring for
    threads).

    torch's alert that cuBLAS needs ``CUBLAS_WORKSPACE_CONFIG`` for
    determinism is not passed on (sknn runs one stream, on which cuBLAS is
    reproducible); an alert about another operation is, as a warning: it
    names what keeps that fit from being reproducible.

    A class rather than a generator: it is entered at every prediction,
    and on the CPU it costs a few reads of torch's settings only.
    """

    __slots__ = ("device_type", "precision", "_caught")

    def __init__(self, device, precision: str = "exact") -> None:
        if not isinstance(device, torch.device):
            device = torch.device(device)
        self.device_type = device.type
        self.precision = precision
        self._caught = None

    def __enter__(self) -> None:
        global _active
        with _LOCK:
            for key, value in _settings(self.device_type, self.precision).items():
                found = _read(key)
                if found != value and not (found == "none" and _inherits(key, value)):
                    _saved.setdefault(key, found)
                    _write(key, value)
            _active += 1
        if self.device_type == "cuda":
            self._caught = warnings.catch_warnings()
            self._caught.__enter__()
            warnings.filterwarnings("ignore", message=_CUBLAS_ALERT)

    def __exit__(self, *exc_info) -> bool:
        global _active
        try:
            if self._caught is not None:
                self._caught.__exit__(*exc_info)
                self._caught = None
        finally:
            with _LOCK:
                _active -= 1
                if _active == 0:
                    for key, value in _saved.items():
                        _write(key, value)
                    _saved.clear()
        return False


def autocast(device: torch.device, precision: str):
    """The context of a forward pass (and its loss) at ``precision``:
    bfloat16 mixed precision for ``"bf16"``, nothing otherwise."""
    if precision != "bf16":
        return contextlib.nullcontext()
    return torch.autocast(torch.device(device).type, dtype=torch.bfloat16)


def compiled(module: torch.nn.Module, compile) -> torch.nn.Module:
    """``module``, or what ``torch.compile`` makes of it for ``compile``
    (True or one of :data:`COMPILE_MODES`). The compiled module shares its
    parameters with ``module``, which stays the one that is saved."""
    if compile is False:
        return module
    mode = "default" if compile is True else compile
    return torch.compile(module, mode=mode)
