"""What ``X`` may be: validation of the inputs, shared by fit and predict.

Tables (numpy arrays, lists of rows, pandas and polars data frames, pyarrow
tables), N-D arrays of samples (images, volumes), sparse matrices, data too
large to read whole (dask arrays and data frames, memory maps) and sequences
(3-D arrays padded with NaN, lists of 2-D arrays) are validated here, with
scikit-learn's ``validate_data`` wherever it applies, so that errors read as
scikit-learn's. Sequences are brought to one NaN-padded array by
:func:`sknn._sequences.as_padded`, whose padding is then checked.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import validate_data

from ._sequences import as_padded, is_sequence_list, sequence_lengths
from ._training.setup import is_streamed

#: Input dtypes that prediction keeps as they are and converts batch by batch;
#: any other (strings, objects, long double) is converted up front, as in fit.
_KEPT_DTYPES = tuple(
    np.dtype(name)
    for name in (
        "float64",
        "float32",
        "float16",
        "int64",
        "int32",
        "int16",
        "int8",
        "uint64",
        "uint32",
        "uint16",
        "uint8",
        "bool",
    )
)

#: Rows per forward pass at prediction time: large enough to keep the device
#: busy, small enough to bound the activations' memory.


def is_data_frame(X) -> bool:
    """A pandas or polars data frame, a pyarrow table: anything with columns
    (scikit-learn reads their names; numpy would lose them)."""
    return hasattr(X, "columns") and hasattr(X, "shape") and not sp.issparse(X)


#: How dates, times and durations name their dtypes in pandas, polars and
#: pyarrow (``datetime64[ns, UTC]``, ``Date``, ``duration[s]``,
#: ``timestamp[ns][pyarrow]``, ``period[D]``...), lower-cased.
_TEMPORAL_PREFIXES = ("date", "time", "duration", "period")


def column_dtypes(X) -> list[tuple]:
    """A data frame's columns as ``(name, dtype)`` pairs, in order: pandas's
    and polars's dtypes, a pyarrow table's schema types."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None:  # a pyarrow table
        schema = getattr(X, "schema", None)
        return [(field.name, field.type) for field in schema or ()]
    if hasattr(dtypes, "items"):  # pandas: a Series of dtypes by column
        return list(dtypes.items())
    # polars: a list of dtypes, in the order of the columns
    return list(zip(X.columns, dtypes, strict=False))


def check_no_temporal_columns(X) -> None:
    """Refuse a data frame with date, time or duration columns, naming them.

    numpy's conversion of such a frame fails with a message about dtype
    promotion (or converts timestamps one by one and fails on the first);
    the network needs numbers, which the user is better placed to derive.
    """
    found = [
        (name, str(dtype))
        for name, dtype in column_dtypes(X)
        if str(dtype).lower().startswith(_TEMPORAL_PREFIXES)
    ]
    if found:
        listed = ", ".join(f"{name!r} ({dtype})" for name, dtype in found)
        raise ValueError(
            f"X has date, time or duration columns, which a network cannot "
            f"take: {listed}. Turn them into numbers first (a duration in "
            "seconds, with .dt.total_seconds(); from a date, the year, month, "
            "day of the week or the seconds since a reference date), or drop "
            "them."
        )


class InputsMixin:
    """Input validation of an sknn estimator; the estimator says how its
    samples are read through ``_record_input_shape``, ``_describe_input``,
    ``_shape_for_module``, ``_sparse_input`` and ``_check_target``."""

    def _check_sample_shape(self, X, *, reset):
        """Record (``reset``) or check the shape of one sample, and return the
        samples as rows of values, so that ``validate_data`` does its usual
        checks and ``n_features_in_`` is the number of values in a sample."""
        # Data frames (pandas, polars, pyarrow tables) and sparse matrices go
        # to validate_data as they are: it reads their column names.
        if is_data_frame(X):
            check_no_temporal_columns(X)
        elif not sp.issparse(X):
            X = np.asarray(X)
        if len(X.shape) < 2:
            return X  # validate_data explains what it expects
        shape = tuple(X.shape[1:])
        if reset:
            self._record_input_shape(shape)
        elif (
            len(shape) > 1 or len(self.input_shape_) > 1
        ) and shape != self.input_shape_:
            # Tables of the wrong width get validate_data's standard message.
            hint = ""
            if tuple(X.shape) == tuple(self.input_shape_):
                hint = (
                    " X itself has the shape of one sample: to predict one, "
                    "add the batch axis, X[np.newaxis] (or X.reshape(1, "
                    f"{', '.join(map(str, X.shape))}))."
                )
            raise ValueError(
                f"X has samples of shape {shape}, but {type(self).__name__} was "
                f"fitted on samples of shape {self.input_shape_}"
                f"{self._describe_input()}.{hint}"
            )
        if len(shape) > 1:
            X = X.reshape(X.shape[0], math.prod(shape))
        return X

    def _validate_inputs(self, X, y="no_validation", *, reset, **check_params):
        """Validate ``X`` (and ``y`` unless ``"no_validation"``) and return a
        C-ordered array of ``self.dtype`` in the network's shape (and the
        checked ``y``).

        ``check_params`` override the keywords passed to ``validate_data``:
        prediction keeps the input's numeric dtype and leaves the conversion
        and the finite check to :class:`~sknn._training.data.InputBatches`."""
        if is_streamed(X):
            return self._validate_streamed(X, y, reset=reset)
        X = self._check_sample_shape(X, reset=reset)
        kwargs = {"reset": reset, "dtype": np.dtype(self.dtype), "order": "C"}
        if self._sparse_input is not None:
            kwargs["accept_sparse"] = ["csr", "csc", "coo"]
        kwargs.update(check_params)
        if isinstance(y, str) and y == "no_validation":
            return self._network_input(validate_data(self, X, **kwargs))
        X, y = validate_data(self, X, y, multi_output=True, **kwargs)
        if sp.issparse(y):  # a sparse indicator matrix of labels
            y = y.toarray()
        return self._network_input(X), y

    def _validate_streamed(self, X, y="no_validation", *, reset):
        """Validate data too large to read whole (a dask array or data frame,
        a memory map) from what it says of itself; its values are checked
        block by block as training reads them. ``y`` is read whole."""
        names = None
        if hasattr(X, "columns"):  # a dask data frame
            names = np.asarray([str(c) for c in X.columns], dtype=object)
            X = X.to_dask_array(lengths=True)
        if X.ndim < 2:
            raise ValueError(
                f"Expected a 2D array, got a {X.ndim}D array instead; reshape "
                "your data to (n_samples, n_features)."
            )
        if X.dtype.kind not in "fiub":
            raise TypeError(
                f"X holds values of dtype {X.dtype}; a numeric array is expected."
            )
        if X.shape[0] == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum "
                f"of 1 is required by {type(self).__name__}."
            )
        if not (isinstance(y, str) and y == "no_validation"):
            # first: validate_data, given no X, also forgets feature names
            y = self._validate_target(y, X.shape[0])
        shape = tuple(int(n) for n in X.shape[1:])
        if reset:
            self._record_input_shape(shape)
            self.n_features_in_ = math.prod(shape)
            if names is not None:
                self.feature_names_in_ = names
            else:
                self.__dict__.pop("feature_names_in_", None)
        else:
            if shape != tuple(self.input_shape_):
                raise ValueError(
                    f"X has samples of shape {shape}, but {type(self).__name__} "
                    f"was fitted on samples of shape {self.input_shape_}."
                )
            fitted = getattr(self, "feature_names_in_", None)
            if names is not None and fitted is not None:
                if list(names) != list(fitted):
                    raise ValueError(
                        "The feature names should match those that were passed "
                        "during fit."
                    )
        if isinstance(y, str) and y == "no_validation":
            return X
        return X, y

    def _validate_target(self, y, n_samples: int):
        """``y`` checked on its own, for samples ``validate_data`` does not
        read (streamed, or sequences); it must have ``n_samples`` rows."""
        if hasattr(y, "compute"):
            y = y.compute()
        y = y if sp.issparse(y) else np.asarray(y)
        y = validate_data(self, X="no_validation", y=y, multi_output=True)
        if sp.issparse(y):
            y = y.toarray()
        if len(y) != n_samples:
            raise ValueError(
                "Found input variables with inconsistent numbers of "
                f"samples: [{n_samples}, {len(y)}]"
            )
        return y

    def _network_input(self, X):
        """Validated samples in the network's shape; sparse rows as CSR."""
        return X.tocsr() if sp.issparse(X) else self._shape_for_module(X)

    def _ready_inputs(self, X):
        """``X`` in the network's shape if it is already what prediction
        needs, else None (and ``validate_data`` checks it).

        The fast path for serving: a plain numpy array of a kept numeric
        dtype, with at least one row, of the fitted sample shape, for an
        estimator fitted without feature names. Everything ``validate_data``
        would check is then already true, except that the values are finite,
        which the batches check as they are fed (as on the slow path).
        """
        if (
            type(X) is not np.ndarray
            or X.dtype not in _KEPT_DTYPES
            or X.ndim < 2
            or X.shape[0] == 0
            or "feature_names_in_" in self.__dict__
        ):
            return None
        shape = X.shape[1:]
        if len(shape) == 1 and len(self.input_shape_) == 1:
            if shape[0] != self.n_features_in_:
                return None  # validate_data's message
        elif shape != tuple(self.input_shape_):
            return None
        return self._network_input(X.reshape(X.shape[0], self.n_features_in_))


def array_ndim(X) -> int:
    """Dimensions of an array-like, without numpy's array function protocol."""
    shape = getattr(X, "shape", None)
    return len(shape) if shape is not None else np.asarray(X).ndim


def is_sequences(X) -> bool:
    """Whether ``X`` holds sequences: a list of per-sample arrays, or a 3-D
    array (not a data frame, whose rows are a table's)."""
    return is_sequence_list(X) or (array_ndim(X) == 3 and not is_data_frame(X))


class SequenceInputMixin:
    """``_validate_sequences`` for an estimator with a ``data_format``."""

    def _refuse_unreadable(self, X):
        """Sparse and streamed data get an error; a memory map is read whole."""
        if sp.issparse(X):
            raise TypeError(
                "Sparse data was passed for X, but dense data is required: "
                f"{type(self).__name__} reads sequences. Use X.toarray() to "
                "convert to a dense numpy array."
            )
        if isinstance(X, np.memmap):
            return np.asarray(X)
        if is_streamed(X):
            raise TypeError(
                f"{type(self).__name__} takes sequences in memory: a numpy array "
                f"or a list of arrays, not {type(X).__name__}."
            )
        return X

    def _validate_sequences(self, X, y="no_validation", *, reset):
        """``(X, lengths, y)``: the sequences as one float64 array ``(n,
        timesteps, features)`` padded with NaN, their lengths, and the
        checked ``y`` (or ``"no_validation"``).

        Raises a ``ValueError`` that says where for NaN inside a sequence,
        infinity, a sequence of length 0, ragged feature counts, no samples,
        and a different number of features than in fit.
        """
        X = as_padded(X, channels_last=self.data_format == "channels_last")
        if len(X) == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum "
                f"of 1 is required by {type(self).__name__}."
            )
        lengths = sequence_lengths(X)
        if not (isinstance(y, str) and y == "no_validation"):
            y = self._validate_target(y, len(X))
        if reset:
            self.__dict__.pop("feature_names_in_", None)
        elif X.shape[2] != self._features_per_step():
            layout = self.data_format.replace("_", " ")
            hint = ""
            if X.shape[1] == self._features_per_step():
                other = "first" if layout.endswith("last") else "last"
                hint = f" Are the sequences channels {other}? Set data_format."
            raise ValueError(
                f"X has {X.shape[2]} features per time step, but "
                f"{type(self).__name__} was fitted on sequences of "
                f"{self._features_per_step()} ({layout}).{hint}"
            )
        return X, lengths, y
