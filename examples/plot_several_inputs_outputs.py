"""
One network, two inputs, two outputs
=====================================

A shop photographs each parcel and weighs it. One network looks at both, the
photo and a row of measurements, and answers two questions at once: what is
on the photo (a box, a ball or a tube), and does the parcel need the
heavy-goods service. The photo alone cannot tell the weight, the table
alone cannot tell the shape, and the heavy-goods rule needs both (a ball
travels as heavy goods sooner than a box).

:class:`sknn.Inputs` carries the photos ``(n, 16, 16, 3)`` and the table
``(n, 3)`` as one ``X`` that scikit-learn slices like an array, so
``train_test_split`` and ``cross_val_score`` work unchanged;
:class:`~sknn.preprocessing.TensorScaler` standardizes each input with its
own statistics; :class:`sknn.NeuralNetClassifier` passes each input to the
module's ``forward`` by name, sizes the module from each input
(``photo_shape``, ``table_n_features``) and, since ``y`` has two columns of
labels, trains one softmax head per column, whose widths the module
receives as ``n_outputs``.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from torch import nn

from sknn import Inputs, NeuralNetClassifier
from sknn.preprocessing import TensorScaler

SIZE = 16
SHAPES = np.array(["ball", "box", "tube"])


def make_parcels(n=900, seed=0):
    """Photos of a ball, a box or a tube on a noisy background, and a table
    of weight, length and declared value; two labels per parcel."""
    rng = np.random.RandomState(seed)
    shape = rng.randint(3, size=n)
    photos = rng.normal(0.5, 0.1, size=(n, SIZE, SIZE, 3))
    rows, cols = np.mgrid[:SIZE, :SIZE]
    for i in range(n):
        cy, cx = rng.randint(5, SIZE - 5, size=2)
        colour = rng.uniform(0.0, 1.0, size=3)
        if SHAPES[shape[i]] == "ball":
            inside = (rows - cy) ** 2 + (cols - cx) ** 2 <= 12
        elif SHAPES[shape[i]] == "box":
            inside = (abs(rows - cy) <= 3) & (abs(cols - cx) <= 3)
        else:  # a tube: long and thin
            inside = (abs(rows - cy) <= 1) & (abs(cols - cx) <= 5)
        photos[i][inside] = colour
    weight = rng.gamma(4.0, 2.0, size=n)  # kilograms
    length = rng.uniform(10, 80, size=n)  # centimetres
    value = rng.lognormal(3, 1, size=n)  # euros, unrelated to both labels
    table = np.column_stack([weight, length, value]).astype(np.float32)
    limit = np.where(SHAPES[shape] == "ball", 6.0, 10.0)
    heavy = np.where(weight > limit, "heavy", "standard")
    y = np.column_stack([SHAPES[shape], heavy])
    return Inputs(photo=photos.astype(np.float32), table=table), y


class PhotoAndTable(nn.Module):
    """A small convolutional branch for the photo, a dense one for the
    table, joined, then one head per output."""

    def __init__(self, photo_shape, table_n_features, n_outputs, width=32):
        super().__init__()
        channels = photo_shape[-1]
        self.photo = nn.Sequential(
            nn.Conv2d(channels, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 16, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.table = nn.Sequential(nn.Linear(table_n_features, 16), nn.ReLU())
        self.joined = nn.Sequential(nn.Linear(16 + 16, width), nn.ReLU())
        self.heads = nn.ModuleList(nn.Linear(width, k) for k in n_outputs)

    def forward(self, photo, table):
        seen = self.photo(photo.permute(0, 3, 1, 2))  # channels last -> first
        joined = self.joined(torch.cat([seen, self.table(table)], dim=1))
        return tuple(head(joined) for head in self.heads)


X, y = make_parcels()
print(X)
print("labels per parcel:", y[:3].tolist())

model = make_pipeline(
    TensorScaler(mode="channel"),
    NeuralNetClassifier(
        module=PhotoAndTable,
        # up to 300 epochs; 10 % of the training parcels are set aside and
        # training stops once their loss has not improved for 10 epochs
        max_iter=300,
        early_stopping=True,
        random_state=0,
    ),
)

# %%
# Cross-validated, the score is the subset accuracy: a parcel counts when
# both of its answers are right.
scores = cross_val_score(model, X, y, cv=3)
print(f"both answers right: {scores.mean():.3f} +/- {scores.std():.3f}")

# %%
# One split, each output on its own.
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
model.fit(X_train, y_train)
network = model[-1]
print("module arguments:", network.module_kwargs_)
print("classes per output:", [c.tolist() for c in network.classes_])
predicted = model.predict(X_test)
for column, name in enumerate(["shape", "service"]):
    accuracy = np.mean(predicted[:, column] == y_test[:, column])
    print(f"{name}: accuracy {accuracy:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
for column, (ax, name) in enumerate(zip(axes, ["shape", "service"], strict=True)):
    ConfusionMatrixDisplay.from_predictions(
        y_test[:, column], predicted[:, column], ax=ax, colorbar=False
    )
    ax.set_title(f"output {column}: {name}")
fig.tight_layout()
plt.show()
