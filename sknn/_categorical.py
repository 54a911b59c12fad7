"""Categorical columns of a table, learned as embeddings by the dense presets.

Which columns are categorical follows scikit-learn's convention of
``HistGradientBoosting*``: ``categorical_features="from_dtype"`` takes the
columns of a pandas or polars DataFrame whose dtype is categorical (pandas
``category``, polars ``Categorical`` and ``Enum``); indices, names or a
boolean mask declare them. At fit each categorical column's levels are
fixed (``categories_``); a column is then fed to the network as codes, 0 for
a missing value, 1 for a level not seen in fit, ``2 + i`` for level ``i``,
which :class:`sknn.modules.MLP` looks up in one embedding per column.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._inputs import (
    array_ndim,
    check_no_temporal_columns,
    column_dtypes,
    is_data_frame,
)
from ._training.setup import is_streamed
from ._utils import Interval, StrOptions

#: Codes of the rows every embedding reserves.
MISSING, UNSEEN = 0, 1
RESERVED = 2


def embedding_dim(rows: int) -> int:
    """The length of an embedding of ``rows`` rows under
    ``embedding_dims="auto"``: ``min(600, round(1.6 * rows ** 0.56))``, the
    rule of thumb of the fastai library."""
    return int(min(600, round(1.6 * rows**0.56)))


def _is_arrow_table(X) -> bool:
    return hasattr(X, "schema") and hasattr(X, "column_names")


def _is_categorical_dtype(dtype) -> bool:
    if isinstance(dtype, pd.CategoricalDtype):
        return True
    if type(dtype).__module__.startswith("pyarrow"):
        return type(dtype).__name__ == "DictionaryType"
    return type(dtype).__module__.startswith("polars") and type(dtype).__name__ in (
        "Categorical",
        "Enum",
    )


def _column(X, j: int) -> np.ndarray:
    """Column ``j`` of a table (a data frame or a 2-D array) as a numpy
    array of its values (objects for strings and categories)."""
    if hasattr(X, "iloc"):  # pandas
        return X.iloc[:, j].to_numpy()
    if _is_arrow_table(X):
        return np.asarray(X.column(int(j)).to_pandas().to_numpy())
    if is_data_frame(X):  # polars and other frames
        return np.asarray(X[X.columns[j]].to_numpy())
    return X[:, j]


def _is_numeric(dtype) -> bool:
    kind = getattr(dtype, "kind", None)
    if kind is not None and not isinstance(dtype, pd.CategoricalDtype):
        return kind in "biuf"
    if type(dtype).__module__.startswith("polars"):
        return bool(dtype.is_numeric()) or type(dtype).__name__ == "Boolean"
    if type(dtype).__module__.startswith("pyarrow"):
        import pyarrow as pa

        return bool(
            pa.types.is_integer(dtype)
            or pa.types.is_floating(dtype)
            or pa.types.is_boolean(dtype)
            or pa.types.is_decimal(dtype)
        )
    try:
        return pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
    except TypeError:
        return False


class CategoricalMixin:
    """``categorical_features`` and ``embedding_dims`` for a dense preset:
    put it left of the architecture. Its ``_validate_inputs`` fixes the
    categorical columns and their levels at fit, and replaces their values
    by codes before the shared validation sees the table."""

    _categorical_constraints: dict = {
        "categorical_features": [StrOptions({"from_dtype"}), "array-like", None],
        "embedding_dims": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
            dict,
        ],
    }

    def _validate_inputs(self, X, y="no_validation", *, reset, **check_params):
        if is_data_frame(X):
            check_no_temporal_columns(X)
        if reset:
            self._fit_categorical(X)
        if self.is_categorical_ is not None:
            X = self._encode_categorical(X, reset=reset)
        return super()._validate_inputs(X, y, reset=reset, **check_params)

    def _ready_inputs(self, X):
        if getattr(self, "is_categorical_", None) is not None:
            return None  # codes first: the full path
        return super()._ready_inputs(X)

    def _categorical_module_kwargs(self) -> dict:
        """The ``categorical`` argument of :class:`sknn.modules.MLP`."""
        if self.is_categorical_ is None:
            return {}
        columns = np.flatnonzero(self.is_categorical_)
        return {
            "categorical": tuple(
                (int(j), len(levels) + RESERVED, int(dim))
                for j, levels, dim in zip(
                    columns, self.categories_, self.embedding_dims_, strict=True
                )
            )
        }

    # -- fit: which columns, their levels, their embeddings ----------------------

    def _fit_categorical(self, X) -> None:
        mask = self._categorical_mask(X)
        self._check_string_columns(X, mask)
        if mask is None or not mask.any():
            self.is_categorical_, self.categories_, self.embedding_dims_ = None, [], []
            return
        frame = is_data_frame(X)
        # an array's columns are named by their index, and have no dtype
        pairs = column_dtypes(X) if frame else [(j, None) for j in range(mask.size)]
        names = [name for name, _ in pairs] if frame else None
        levels = [self._levels(X, j, *pairs[j]) for j in np.flatnonzero(mask)]
        self.is_categorical_ = mask
        self.categories_ = levels
        self.embedding_dims_ = self._embedding_dims(mask, levels, names)

    def _categorical_mask(self, X) -> np.ndarray | None:
        """The boolean mask of the categorical columns, or None."""
        spec = self.categorical_features
        if spec is None:
            return None
        explicit = not (isinstance(spec, str) and spec == "from_dtype")
        if not explicit and not is_data_frame(X):
            return None  # only a data frame's dtypes say what is categorical
        table = is_data_frame(X) or (
            not sp.issparse(X) and not is_streamed(X) and array_ndim(X) == 2
        )
        if sp.issparse(X) or is_streamed(X) or not table:
            if not explicit:
                return None
            what = (
                "sparse"
                if sp.issparse(X)
                else "read block by block"
                if is_streamed(X)
                else f"of {array_ndim(X)} dimensions"
            )
            raise ValueError(
                f"categorical_features={spec!r} declares columns of a table, but "
                f"X is {what}: categorical columns need a DataFrame or a 2-D "
                "array in memory."
            )
        if is_data_frame(X):
            pairs = column_dtypes(X)
            if not explicit:
                return np.array([_is_categorical_dtype(dtype) for _, dtype in pairs])
            return _declared_mask(spec, len(pairs), [name for name, _ in pairs])
        return _declared_mask(spec, np.asarray(X).shape[1], None)

    def _check_string_columns(self, X, mask) -> None:
        """A data frame's columns of strings (or other non-numbers) that are
        not categorical get an error that says how to declare them."""
        if not is_data_frame(X):
            return
        bad = [
            (name, dtype)
            for j, (name, dtype) in enumerate(column_dtypes(X))
            if not (mask is not None and mask[j]) and not _is_numeric(dtype)
        ]
        if not bad:
            return
        kinds = ", ".join(f"{name!r} ({dtype})" for name, dtype in bad)
        raise ValueError(
            f"X has columns that are not numbers: {kinds}. A network takes "
            "categories as categorical columns, which it learns an embedding "
            f"for: declare them, categorical_features={[str(n) for n, _ in bad]!r} "
            "(or their indices), or give them the pandas 'category' dtype "
            "(polars: Categorical or Enum) with categorical_features="
            "'from_dtype'; or encode them yourself."
        )

    def _levels(self, X, j: int, name, dtype) -> np.ndarray:
        """The levels of categorical column ``j`` (called ``name``, of
        ``dtype`` in a data frame, None in an array): those of its
        categorical dtype, else the sorted distinct values seen."""
        if isinstance(dtype, pd.CategoricalDtype):
            return np.asarray(dtype.categories.to_numpy())
        if dtype is not None and type(dtype).__name__ == "Enum":
            return np.asarray(list(dtype.categories))
        values = _column(X if is_data_frame(X) else np.asarray(X), j)
        seen = pd.unique(values[~pd.isna(values)])
        try:
            return np.sort(np.asarray(seen.tolist()))
        except TypeError as error:
            raise TypeError(
                f"Categorical column {name!r} holds values of several kinds "
                f"({sorted({type(v).__name__ for v in seen})}), which cannot be "
                "sorted into levels; give it values of one kind."
            ) from error

    def _embedding_dims(self, mask, levels, names) -> list[int]:
        spec = self.embedding_dims
        columns = np.flatnonzero(mask)
        if isinstance(spec, dict):
            keys = {
                j: key
                for key in spec
                for j in columns
                if key == j or (names is not None and key == names[j])
            }
            unknown = [key for key in spec if key not in keys.values()]
            if unknown:
                raise ValueError(
                    f"embedding_dims has keys {unknown} that are not categorical "
                    "columns (give their names or indices)."
                )
            sizes = {}
            for j, key in keys.items():
                value = spec[key]
                if not (isinstance(value, Integral) and value >= 1):
                    raise ValueError(
                        f"embedding_dims[{key!r}] must be a positive int, got "
                        f"{value!r}."
                    )
                sizes[j] = int(value)
        else:
            sizes = {}
        dims = []
        for j, known in zip(columns, levels, strict=True):
            if j in sizes:
                dims.append(sizes[j])
            elif isinstance(spec, Integral):
                dims.append(int(spec))
            else:
                dims.append(embedding_dim(len(known) + RESERVED))
        return dims

    # -- every call: values to codes --------------------------------------------------

    def _encode_categorical(self, X, *, reset: bool):
        """``X`` with each categorical column replaced by its codes (a data
        frame keeps its column names), in float64."""
        frame = is_data_frame(X)
        if not frame:
            if sp.issparse(X) or is_streamed(X) or array_ndim(X) != 2:
                raise ValueError(
                    f"{type(self).__name__} was fitted on a table with "
                    "categorical columns: X must be a DataFrame or a 2-D array."
                )
            X = np.asarray(X)
        names = [name for name, _ in column_dtypes(X)] if frame else None
        n = len(names) if frame else X.shape[1]
        fitted = None if reset else getattr(self, "feature_names_in_", None)
        if n != len(self.is_categorical_) or (
            frame and fitted is not None and [str(c) for c in names] != list(fitted)
        ):
            return X  # the shared validation names the columns that differ
        levels = iter(self.categories_)
        columns = []
        for j in range(n):
            values = _column(X, j)
            if self.is_categorical_[j]:
                columns.append(_codes(values, next(levels)))
            else:
                try:
                    columns.append(np.asarray(values, dtype=np.float64))
                except (TypeError, ValueError) as error:
                    name = names[j] if frame else j
                    raise ValueError(
                        f"Column {name!r} of X is numeric in fit, but holds "
                        f"values that are not numbers: {error}"
                    ) from error
        encoded = np.column_stack(columns)
        if frame:  # the names as they were: validation reads them
            return pd.DataFrame(encoded, columns=list(names))
        return encoded


def _codes(values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """The codes of a categorical column's values (see the module's
    docstring), as floats."""
    missing = pd.isna(values)
    index = pd.Index(levels).get_indexer(values).astype(np.float64)
    codes = np.where(index < 0, UNSEEN, index + RESERVED)
    codes[missing] = MISSING
    return codes


def _declared_mask(spec, n: int, names) -> np.ndarray:
    """``categorical_features`` given as indices, names or a boolean mask."""
    values = np.asarray(spec)
    if values.ndim != 1:
        raise ValueError(
            "categorical_features must be 'from_dtype', None, or a 1-D "
            f"array-like of indices, names or booleans, got {spec!r}."
        )
    if values.dtype.kind == "b":
        if len(values) != n:
            raise ValueError(
                f"categorical_features is a boolean mask of {len(values)} "
                f"entries, but X has {n} columns."
            )
        return values.copy()
    mask = np.zeros(n, dtype=bool)
    if values.dtype.kind in "iu":
        bad = [int(v) for v in values if not 0 <= v < n]
        if bad:
            raise ValueError(
                f"categorical_features has indices {bad} outside the {n} columns of X."
            )
        mask[values.astype(int)] = True
        return mask
    if values.dtype.kind in "UO":
        if names is None:
            raise ValueError(
                "categorical_features names columns, which needs X as a "
                "DataFrame with column names; give indices for an array."
            )
        positions = {str(name): j for j, name in enumerate(names)}
        unknown = [str(v) for v in values if str(v) not in positions]
        if unknown:
            raise ValueError(
                f"categorical_features names columns {unknown} that X does not "
                f"have; its columns are {[str(c) for c in names]}."
            )
        mask[[positions[str(v)] for v in values]] = True
        return mask
    raise ValueError(
        "categorical_features must hold column indices, names or booleans, "
        f"got {spec!r}."
    )
