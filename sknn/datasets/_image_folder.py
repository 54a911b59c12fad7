"""Read a folder of labelled images (one subfolder per class) into arrays."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .._utils import is_int

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


def _check_path(path) -> Path:
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(
            "path must be a str or path-like (such as pathlib.Path) naming a "
            f"folder, got {type(path).__name__} {path!r}."
        )
    path = os.fsdecode(os.fspath(path))
    if not path:
        # Path("") is the current folder: never what an empty string meant.
        raise ValueError("path must name a folder, got an empty path.")
    return Path(path)


def _check_size(size) -> tuple[int, int] | None:
    if size is None:
        return None
    # A pair in a fixed order: a set or a mapping would unpack in any order.
    sequence = isinstance(size, (tuple, list)) or (
        isinstance(size, np.ndarray) and size.ndim == 1
    )
    pair = sequence and len(size) == 2
    if not (pair and all(is_int(s) and s > 0 for s in size)):
        raise ValueError(
            "size must be None or a pair of positive ints (height, width), got "
            f"{size!r}."
        )
    height, width = size
    return int(height), int(width)


def _check_color_mode(color_mode) -> str:
    if not isinstance(color_mode, str):
        raise TypeError(
            f"color_mode must be a str among {sorted(_COLOR_MODES)}, got "
            f"{type(color_mode).__name__} {color_mode!r}."
        )
    if color_mode not in _COLOR_MODES:
        raise ValueError(
            f"color_mode must be one of {sorted(_COLOR_MODES)}, got {color_mode!r}."
        )
    return _COLOR_MODES[color_mode]


def _visible(path: Path) -> bool:
    return not path.name.startswith(".")


def _raise(error: OSError):
    raise error


def _image_files(folder: Path) -> list[Path]:
    """Image files anywhere under ``folder``, hidden entries skipped, sorted."""
    files = []
    # os.walk skips a folder it cannot list unless told to raise: a class
    # would lose its images in silence.
    for directory, subdirs, names in os.walk(folder, onerror=_raise):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        for name in names:
            path = Path(directory, name)
            if _visible(path) and path.suffix.lower() in IMAGE_EXTENSIONS:
                files.append(path)
    return sorted(files)


class _UnsupportedImage(ValueError):
    """A readable image that the loader refuses, with its own message."""


def _to_8_bits(image, Image, path):
    """A 16-bit grayscale image scaled to 8 bits (Pillow's conversion clips
    every value above 255); images of 32-bit values have no range to scale
    from and are refused."""
    if image.mode.startswith("I;16"):
        pixels = np.asarray(image).astype(np.uint32)
        return Image.fromarray(((pixels * 255 + 32767) // 65535).astype(np.uint8))
    if image.mode in ("I", "F"):
        raise _UnsupportedImage(
            f"The image file {path} holds 32-bit values (Pillow mode "
            f"{image.mode!r}), which have no fixed range to scale to 8 bits; "
            "convert it to an 8- or 16-bit image first."
        )
    return image


def _read(path: Path, Image, ImageOps, mode: str, size) -> np.ndarray:
    try:
        # A DecompressionBombWarning that the caller's filters turn into an
        # error is raised as an exception, like DecompressionBombError.
        with Image.open(path) as image:
            # Photos store their rotation in EXIF; apply it so they stand upright.
            image = _to_8_bits(ImageOps.exif_transpose(image), Image, path)
            image = image.convert(mode)
            if size is not None and image.size != (size[1], size[0]):
                resampling = getattr(Image, "Resampling", Image).BILINEAR
                image = image.resize((size[1], size[0]), resampling)
            pixels = np.asarray(image, dtype=np.uint8)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValueError(
            f"The image file {path} has more pixels than Pillow's limit "
            f"PIL.Image.MAX_IMAGE_PIXELS ({Image.MAX_IMAGE_PIXELS}) and could be "
            f"a decompression bomb: {exc} If you trust the file, raise "
            "PIL.Image.MAX_IMAGE_PIXELS (None lifts the limit)."
        ) from exc
    except (MemoryError, _UnsupportedImage):
        raise
    except Exception as exc:
        # Pillow reports a corrupt file with OSError mostly, but also with
        # SyntaxError, ValueError, EOFError or struct.error, depending on the
        # format and on where in the file the damage lies.
        raise ValueError(
            f"Cannot read the image file {path}: {type(exc).__name__}: {exc}"
        ) from exc
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
    path : str, bytes or path-like
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
    PermissionError
        If a folder under ``path`` cannot be listed (rather than losing its
        images in silence).
    TypeError
        If ``path`` is not a str or path-like, or ``color_mode`` not a str.
    ValueError
        If ``path`` is empty, ``size`` is not None or a pair of positive ints
        (booleans are refused), ``color_mode`` is not one of the options,
        ``path`` has no class subfolders, a class subfolder holds no image
        file, an image file cannot be read (it is corrupt, is not an image
        despite its suffix, or has more pixels than
        ``PIL.Image.MAX_IMAGE_PIXELS`` and could be a decompression bomb), or
        ``size=None`` and the images differ in size.

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
    root = _check_path(path)
    size = _check_size(size)
    mode = _check_color_mode(color_mode)
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
    images = [_read(file, Image, ImageOps, mode, size) for file in files]
    shapes = sorted({image.shape for image in images})
    if len(shapes) > 1:
        raise ValueError(
            f"The images in {root} have different sizes {shapes[:5]}; pass "
            "size=(height, width) to resize them to one."
        )
    return np.stack(images), np.array(labels)
