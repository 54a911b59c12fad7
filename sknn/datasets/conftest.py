"""The image loader's doctest needs Pillow, the optional extra ``images``."""

import importlib.util

collect_ignore = [] if importlib.util.find_spec("PIL") else ["_image_folder.py"]
