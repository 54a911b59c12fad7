"""Loaders that turn files on disk into arrays for sknn's classifiers."""

from ._image_folder import load_image_folder

__all__ = ["load_image_folder"]
