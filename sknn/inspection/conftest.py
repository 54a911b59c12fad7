"""The displays' doctests draw with matplotlib (the optional extra ``plot``),
on the non-interactive Agg backend."""

import importlib.util

if importlib.util.find_spec("matplotlib"):
    import matplotlib

    matplotlib.use("Agg")
    collect_ignore = []
else:
    collect_ignore = ["_cv_results.py", "_history.py"]
