"""
Scale images inside a Pipeline
==============================

The pixels of 8-bit images lie in 0-255, far from the zero-mean, unit-variance
inputs that a network trains best on. :class:`~sknn.preprocessing.TensorScaler`
learns one mean and standard deviation per channel from the training images and
applies them to any later image. Put in a :class:`~sklearn.pipeline.Pipeline`
before the classifier, it is refitted on the training part of every
cross-validation fold, so the test images never leak into the statistics.

scikit-learn's 8x8 digits serve as small grey-scale images, of shape
``(n_samples, height, width, channels) = (1797, 8, 8, 1)``, in ``uint8``.
"""

import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, cross_val_score, cross_validate
from sklearn.pipeline import make_pipeline

from sknn import MLPClassifier
from sknn.preprocessing import TensorScaler

# %%
# Images as a 4-D ``uint8`` tensor
# --------------------------------
digits = load_digits()
# The digits' 17 grey levels (0-16), stretched to 8-bit pixels (0-255).
images = np.rint(digits.images * (255 / 16)).astype(np.uint8)[..., np.newaxis]
y = digits.target
print(
    f"images: shape {images.shape}, dtype {images.dtype}, {images.min()}-{images.max()}"
)

# %%
# The scaler on its own
# ---------------------
# ``mode="channel"`` keeps one statistic per channel (the last axis by default;
# ``channel_axis=1`` for channels-first arrays). ``uint8`` input comes out as
# ``float32``, the dtype a torch network consumes.
scaler = TensorScaler(mode="channel").fit(images)
scaled = scaler.transform(images)
print(
    f"learned mean {scaler.mean_.round(2)}, standard deviation {scaler.scale_.round(2)}"
)
print(f"scaled: dtype {scaled.dtype}, mean {scaled.mean():.1e}, std {scaled.std():.3f}")

# %%
# In a Pipeline, cross-validated
# ------------------------------
# The same small network, once on the raw pixels and once behind the scaler.
# sknn's classifiers take the 4-D images directly. 40 epochs keep the example
# fast; both networks would still gain a little from more, which they report
# with a ConvergenceWarning that is silenced here.
warnings.filterwarnings("ignore", category=ConvergenceWarning)


def make_network():
    return MLPClassifier(
        hidden_layer_sizes=(64,), batch_size=64, max_iter=40, random_state=0
    )


cv = KFold(n_splits=3, shuffle=True, random_state=0)
raw_scores = cross_val_score(make_network(), images, y, cv=cv)
scaled_run = cross_validate(
    make_pipeline(TensorScaler(mode="channel"), make_network()),
    images,
    y,
    cv=cv,
    return_estimator=True,
)
print(f"raw pixels:   accuracy {raw_scores.mean():.3f} +/- {raw_scores.std():.3f}")
scores = scaled_run["test_score"]
print(f"TensorScaler: accuracy {scores.mean():.3f} +/- {scores.std():.3f}")

# %%
# No leakage: each fold's statistics are those of its training images
# ----------------------------------------------------------------------
for fold, ((train, _), model) in enumerate(
    zip(cv.split(images), scaled_run["estimator"], strict=True)
):
    fitted = model[0]
    print(
        f"fold {fold}: scaler mean {fitted.mean_[0]:.3f}, "
        f"mean of its training images {images[train].mean():.3f}, "
        f"of all images {images.mean():.3f}"
    )
