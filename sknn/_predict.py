"""Prediction: the network's outputs for new inputs, batch by batch."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils import assert_all_finite

from ._inputs import _KEPT_DTYPES
from ._training.data import InputBatches, SparseBatches, SparseRows
from ._training.named import NamedArrays, NamedBatches
from ._training.setup import is_streamed
from ._training.stream import BlockInputs, BlockRows
from ._utils import numeric_tensor

#: Rows per forward pass at prediction time: large enough to keep the device
#: busy, small enough to bound the activations' memory.
PREDICT_BATCH_SIZE = 8192


class PredictionMixin:
    """``_outputs``: what the task mixins' ``predict`` and ``predict_proba``
    decode."""

    def _outputs(self, X, finish=None) -> torch.Tensor:
        """The network's logits for ``X``, or ``finish`` of them batch by batch.

        Numeric input keeps its dtype through validation (anything else, such
        as strings of numbers, is converted as ``fit`` converts it); each batch
        is converted to the network's dtype as it is fed, and NaN or infinity
        is reported afterwards in scikit-learn's words. Outputs of such input,
        or logits that overflowed inside the network, are never returned.
        """
        dtype, np_dtype = self.net_.network_dtype()
        ready = self._ready_inputs(X)
        if ready is not None:
            X = ready
        else:
            X = self._validate_inputs(
                X,
                reset=False,
                dtype=(np_dtype, *_KEPT_DTYPES),
                order=None,
                ensure_all_finite=False,
            )
        device = torch.device(self.net_.device)
        if isinstance(X, NamedArrays):  # validated whole, NaN included
            batches = NamedBatches(
                X.astype(np_dtype, copy=False).to_tensors(device),
                batch_size=PREDICT_BATCH_SIZE,
            )
        elif is_streamed(X):
            rows = BlockRows(
                X,
                np.arange(X.shape[0]),
                dtype=np_dtype,
                device=device,
                to_network=self._network_input,
            )
            batches = BlockInputs(rows, batch_size=PREDICT_BATCH_SIZE)
        elif sp.issparse(X):
            assert_all_finite(
                X.data, estimator_name=type(self).__name__, input_name="X"
            )
            rows = SparseRows(
                X.astype(np_dtype, copy=False),
                device=device,
                dense=self._sparse_input == "dense",
            )
            batches = SparseBatches(rows, batch_size=PREDICT_BATCH_SIZE)
        else:
            batches = InputBatches(
                numeric_tensor(X),
                batch_size=PREDICT_BATCH_SIZE,
                dtype=dtype,
                device=device,
            )
        finite = []

        def finish_batch(logits):
            finite.append(torch.isfinite(logits).all())
            return logits if finish is None else finish(logits)

        outputs = self.net_.predict_outputs(batches, finish_batch)
        if not (batches.all_finite() or self._nan_padding):
            # Element by element, in the network's dtype, as scikit-learn's
            # check_array would have seen it; silent if a sum only overflowed.
            with np.errstate(over="ignore"):
                converted = X.astype(np_dtype)
            assert_all_finite(
                converted, estimator_name=type(self).__name__, input_name="X"
            )
        if not bool(finite[0] if len(finite) == 1 else torch.stack(finite).all()):
            self._raise_not_finite(dtype)
        return outputs

    def _raise_not_finite(self, dtype: torch.dtype):
        parameters = self.net_.module_.parameters()
        if not all(bool(torch.isfinite(p).all()) for p in parameters):
            raise ValueError(
                "The network's weights are not finite: the last fit diverged. "
                "Fit it again with scaled inputs or a lower learning_rate_init."
            )
        name = str(dtype).removeprefix("torch.")
        raise ValueError(
            "The network's outputs for some rows of X are not finite: values "
            f"overflow {name} inside the network. If X is not scaled the way "
            "the training data were, scale it so; if it is, the network itself "
            "computes values too large for "
            f"{name}: refit it with dtype='float64' or a larger alpha."
        )
