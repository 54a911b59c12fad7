"""
Regression: predicted against true values, and a prediction interval
=====================================================================

Trains :class:`sknn.MLPRegressor` on Friedman's first regression problem, a
generated data set with a known non-linear target, next to scikit-learn's
``MLPRegressor`` and a linear baseline, and plots the predictions against
the true values. Then two networks trained with the pinball loss
(``loss="quantile"``) for the quantiles 0.1 and 0.9 bound an interval that
holds about 80% of new targets, and widens where the data is noisier.
Everything is generated on the spot: nothing is downloaded.
"""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor as SklearnMLP
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPRegressor
from sknn.inspection import TrainingHistoryDisplay

# %%
# The data
# --------
# Ten uniform features, of which the target uses five, through a sine of a
# product, a square and two linear terms, plus Gaussian noise of standard
# deviation 1. That noise is the part no model can predict, so it caps the
# R² of a perfect model below 1.
X, y = make_friedman1(n_samples=2000, noise=1.0, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0
)
print(f"target: mean {y.mean():.1f}, standard deviation {y.std():.1f}")
print(f"the best possible test R²: about {1 - 1 / y_test.var():.3f}")

# %%
# Three models on the same split
# ------------------------------
# Each model sits in a pipeline behind a ``StandardScaler``. sknn's regressor
# keeps its defaults; it also standardizes the target inside the estimator
# (``scale_target=True``) and predicts in the target's units. scikit-learn's
# MLPRegressor runs its default 200 epochs. A ridge regression shows how much
# of the target is linear in the features. sknn's time includes PyTorch's
# start-up in the first fit of a process, about a second.
models = {
    "ridge (linear)": RidgeCV(),
    "sknn MLPRegressor": MLPRegressor(random_state=0),
    "sklearn MLPRegressor": SklearnMLP(random_state=0),
}
predictions = {}
print(f"{'model':<22}{'test R²':>9}{'MAE':>8}{'seconds':>9}")
for name, model in models.items():
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipeline = make_pipeline(StandardScaler(), model).fit(X_train, y_train)
    seconds = time.perf_counter() - start
    predictions[name] = pipeline.predict(X_test)
    mae = mean_absolute_error(y_test, predictions[name])
    score = pipeline.score(X_test, y_test)
    print(f"{name:<22}{score:>9.3f}{mae:>8.3f}{seconds:>9.2f}")

# %%
# Predicted against true values
# -----------------------------
# A perfect model puts every point on the diagonal; the noise alone spreads
# them about one unit up and down. The linear model flattens the extremes: it
# predicts too little for the largest targets and too much for the smallest.
fig, axes = plt.subplots(1, 3, figsize=(11, 3.8), sharex=True, sharey=True)
low, high = y_test.min(), y_test.max()
for ax, (name, y_pred) in zip(axes, predictions.items(), strict=True):
    ax.scatter(y_test, y_pred, s=6, alpha=0.5)
    ax.plot([low, high], [low, high], color="black", linewidth=1)
    ax.set_title(name)
    ax.set_xlabel("true value")
axes[0].set_ylabel("predicted value")
fig.tight_layout()
plt.show()

# %%
# Learning curves with the validation R²
# --------------------------------------
# With ``early_stopping=True`` the regressor holds out a random tenth of the
# training data, computes its R² after every epoch and keeps the weights of
# the best one. The display draws the training and validation losses, in the
# target's units, and the validation R² on the right-hand axis.
scaler = StandardScaler().fit(X_train)
stopped = MLPRegressor(early_stopping=True, max_iter=300, random_state=0)
stopped.fit(scaler.transform(X_train), y_train)
print(
    f"{stopped.n_iter_} epochs run, weights of epoch {stopped.best_epoch_} kept; "
    f"validation R² {stopped.best_validation_score_:.3f}, "
    f"test R² {stopped.score(scaler.transform(X_test), y_test):.3f}"
)
TrainingHistoryDisplay.from_estimator(stopped, name="sknn MLPRegressor")
plt.show()

# %%
# A prediction interval from two quantiles
# ----------------------------------------
# One input now, so that the interval can be drawn: the target is
# ``x sin(x)`` plus noise whose spread grows with ``x``. A network trained
# with the pinball loss of quantile 0.1 learns the value the target stays
# above nine times out of ten, one with quantile 0.9 the value it stays
# below; between them lie about 80% of the targets, wherever they are. The
# default squared error gives the mean in the middle. A wiggly curve of one
# input wants a weaker L2 penalty than the default and a learning rate that
# decays over a fixed 100 epochs (``learning_rate="cosine"``).
rng = np.random.RandomState(0)
x = rng.uniform(0, 10, size=2000)
y = x * np.sin(x) + rng.normal(scale=0.5 + 0.3 * x)
X = x.reshape(-1, 1)
X_train, X_test, y_train, y_test = X[:1000], X[1000:], y[:1000], y[1000:]

params = {
    "hidden_layer_sizes": (32, 32),
    "alpha": 1e-3,
    "learning_rate": "cosine",
    "max_iter": 100,
    "random_state": 0,
}


def fit_network(**loss):
    network = MLPRegressor(**params, **loss)
    return make_pipeline(StandardScaler(), network).fit(X_train, y_train)


lower = fit_network(loss="quantile", quantile=0.1)
upper = fit_network(loss="quantile", quantile=0.9)
mean = fit_network()

inside = (lower.predict(X_test) <= y_test) & (y_test <= upper.predict(X_test))
print(f"share of the test targets inside the interval: {inside.mean():.3f}")

grid = np.linspace(0, 10, 300).reshape(-1, 1)
fig, ax = plt.subplots(figsize=(7, 4))
ax.scatter(X_test[:, 0], y_test, s=4, color="grey", alpha=0.4, label="test data")
ax.fill_between(
    grid[:, 0],
    lower.predict(grid),
    upper.predict(grid),
    alpha=0.3,
    label="quantiles 0.1 to 0.9",
)
ax.plot(grid[:, 0], mean.predict(grid), label="mean (squared error)")
ax.plot(grid[:, 0], grid[:, 0] * np.sin(grid[:, 0]), "k--", label="x sin(x)")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()

# %%
# The two quantile networks are trained separately, so nothing forces their
# curves never to cross; with enough data they do not. The user guide's
# :ref:`regression` chapter describes the other losses (absolute error and
# Huber's loss for outliers, Poisson for counts) and the scaling of the
# target.
