"""pytest runs the code of the user guide (``*.rst``) as doctests.

Sphinx's configuration and what the build generates are not tests: the
gallery's copies of the examples would run every example at collection.
The displays in the guide draw on matplotlib's non-interactive Agg backend.
"""

import importlib.util

collect_ignore = ["conf.py", "sphinxext"]
collect_ignore_glob = ["_build/*", "auto_examples/*", "generated/*"]

if importlib.util.find_spec("matplotlib"):
    import matplotlib

    matplotlib.use("Agg")
else:
    collect_ignore += ["user_guide/validation.rst", "user_guide/cross_validation.rst"]
