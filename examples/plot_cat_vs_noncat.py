"""
Cat vs non-cat: a convolutional network on a folder of images
=============================================================

The course's binary example classifies 64x64 RGB pictures as cat or non-cat.
This example runs the same pipeline on a folder of labelled images: one
subfolder per class (``cat/``, ``non_cat/``), read with
:func:`sknn.datasets.load_image_folder` into a ``(n, 64, 64, 3)`` uint8
array, standardized per colour channel by
:class:`sknn.preprocessing.TensorScaler` and
classified by :class:`sknn.CNNClassifier` in one scikit-learn ``Pipeline``,
scored by stratified 3-fold cross-validation.

It runs offline: by default it draws a small image set into a temporary
folder. A "cat" is a round face with two pointed ears and two eyes, a
"non-cat" the same kind of round shape without ears, or a box, each at a
random place, size and colour on a noisy background, so that colour and
position tell nothing and the network has to find the shape. Pass a folder of
your own (``python plot_cat_vs_noncat.py path/to/folder``) to run on it
instead. Needs Pillow: ``pip install 'sknn-torch[images]'``.
"""

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image, ImageDraw
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from sknn import CNNClassifier
from sknn.datasets import load_image_folder
from sknn.preprocessing import TensorScaler

SIZE = 64


def draw_picture(rng, cat):
    """One 64x64 RGB picture: a cat face, or an earless shape or a box."""
    background = rng.randint(0, 256, size=3)
    noise = rng.randint(-40, 41, size=(SIZE, SIZE, 3))
    pixels = np.clip(background + noise, 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    fur = tuple(int(c) for c in (background + rng.randint(90, 166, size=3)) % 256)
    r = rng.randint(9, 15)
    x, y = rng.randint(r + 2, SIZE - r - 2), rng.randint(2 * r, SIZE - r - 2)
    if cat or rng.rand() < 0.5:
        draw.ellipse([x - r, y - r, x + r, y + r], fill=fur)
    else:
        draw.rectangle([x - r, y - r, x + r, y + r], fill=fur)
    if cat:
        for side in (-1, 1):
            base = x + side * r // 2
            draw.polygon(
                [
                    (base - r // 2, y - r // 2),
                    (base + r // 2, y - r // 2),
                    (base + side * r // 4, y - 2 * r + 2),
                ],
                fill=fur,
            )
        eye = tuple(255 - c for c in fur)
        for side in (-1, 1):
            ex, ey = x + side * r // 2, y - r // 5
            draw.ellipse([ex - 2, ey - 2, ex + 2, ey + 2], fill=eye)
    return image


def write_image_folder(root, n_per_class=200, seed=0):
    """Draw the labelled pictures as PNG files in ``root/cat``, ``root/non_cat``."""
    rng = np.random.RandomState(seed)
    for label in ("cat", "non_cat"):
        folder = Path(root, label)
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(n_per_class):
            picture = draw_picture(rng, cat=label == "cat")
            picture.save(folder / f"{label}_{i:03d}.png")


def show_pictures(X, y, n_per_class=4):
    """The first pictures of each class, as the network receives them."""
    classes = sorted(set(y))
    fig, axes = plt.subplots(
        len(classes), n_per_class, figsize=(1.6 * n_per_class, 1.8 * len(classes))
    )
    for row, label in zip(axes, classes, strict=True):
        for ax, index in zip(row, np.flatnonzero(y == label), strict=False):
            ax.imshow(X[index])
            ax.set_axis_off()
        row[0].set_title(str(label), loc="left")
    fig.suptitle(f"{X.shape[1]}x{X.shape[2]} RGB pictures, one row per class")
    plt.show()


def evaluate(root):
    """Load the folder, cross-validate the pipeline and print the result."""
    start = time.perf_counter()
    X, y = load_image_folder(root, size=(SIZE, SIZE))
    counts = ", ".join(f"{name}: {n}" for name, n in sorted(Counter(y).items()))
    print(f"read {X.shape} {X.dtype} images in {time.perf_counter() - start:.2f}s")
    print(f"classes: {counts}")
    show_pictures(X, y)
    model = make_pipeline(
        # Each colour channel to mean 0 and variance 1 over the training
        # pictures: centred inputs train dense and convolutional networks alike.
        TensorScaler(mode="channel"),
        # Four blocks: 64 -> 32 -> 16 -> 8 -> 4 positions, so that the last
        # convolutions see whole faces.
        CNNClassifier(filters=(16, 32, 64, 64), random_state=0),
    )
    start = time.perf_counter()
    scores = cross_val_score(model, X, y, cv=StratifiedKFold(3))
    seconds = time.perf_counter() - start
    print(f"fold accuracies: {np.round(scores, 3).tolist()}")
    print(
        f"CNNClassifier, 3-fold accuracy {scores.mean():.3f} +/- {scores.std():.3f}"
        f" (chance {max(Counter(y).values()) / len(y):.3f}), {seconds:.1f}s"
    )


def main():
    if len(sys.argv) > 1:
        evaluate(sys.argv[1])
        return
    with tempfile.TemporaryDirectory() as root:
        write_image_folder(root)
        evaluate(root)


if __name__ == "__main__":
    main()
