"""
Normalization methods compared with a grid search
=================================================

sknn's classifiers take the normalization inside the network as a
hyperparameter, ``normalization="batch"``, ``"layer"``, ..., so choosing one
is an ordinary scikit-learn model-selection problem. This example lets
:class:`~sklearn.model_selection.GridSearchCV` score every method on the 8x8
digits with 3-fold cross-validation, prints a table of mean accuracy, its
spread over the folds and the mean fit time, and draws both with
:class:`~sknn.inspection.CVResultsDisplay`.

Three searches:

1. a dense network (:class:`~sknn.MLPClassifier`) with each method that
   applies to dense layers;
2. a convolutional network (:class:`~sknn.CNNClassifier`) on the same digits
   as ``(n, 8, 8, 1)`` images, where instance and batch-instance
   normalization apply too;
3. batch normalization against two batch-independent methods with batches
   of 2 and of 64 samples: the course's warning about small batches.

To stay under a minute on two CPU cores, the networks train for few epochs
(20 for the dense network, 8 for the convolutional one) and the folds are 3;
the accuracies are therefore lower than fully trained networks reach, and the
ranking of close methods can change with the seed. What each method does, and
when to use it, is described in the user guide (:ref:`normalization`) and in
:mod:`sknn.normalization`.
"""

import time
import warnings

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sknn import CNNClassifier, MLPClassifier
from sknn.inspection import CVResultsDisplay
from sknn.normalization import check_normalization

# Few epochs on purpose: the networks would still improve a little, and say so.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixel values 0..16 -> 0..1
images = X.reshape(-1, 8, 8, 1)  # (n, height, width, channels)
cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)

# The first fit in a process pays torch's one-off start-up; paying it here
# keeps it out of the fit time of the first method searched.
MLPClassifier(max_iter=1, random_state=0).fit(X[:100], y[:100])
CNNClassifier(max_iter=1, random_state=0).fit(images[:100], y[:100])


def table(search):
    """One row per method: mean and spread of the accuracy, mean fit time."""
    results = search.cv_results_
    return pd.DataFrame(
        {
            "method": [str(method) for method in results["param_normalization"]],
            "mean accuracy": results["mean_test_score"].round(3),
            "std": results["std_test_score"].round(3),
            "fit time (s)": results["mean_fit_time"].round(2),
        }
    ).to_string(index=False)


# %%
# A dense network
# ---------------
# Two hidden layers of 64 units; the chosen method normalizes the
# activations of each (``"weight"`` and ``"spectral"`` reparametrize the
# layers' weights instead). Batches of 64 samples give the batch statistics
# enough samples to be reliable.
dense_methods = [
    None,
    "batch",
    "weight",
    "layer",
    "group",
    "batch_renorm",
    "switchable",
    "spectral",
    "scale",
    "rms",
]
start = time.perf_counter()
dense_search = GridSearchCV(
    MLPClassifier(
        hidden_layer_sizes=(64, 64), batch_size=64, max_iter=20, random_state=0
    ),
    {"normalization": dense_methods},
    cv=cv,
).fit(X, y)
print(f"{len(dense_methods) * 3} fits in {time.perf_counter() - start:.1f}s")
print(table(dense_search))

# %%
display = CVResultsDisplay.from_search(dense_search, "normalization")
display.figure_.suptitle("MLPClassifier on the digits, 3-fold CV")
plt.show()

# %%
# Instance and batch-instance normalization need feature maps
# -----------------------------------------------------------
# Both normalize each channel of each sample over its spatial positions. The
# activations of a dense layer, of shape ``(n_samples, n_units)``, have no
# positions, so the two methods are refused for the dense network rather than
# quietly computing something else:
for method in ["instance", "batch_instance"]:
    try:
        check_normalization(method, spatial_dims=0)
    except ValueError as error:
        print(f"{method}: {error}")

# %%
# A convolutional network
# -----------------------
# The same digits as one-channel images. The feature maps of convolutional
# layers have positions, so every method applies. The search adds the two
# that need positions, instance and batch-instance normalization, to batch,
# group, layer and switchable normalization and none for comparison. Two
# blocks of 16 and 32 filters, 8 epochs.
conv_methods = [
    None,
    "batch",
    "instance",
    "batch_instance",
    "group",
    "layer",
    "switchable",
]
start = time.perf_counter()
conv_search = GridSearchCV(
    CNNClassifier(filters=(16, 32), batch_size=64, max_iter=8, random_state=0),
    {"normalization": conv_methods},
    cv=cv,
).fit(images, y)
print(f"{len(conv_methods) * 3} fits in {time.perf_counter() - start:.1f}s")
print(table(conv_search))

# %%
display = CVResultsDisplay.from_search(conv_search, "normalization")
display.figure_.suptitle("CNNClassifier on the digits as 8x8x1 images, 3-fold CV")
plt.show()

# %%
# Small batches
# -------------
# Batch normalization estimates its mean and variance from the batch at hand.
# From 2 samples those estimates are little more than noise, and the running
# averages used at prediction time disagree with what the network saw in
# training. Layer and weight normalization do not look at the batch at all.
# The grid now also varies the batch size: batches of 2 for 3 epochs (about
# 1,800 optimizer steps per fit), and batches of 64 for 20 epochs (about 380).
# The L2 penalty is set low: as in scikit-learn, ``alpha`` is divided by the
# batch size, so at 2 samples the default would outweigh the data.
#
# sknn warns when batch statistics meet batches this small; the warning is
# silenced here because the effect is what this search sets out to show.
warnings.filterwarnings("ignore", message=".*unreliable with batch_size")
methods = [None, "batch", "layer", "weight"]
start = time.perf_counter()
small_batch_search = GridSearchCV(
    MLPClassifier(hidden_layer_sizes=(64, 64), alpha=1e-4, random_state=0),
    [
        {"normalization": methods, "batch_size": [2], "max_iter": [3]},
        {"normalization": methods, "batch_size": [64], "max_iter": [20]},
    ],
    cv=cv,
).fit(X, y)
print(f"{len(methods) * 2 * 3} fits in {time.perf_counter() - start:.1f}s")
results = pd.DataFrame(
    {
        "method": [
            str(m) for m in small_batch_search.cv_results_["param_normalization"]
        ],
        "batch size": small_batch_search.cv_results_["param_batch_size"],
        "accuracy": small_batch_search.cv_results_["mean_test_score"].round(3),
    }
)
print(results.pivot(index="method", columns="batch size", values="accuracy"))
