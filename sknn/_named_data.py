"""Named inputs: :class:`Inputs`, several inputs of the same samples that
scikit-learn's splitters, cross-validation and searches slice like one
array (it has a length and a ``shape`` whose first entry is the number of
samples, and indexing it with rows indexes every input). A leaf: the
estimators and the scalers read it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.utils import _safe_indexing


def _is_data_frame(X) -> bool:
    return hasattr(X, "columns") and hasattr(X, "shape")


class Inputs:
    """Several named inputs of the same samples, sliced together.

    Each input is an array of any rank (a table ``(n, 5)``, pictures
    ``(n, 64, 64, 3)``), or a pandas or polars DataFrame; all have the same
    number of rows ``n``. An ``Inputs`` is a valid ``X`` for
    :class:`~sknn.NeuralNetClassifier` and :class:`~sknn.NeuralNetRegressor`,
    whose module's ``forward`` receives each input as the keyword argument of
    its name, and for scikit-learn's ``train_test_split``, ``KFold``,
    ``StratifiedKFold``, ``cross_val_score``, ``cross_val_predict`` and
    ``GridSearchCV``, which slice it by rows like one array.

    Parameters
    ----------
    **inputs : array-like or DataFrame
        The inputs, by the names of the ``forward`` parameters they go to.

    Attributes
    ----------
    names : tuple of str
        The inputs' names, in the order given.
    shape : tuple of int
        ``(n_samples,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import train_test_split
    >>> from sknn import Inputs
    >>> X = Inputs(images=np.zeros((10, 8, 8, 3)), table=np.ones((10, 4)))
    >>> X
    Inputs(images=array (10, 8, 8, 3) float64, table=array (10, 4) float64)
    >>> train, test = train_test_split(X, test_size=0.3, random_state=0)
    >>> len(train), test["images"].shape
    (7, (3, 8, 8, 3))
    """

    def __init__(self, **inputs) -> None:
        if not inputs:
            raise ValueError(
                "Inputs needs at least one input, given by name: "
                "Inputs(images=..., table=...)."
            )
        rows = {}
        for name, value in inputs.items():
            if isinstance(value, Inputs):
                raise TypeError(f"Input {name!r} is an Inputs; inputs do not nest.")
            if not (hasattr(value, "shape") or hasattr(value, "__len__")):
                raise TypeError(
                    f"Input {name!r} is a {type(value).__name__}, not an array-like "
                    "or a DataFrame of samples."
                )
            if not hasattr(value, "shape") and not _is_data_frame(value):
                value = np.asarray(value)
                inputs[name] = value
            if len(getattr(value, "shape", ())) == 0:
                raise ValueError(
                    f"Input {name!r} is a scalar, not an array of samples."
                )
            rows[name] = int(value.shape[0])
        if len(set(rows.values())) > 1:
            counts = ", ".join(f"{name}: {n}" for name, n in rows.items())
            raise ValueError(
                f"Found inputs with inconsistent numbers of samples: {counts}."
            )
        self._inputs = dict(inputs)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._inputs)

    @property
    def shape(self) -> tuple[int]:
        return (int(next(iter(self._inputs.values())).shape[0]),)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key):
        """An input by name (``X["table"]``), or the rows ``key`` of every
        input (an array of indices, a boolean mask or a slice)."""
        if isinstance(key, str):
            try:
                return self._inputs[key]
            except KeyError:
                raise KeyError(
                    f"No input named {key!r}; the inputs are {list(self.names)}."
                ) from None
        if isinstance(key, tuple) and len(key) == 2 and key[1] is Ellipsis:
            key = key[0]  # scikit-learn's row indexing of arrays: X[rows, ...]
        if isinstance(key, slice):
            key = np.arange(len(self))[key]
        key = np.asarray(key)
        if key.ndim == 0:
            key = key.reshape(1)
        return Inputs(**{n: _safe_indexing(v, key) for n, v in self._inputs.items()})

    def keys(self):
        return self._inputs.keys()

    def items(self):
        return self._inputs.items()

    def __array__(self, *args, **kwargs):
        raise TypeError(
            f"An Inputs holds several arrays ({', '.join(self.names)}) and is "
            "not one array: a step that needs one cannot take it. Scale named "
            "inputs with sknn.preprocessing.InputsTransformer."
        )

    def __repr__(self) -> str:
        parts = []
        for name, value in self._inputs.items():
            if _is_data_frame(value):
                parts.append(f"{name}=DataFrame {tuple(value.shape)}")
            else:
                dtype = getattr(value, "dtype", "")
                parts.append(f"{name}=array {tuple(value.shape)} {dtype}".rstrip())
        return f"Inputs({', '.join(parts)})"


def is_named_inputs(X) -> bool:
    """Whether ``X`` holds named inputs: an :class:`Inputs`, or a dict that
    is not a sparse matrix (scipy's DOK format is a dict)."""
    if isinstance(X, Inputs):
        return True
    return isinstance(X, Mapping) and not hasattr(X, "tocsr")


def as_inputs(X) -> Inputs:
    """``X`` (an :class:`Inputs` or a dict of inputs) as an :class:`Inputs`."""
    return X if isinstance(X, Inputs) else Inputs(**dict(X))


def check_input_kind(owner: str, named: bool, fitted) -> None:
    """Refuse named inputs for a model fitted on one array (``fitted`` is
    None), and one array for a model fitted on the named inputs ``fitted``;
    ``owner`` is the model's class name."""
    if fitted is None and named:
        raise ValueError(
            f"X holds named inputs, but {owner} was fitted on a single array: "
            "pass an array as in fit."
        )
    if fitted is not None and not named:
        call = ", ".join(f"{name}=..." for name in fitted)
        raise ValueError(
            f"{owner} was fitted on named inputs ({', '.join(fitted)}): pass "
            f"sknn.Inputs({call})."
        )


def check_input_names(owner: str, names, fitted) -> None:
    """Refuse inputs other than the ``fitted`` ones, naming those missing and
    those not seen in fit."""
    if set(names) == set(fitted):
        return
    missing = sorted(set(fitted) - set(names))
    extra = sorted(set(names) - set(fitted))
    raise ValueError(
        f"X has the inputs {list(names)}, but {owner} was fitted on {list(fitted)}"
        + (f"; missing: {missing}" if missing else "")
        + (f"; not seen in fit: {extra}" if extra else "")
        + "."
    )
