"""matplotlib, imported only when something is drawn."""

from __future__ import annotations


def import_pyplot():
    """Return ``matplotlib.pyplot``, or explain how to install matplotlib."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "Plotting needs matplotlib. Install it with the optional extra: "
            "pip install 'sknn-torch[plot]' (or pip install matplotlib)."
        ) from exc
    return plt
