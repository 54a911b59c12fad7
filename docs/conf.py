"""Sphinx configuration of sknn's documentation.

Build it with ``make docs`` from the repository root (warnings are errors).

Links to other projects' documentation (Python, numpy, pandas, scikit-learn,
PyTorch, matplotlib) need their intersphinx inventories, which Sphinx downloads
at build time; an inventory that cannot be downloaded is a warning, so it fails
a build with warnings as errors. The build is therefore offline by default:
``SKNN_DOCS_OFFLINE=1`` (the default) leaves the inventories out, and references
to those projects are printed as code without a link. ``SKNN_DOCS_OFFLINE=0``
downloads them and links the references; then a download that fails fails the
build, which is what one asking for the links wants to know.
"""

import os
import re
import sys
from pathlib import Path

import sknn

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "sphinxext"))

project = "sknn"
author = "the sknn developers"
project_copyright = "the sknn developers"
release = sknn.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "sphinxext", "conftest.py"]
default_role = "literal"

# -- API reference -------------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"
# numpydoc renders the sections; autodoc lists the methods (see the templates).
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# -- links to other projects ----------------------------------------------------
INTERSPHINX_MAPPING = {
    "python": ("https://docs.python.org/3/", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "pandas": ("https://pandas.pydata.org/docs/", None),
    "sklearn": ("https://scikit-learn.org/stable/", None),
    "torch": ("https://docs.pytorch.org/docs/stable/", None),
    "matplotlib": ("https://matplotlib.org/stable/", None),
}
_SWITCH = os.environ.get("SKNN_DOCS_OFFLINE", "1").strip().lower()
OFFLINE = _SWITCH not in {"0", "false", "no"}
intersphinx_mapping = {} if OFFLINE else INTERSPHINX_MAPPING
intersphinx_timeout = 15

# Methods inherited from scikit-learn (``score``, ``get_params``, ...) bring
# their docstrings, whose :ref: and :term: roles point into scikit-learn's
# documentation; unresolved, they are warnings. Offline, they become text.
_FOREIGN_ROLE = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<([^`>]*)>)?`")


def _foreign_role_as_text(match):
    title, target = match.group(1).strip(), match.group(2)
    return title if target else f"``{title}``"


def unlink_foreign_roles(app, what, name, obj, options, lines):
    """Offline, turn the cross-references of scikit-learn docstrings into text."""
    module = getattr(obj, "__module__", None) or ""
    if OFFLINE and module.split(".")[0] == "sklearn":
        lines[:] = [_FOREIGN_ROLE.sub(_foreign_role_as_text, line) for line in lines]


# -- the gallery ------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Every plot_*.py runs at build time; each takes under a minute on two
    # CPU cores and needs no network.
    "filename_pattern": r"/plot_",
    "within_subsection_order": "sknn_gallery.CourseOrder",
    "doc_module": ("sknn",),
    "backreferences_dir": "generated/backreferences",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 1,
}

# -- HTML -----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sknn {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False


def setup(app):
    # Before numpydoc (priority 500) rewrites the docstring into sections.
    app.connect("autodoc-process-docstring", unlink_foreign_roles, priority=400)
