"""Read a folder of labelled images (one subfolder per class) into arrays."""

from __future__ import annotations

import os
from numbers import Integral
from pathlib import Path

import numpy as np

#: File suffixes read as images; every other file is ignored.
IMAGE_EXTENSIONS = frozenset(
    {".bmp", ".gif", ".jpeg", ".jpg", ".png", ".tif", ".tiff", ".webp"}
)
_COLOR_MODES = {"rgb": "RGB", "grayscale": "L"}


def _import_pillow():
    try:
        from PIL import Image, ImageOps
    except ImportError as exc:
        raise ImportError(
            "load_image_folder needs Pillow to read images. Install it with the "
            "optional extra: pip install 'sknn-torch[images]' (or pip install "
            "pillow)."
        ) from exc
    return Image, ImageOps


def _check_size(size) -> tuple[int, int] | None:
    if size is None:
        return None
    try:
        height, width = size
    except (TypeError, ValueError):
        height = width = None
    valid = all(
        isinstance(s, Integral) and not isinstance(s, bool) and s > 0
        for s in (height, width)
    )
    if not valid:
        raise ValueError(
            f"size must be None or a pair of positive ints (height, width), got "
            f"{size!r}."
        )
    return int(height), int(width)


def _visible(path: Path) -> bool:
    return not path.name.startswith(".")


def _image_files(folder: Path) -> list[Path]:
    """Image files anywhere under ``folder``, hidden entries skipped, sorted."""
    files = []
    for directory, subdirs, names in os.walk(folder):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        for name in names:
            path = Path(directory, name)
            if _visible(path) and path.suffix.lower() in IMAGE_EXTENSIONS:
                files.append(path)
    return sorted(files)


def _read(path: Path, Image, ImageOps, mode: str, size) -> np.ndarray:
    try:
        with Image.open(path) as image:
            # Photos store their rotation in EXIF; apply it so they stand upright.
            image = ImageOps.exif_transpose(image).convert(mode)
            if size is not None and image.size != (size[1], size[0]):
                resampling = getattr(Image, "Resampling", Image).BILINEAR
                image = image.resize((size[1], size[0]), resampling)
            pixels = np.asarray(image, dtype=np.uint8)
    except OSError as exc:
        raise ValueError(f"Cannot read the image file {path}: {exc}") from exc
    return pixels.reshape(*pixels.shape[:2], -1)


def load_image_folder(path, *, size=(64, 64), color_mode="rgb"):
    """Load labelled images from a folder with one subfolder per class.

    The layout of the course's cat vs non-cat data and of most image
    collections::

        path/
            cat/        img_001.png, img_002.jpg, ...
            non_cat/    ...

    Each subfolder's name is the label of the images inside it (searched
    recursively). Files whose suffix is not an image format (``.png``,
    ``.jpg``, ``.jpeg``, ``.gif``, ``.bmp``, ``.tif``, ``.tiff``, ``.webp``,
    any case) are ignored, as are hidden files and folders (names starting
    with ``"."``). Images are read with Pillow (the optional extra
    ``images``), turned upright following their EXIF orientation and
    converted to RGB (an alpha channel is dropped) or grayscale.

    Parameters
    ----------
    path : str or path-like
        The folder that holds the class subfolders.
    size : tuple (height, width) or None, default=(64, 64)
        Size every image is resized to (bilinear, with antialiasing when
        shrinking). None keeps the files' sizes, which must then all agree.
    color_mode : {"rgb", "grayscale"}, default="rgb"
        Three channels, or one.

    Returns
    -------
    X : ndarray of shape (n_images, height, width, channels), dtype uint8
        The pixels, channels last: ready for
        :class:`~sknn.CNNClassifier` after scaling, e.g. with
        :class:`~sknn.preprocessing.TensorScaler` in a pipeline.
    y : ndarray of shape (n_images,), dtype str
        The class (subfolder name) of each image. Images come sorted by class,
        then by path.

    Raises
    ------
    ImportError
        If Pillow is not installed.
    FileNotFoundError, NotADirectoryError
        If ``path`` does not exist or is not a folder.
    ValueError
        If ``path`` has no class subfolders, a class subfolder holds no image
        file, an image file cannot be read, or ``size=None`` and the images
        differ in size.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from PIL import Image
    >>> from sknn.datasets import load_image_folder
    >>> tmp = tempfile.TemporaryDirectory()
    >>> root = Path(tmp.name)
    >>> for label, color in [("cat", (200, 120, 40)), ("non_cat", (30, 90, 200))]:
    ...     (root / label).mkdir()
    ...     for i in range(2):
    ...         Image.new("RGB", (80, 60), color).save(root / label / f"{i}.png")
    >>> X, y = load_image_folder(root, size=(64, 64))
    >>> X.shape, X.dtype
    ((4, 64, 64, 3), dtype('uint8'))
    >>> y.tolist()
    ['cat', 'cat', 'non_cat', 'non_cat']
    >>> X[0, 0, 0].tolist()
    [200, 120, 40]
    >>> tmp.cleanup()
    """
    size = _check_size(size)
    if color_mode not in _COLOR_MODES:
        raise ValueError(
            f"color_mode must be one of {sorted(_COLOR_MODES)}, got {color_mode!r}."
        )
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"No such folder: {root}")
    if not root.is_dir():
        raise NotADirectoryError(f"Not a folder: {root}")
    Image, ImageOps = _import_pillow()
    classes = sorted(p for p in root.iterdir() if p.is_dir() and _visible(p))
    if not classes:
        raise ValueError(
            f"{root} has no class subfolders: put the images of each class in a "
            "subfolder named after the class (e.g. cat/ and non_cat/)."
        )
    files, labels = [], []
    for folder in classes:
        found = _image_files(folder)
        if not found:
            raise ValueError(
                f"The class folder {folder} holds no image file (suffixes "
                f"{', '.join(sorted(IMAGE_EXTENSIONS))})."
            )
        files += found
        labels += [folder.name] * len(found)
    mode = _COLOR_MODES[color_mode]
    images = [_read(file, Image, ImageOps, mode, size) for file in files]
    shapes = sorted({image.shape for image in images})
    if len(shapes) > 1:
        raise ValueError(
            f"The images in {root} have different sizes {shapes[:5]}; pass "
            "size=(height, width) to resize them to one."
        )
    return np.stack(images), np.array(labels)
