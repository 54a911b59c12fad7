"""
Train, validation and test sets, with learning curves
=====================================================

Each part of the data has one job. The network learns its weights from the
**training set**. The **validation set** is for the choices made around
training: here, the epoch at which to stop. Every such choice uses up a little
of its independence, so the final estimate comes from a **test set** that
none of the choices has seen, read once at the end.

The example splits scikit-learn's 8x8 digits three ways, trains a wide
:class:`~sknn.MLPClassifier` with early stopping on an explicit validation
set, draws its learning curves with
:class:`~sknn.inspection.TrainingHistoryDisplay`, compares them with early
stopping on a held-out ``validation_fraction`` of the training data, and
scores the chosen model once on the test set.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import train_test_split

from sknn import MLPClassifier
from sknn.inspection import TrainingHistoryDisplay

# %%
# Three splits
# ------------
# First the test set, 20% of the images, put aside; then a quarter of the rest
# for validation. Both splits are stratified, so every digit keeps its share
# in each part. Pixel values 0-16 are divided by 16: a fixed scale learns
# nothing from the data, so it cannot leak anything between the parts.
X, y = load_digits(return_X_y=True)
X = X / 16.0
X_rest, X_test, y_rest, y_test = train_test_split(
    X, y, test_size=0.2, stratify=y, random_state=0
)
X_train, X_val, y_train, y_val = train_test_split(
    X_rest, y_rest, test_size=0.25, stratify=y_rest, random_state=0
)
for name, part in [("training", X_train), ("validation", X_val), ("test", X_test)]:
    print(f"{name:>10}: {len(part):4d} images ({len(part) / len(X):.0%})")

# %%
# Early stopping on the validation set
# ------------------------------------
# A wide hidden layer, a high learning rate and a weak L2 penalty fit the
# training images within a few epochs. After that the training loss keeps
# falling towards zero while the validation loss levels off and wobbles: what
# the network still learns are details of the training images that do not
# carry over to new ones. ``early_stopping=True`` watches the validation loss
# (``scoring="loss"``), stops after ``n_iter_no_change`` epochs without
# improvement and restores the weights of the best epoch, which the display
# marks.
params = {
    "hidden_layer_sizes": (512,),
    "batch_size": 200,
    "learning_rate_init": 0.01,
    "alpha": 1e-4,
    "max_iter": 100,
    "early_stopping": True,
    "n_iter_no_change": 8,
    "random_state": 0,
}
clf = MLPClassifier(**params)
clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)
print(
    f"{clf.n_iter_} epochs run, weights of epoch {clf.best_epoch_} restored; "
    f"validation accuracy then {clf.validation_scores_[clf.best_epoch_ - 1]:.3f}"
)
TrainingHistoryDisplay.from_estimator(clf, name="explicit validation set")
plt.show()

# %%
# A held-out fraction instead
# ---------------------------
# Without ``X_val`` and ``y_val``, early stopping holds out
# ``validation_fraction`` of the training data itself (stratified and seeded
# by ``random_state``), so no separate split is needed. Here it is given the
# training and validation images together and keeps 25% of them back, the
# same share as above. The held-out images are drawn afresh from the data
# passed to ``fit``, so they are not those of the explicit split, and the
# curves differ a little.
held_out = MLPClassifier(**params, validation_fraction=0.25).fit(X_rest, y_rest)
print(
    f"{held_out.n_iter_} epochs run, weights of epoch {held_out.best_epoch_} restored"
)
TrainingHistoryDisplay.from_estimator(held_out, name="validation_fraction=0.25")
plt.show()

# %%
# Once, at the end: the test set
# ------------------------------
# The test images have played no part in training or in the choice of the
# epoch, so the accuracy on them is an unbiased estimate of how the model does
# on new digits. Had we compared several models on it and kept the best, it
# would no longer be.
for name, model in [("X_val, y_val", clf), ("validation_fraction", held_out)]:
    print(f"{name:>20}: test accuracy {model.score(X_test, y_test):.3f}")

ConfusionMatrixDisplay.from_estimator(clf, X_test, y_test, colorbar=False)
plt.title("test set, explicit validation set")
plt.show()

# %%
# The split ratio depends on the data and the model: with few
# hyperparameters to choose, a smaller validation set does; with many, a
# larger one, or cross-validation (see the grid search in
# :ref:`sphx_glr_auto_examples_plot_normalization_comparison.py`).
