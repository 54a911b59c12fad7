"""load_image_folder's checks of its options and of the files it reads."""

import os
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from sknn.datasets import load_image_folder

Image = pytest.importorskip("PIL.Image")


def _save(path, size=(20, 20), color=(200, 30, 60), mode="RGB"):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, color).save(path)


@pytest.fixture
def folder(tmp_path):
    """Two classes of two 20 x 20 images each."""
    for label in ("cat", "non_cat"):
        for i in range(2):
            _save(tmp_path / label / f"{i}.png")
    return tmp_path


class _PathLike:
    def __init__(self, path):
        self.path = path

    def __fspath__(self):
        return self.path


# -- path ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_path",
    [str, Path, os.fsencode, lambda p: _PathLike(str(p))],
    ids=["str", "Path", "bytes", "PathLike"],
)
def test_load_image_folder_path_types(folder, as_path):
    X, y = load_image_folder(as_path(folder), size=(4, 4))
    assert X.shape == (4, 4, 4, 3)
    assert y.tolist() == ["cat", "cat", "non_cat", "non_cat"]


@pytest.mark.parametrize("path", [None, 5, 1.5, ["data"], True])
def test_load_image_folder_path_wrong_type(path):
    with pytest.raises(TypeError, match="path must be a str or path-like") as info:
        load_image_folder(path)
    assert type(path).__name__ in str(info.value)


@pytest.mark.parametrize("path", ["", b""])
def test_load_image_folder_empty_path_is_not_the_current_folder(path):
    # Path("") is "."; loading the working directory would be a silent surprise.
    with pytest.raises(ValueError, match="path must name a folder, got an empty"):
        load_image_folder(path)


def test_load_image_folder_unlistable_folder_is_an_error(folder, monkeypatch):
    _save(folder / "cat" / "locked" / "2.png")
    locked = os.fspath(folder / "cat" / "locked")
    scandir = os.scandir

    def refusing_scandir(path="."):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing_scandir)
    # Rather than a class quietly short of the images it could not list.
    with pytest.raises(PermissionError, match=re.escape(locked)):
        load_image_folder(folder)


# -- size ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "size",
    [[8, 6], (np.int64(8), np.uint8(6)), np.array([8, 6])],
    ids=["list", "numpy-ints", "array"],
)
def test_load_image_folder_size_forms(folder, size):
    X, _ = load_image_folder(folder, size=size)
    assert X.shape == (4, 8, 6, 3)


@pytest.mark.parametrize(
    "size",
    [
        (True, 4),
        (4, False),
        (np.True_, 4),
        (4, -1),
        (0, 4),
        (4.5, 4),
        (np.float64(4), 4),
        ("4", "4"),
        "ab",
        (4, 4, 3),
        (),
        64,
        np.array(4),
        np.ones((2, 2), dtype=int),
        {4, 8},  # a set has no order: (height, width) could come out swapped
        {"height": 4, "width": 8},
    ],
)
def test_load_image_folder_bad_size(folder, size):
    with pytest.raises(ValueError, match="size must be None or a pair of positive"):
        load_image_folder(folder, size=size)


# -- color_mode ------------------------------------------------------------------


@pytest.mark.parametrize("color_mode", [None, 1, ["rgb"], {"rgb"}, True])
def test_load_image_folder_color_mode_wrong_type(folder, color_mode):
    # a list or a set is unhashable: no "unhashable type" from a dict lookup
    with pytest.raises(TypeError, match="color_mode must be a str among"):
        load_image_folder(folder, color_mode=color_mode)


@pytest.mark.parametrize("color_mode", ["RGB", "cmyk", "", "gray"])
def test_load_image_folder_color_mode_wrong_value(folder, color_mode):
    with pytest.raises(
        ValueError, match=r"color_mode must be one of \['grayscale', 'rgb'\]"
    ):
        load_image_folder(folder, color_mode=color_mode)


# -- the files -------------------------------------------------------------------


def _png_bytes(tmp_path):
    _save(tmp_path / "source.png")
    return (tmp_path / "source.png").read_bytes()


def _jpeg_bytes(tmp_path):
    _save(tmp_path / "source.jpg")
    return (tmp_path / "source.jpg").read_bytes()


@pytest.mark.parametrize(
    "name, content",
    [
        ("empty.png", lambda tmp: b""),
        ("text.jpg", lambda tmp: b"hello, not an image"),
        ("html.gif", lambda tmp: b"<html><body>404</body></html>"),
        ("truncated.png", lambda tmp: _png_bytes(tmp)[:60]),
        ("truncated.jpeg", lambda tmp: _jpeg_bytes(tmp)[:200]),
        ("garbled.png", lambda tmp: _png_bytes(tmp)[:16] + b"\xff" * 200),
    ],
)
def test_load_image_folder_unreadable_file_names_it(folder, tmp_path, name, content):
    bad = folder / "cat" / name
    bad.write_bytes(content(tmp_path / "cat"))
    with pytest.raises(ValueError, match="Cannot read the image file") as info:
        load_image_folder(folder)
    assert str(bad) in str(info.value)
    assert info.value.__cause__ is not None  # Pillow's own error, kept


def test_load_image_folder_decompression_bomb_error(folder, monkeypatch):
    # 400 pixels, more than twice the limit: Pillow raises DecompressionBombError.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(ValueError, match="decompression bomb") as info:
        load_image_folder(folder)
    message = str(info.value)
    assert str(folder / "cat" / "0.png") in message
    assert "MAX_IMAGE_PIXELS" in message
    assert isinstance(info.value.__cause__, Image.DecompressionBombError)


def test_load_image_folder_decompression_bomb_warning_as_error(folder, monkeypatch):
    # 400 pixels, above the limit but under twice it: Pillow only warns, and the
    # caller's filters turn the warning into an error.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 300)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with pytest.raises(ValueError, match="decompression bomb") as info:
            load_image_folder(folder)
    assert str(folder / "cat" / "0.png") in str(info.value)
    assert isinstance(info.value.__cause__, Image.DecompressionBombWarning)


def test_load_image_folder_decompression_bomb_warning_stays_a_warning(
    folder, monkeypatch
):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 300)
    with pytest.warns(Image.DecompressionBombWarning):
        X, _ = load_image_folder(folder, size=(4, 4))
    assert X.shape == (4, 4, 4, 3)


def test_load_image_folder_no_limit(folder, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    X, _ = load_image_folder(folder, size=None)
    assert X.shape == (4, 20, 20, 3)


def test_load_image_folder_image_content_under_another_suffix(folder):
    # Pillow reads the content, not the suffix: a PNG named .gif is an image.
    (folder / "cat" / "1.png").rename(folder / "cat" / "1.gif")
    X, y = load_image_folder(folder, size=(4, 4))
    assert X.shape == (4, 4, 4, 3)
    np.testing.assert_array_equal(X[1, 0, 0], [200, 30, 60])


def test_16_bit_images_are_scaled_not_clipped(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        pixels = np.array([[0, 1000], [32768, 65535]], dtype=np.uint16)
        Image.fromarray(pixels).save(tmp_path / name / "x.png")
    X, _ = load_image_folder(tmp_path, size=None, color_mode="grayscale")
    # 0..65535 onto 0..255, rounded: 1000 is 4, not 255
    np.testing.assert_array_equal(X[0, :, :, 0], [[0, 4], [128, 255]])


def test_32_bit_images_are_refused_by_name(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        Image.fromarray(np.ones((2, 2), dtype=np.float32)).save(
            tmp_path / name / "x.tiff"
        )
    with pytest.raises(ValueError, match=r"x\.tiff holds 32-bit values .*'F'"):
        load_image_folder(tmp_path, size=None)
