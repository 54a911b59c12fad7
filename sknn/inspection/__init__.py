"""Plots that look inside fitted classifiers and searches.

:class:`TrainingHistoryDisplay` draws the loss and validation accuracy of every
epoch of a fitted sknn classifier, with the epoch early stopping restored;
:class:`CVResultsDisplay` draws the mean test score and fit time of a fitted
search for each value of one parameter, such as ``normalization``. Both follow
scikit-learn's Display convention (``from_estimator`` / ``from_search``, then
``plot``), and work next to scikit-learn's own displays, such as
:class:`~sklearn.metrics.ConfusionMatrixDisplay` and
:class:`~sklearn.model_selection.ValidationCurveDisplay`, which accept sknn's
classifiers as they are.

matplotlib is imported only when something is drawn; install it with the
optional extra: ``pip install 'sknn-torch[plot]'``.
"""

from ._cv_results import CVResultsDisplay
from ._history import TrainingHistoryDisplay

__all__ = ["CVResultsDisplay", "TrainingHistoryDisplay"]
