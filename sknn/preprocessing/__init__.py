"""Input normalization: scale tables, images and volumes inside a Pipeline."""

from ._tensor_scaler import TensorScaler

__all__ = ["TensorScaler"]
