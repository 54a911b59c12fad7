"""
Deploy a model: save it safely, load it, export it to ONNX
==========================================================

A model becomes a product once something other than your notebook can use
it. This example trains a pipeline (a scaler and an
:class:`sknn.MLPClassifier`) on the breast-cancer data, then takes it the two
ways out of Python's memory:

- **skops** (``skops.io``): a file that loads without running any code from
  it. Loading rebuilds only the types you trust, and an sknn pipeline asks
  you to trust sknn's own classes and nothing else.
- **ONNX**: :func:`sknn.to_onnx` converts the whole pipeline, scaler
  included, into one ONNX graph that `onnxruntime
  <https://onnxruntime.ai>`_ runs without Python, PyTorch or scikit-learn,
  from C++, C#, Java or JavaScript as well.

Both give the original model's predictions; the figure compares the time one
row takes in each.
"""

import tempfile
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime
import skops.io as sio
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier, skops_trusted_types, to_onnx


def median_seconds(predict, row, repeats=200):
    """Median time of one call, after a few calls to warm up."""
    for _ in range(10):
        predict(row)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        predict(row)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    X, y = load_breast_cancer(return_X_y=True)
    X = X.astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    model = make_pipeline(StandardScaler(), MLPClassifier(random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a ConvergenceWarning is not the point
        model.fit(X_train, y_train)
    print(f"test accuracy: {model.score(X_test, y_test):.3f}")

    folder = Path(tempfile.mkdtemp())

    # 1. Save with skops, and load back trusting sknn's classes only.
    path = folder / "model.skops"
    sio.dump(model, path)
    print("types the file asks to trust:", sio.get_untrusted_types(file=path))
    loaded = sio.load(path, trusted=skops_trusted_types())
    same = np.array_equal(loaded.predict_proba(X_test), model.predict_proba(X_test))
    print("skops round trip gives the same probabilities:", same)

    # 2. Export the loaded pipeline to ONNX and run it with onnxruntime.
    onnx_model = to_onnx(loaded, X_train[:1])
    onnx_path = folder / "model.onnx"
    onnx_path.write_bytes(onnx_model.SerializeToString())
    session = onnxruntime.InferenceSession(
        str(onnx_path), providers=["CPUExecutionProvider"]
    )
    labels, proba = session.run(None, {"X": X_test})
    print(
        "onnxruntime labels equal predict:",
        np.array_equal(labels, model.predict(X_test)),
    )
    gap = np.abs(proba - model.predict_proba(X_test)).max()
    print(f"largest difference of the probabilities: {gap:.1e}")

    # 3. One row, as a service would see it.
    row = X_test[:1]
    seconds = {
        "sknn pipeline\npredict_proba": median_seconds(model.predict_proba, row),
        "onnxruntime\nsession.run": median_seconds(
            lambda r: session.run(None, {"X": r}), row
        ),
    }
    for name, value in seconds.items():
        print(f"{name.replace(chr(10), ' ')}: {value * 1e6:.0f} µs per row")

    fig, ax = plt.subplots(figsize=(6, 3))
    ax.barh(list(seconds), [s * 1e6 for s in seconds.values()], color="tab:blue")
    ax.set_xlabel("microseconds for one row (median)")
    ax.set_title("One prediction, two ways to serve it")
    fig.tight_layout()
    plt.show()


if __name__ == "__main__":
    main()
