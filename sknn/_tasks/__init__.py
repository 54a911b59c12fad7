"""Tasks: what differs between a classifier and a regressor.

The shared machinery (:mod:`sknn._base`, :mod:`sknn._training`) asks a task
object, fixed at the first fit, everything about targets:

* ``n_outputs`` and ``describe_outputs()``: the width of the network's output;
* ``encode(y, dtype)``: the targets as the loss takes them;
* ``criterion(dtype)``: the loss, an ``nn.Module`` the engine minimizes (with
  an optional ``report`` of the loss in the target's original units);
* ``metric()`` and ``metric_name``: the validation metric (accuracy, R²),
  accumulated batch by batch on the device and read once per epoch;
* ``check_outputs(...)``: what the network must return;
* ``stratify(y)``: how a validation split is drawn;
* ``decode(outputs)``: predictions from the network's outputs.

Each estimator mixin (:class:`ClassifierTaskMixin`,
:class:`RegressorTaskMixin`) makes its task from ``y``, keeps its fitted
attributes, and adds the task's public methods.
"""

from ._classifier import ClassifierTaskMixin
from ._regressor import RegressorTaskMixin

__all__ = ["ClassifierTaskMixin", "RegressorTaskMixin"]
