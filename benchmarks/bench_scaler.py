"""Time and peak memory of TensorScaler against the usual alternatives.

Two cases, as in the issue:

- a float64 table (1,000,000 x 100): ``fit`` + ``transform``, TensorScaler
  against scikit-learn's StandardScaler;
- uint8 images (10000, 64, 64, 3): per-channel ``fit_transform``, TensorScaler
  against StandardScaler on ``X.reshape(-1, 3)`` (scikit-learn's way to get
  per-channel statistics) and against plain numpy (cast to float32, then
  ``mean`` / ``std`` over the sample and spatial axes).

Timings alternate the contenders (A B A B ...) so drifts of a shared machine hit
them alike; the table gives medians and the ratio to the first contender. Peak
memory is measured with tracemalloc in one more, untimed run of each contender
(tracemalloc slows allocations down): the largest amount of memory allocated
at once beyond the input, output included. It counts numpy's buffers whatever
ran before, so no subprocess is needed. Every contender's result is checked
against the first one's.

Usage: ``python benchmarks/bench_scaler.py [--small] [--repeats N]``; ``--small``
runs tiny sizes in a few seconds (a smoke test).
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

import numpy as np
from sklearn.preprocessing import StandardScaler

from sknn.preprocessing import TensorScaler

SIZES = {
    "full": {"table": (1_000_000, 100), "images": (10_000, 64, 64, 3)},
    "small": {"table": (20_000, 100), "images": (100, 64, 64, 3)},
}


def make_data(case: str, shape: tuple[int, ...]) -> np.ndarray:
    rng = np.random.default_rng(0)
    if case == "table":
        # Columns of very different location and spread, as age and income.
        return rng.normal(
            rng.uniform(-1e3, 1e3, shape[1]), rng.uniform(1, 1e3, shape[1]), shape
        )
    return rng.integers(0, 256, size=shape, dtype=np.uint8)


def sklearn_table(X):
    scaler = StandardScaler().fit(X)
    return scaler.transform(X)


def sknn_table(X):
    scaler = TensorScaler().fit(X)
    return scaler.transform(X)


def sklearn_images(X):
    flat = X.reshape(-1, X.shape[-1])
    return StandardScaler().fit_transform(flat).reshape(X.shape)


def numpy_images(X):
    Xf = X.astype(np.float32)
    axes = tuple(range(X.ndim - 1))
    mean = Xf.mean(axis=axes, dtype=np.float64)
    std = Xf.std(axis=axes, dtype=np.float64)
    Xf -= mean.astype(np.float32)
    Xf /= std.astype(np.float32)
    return Xf


def sknn_images(X):
    return TensorScaler(mode="channel").fit_transform(X)


CONTENDERS = {
    "table": {
        "StandardScaler fit+transform": sklearn_table,
        "TensorScaler fit+transform": sknn_table,
    },
    "images": {
        "StandardScaler on reshape(-1, 3)": sklearn_images,
        "numpy astype(float32) mean/std": numpy_images,
        "TensorScaler(mode='channel')": sknn_images,
    },
}


def peak_memory(run, X: np.ndarray) -> int:
    """Peak bytes allocated while ``run(X)`` runs, its result included."""
    tracemalloc.start()
    try:
        result = run(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del result
    return peak


def run_case(case: str, shape: tuple[int, ...], repeats: int) -> list[dict]:
    X = make_data(case, shape)
    contenders = CONTENDERS[case]
    reference = None
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for repeat in range(repeats):
        for name, run in contenders.items():
            start = time.perf_counter()
            result = run(X)
            times[name].append(time.perf_counter() - start)
            if repeat == 0:
                # Contenders must compute the same thing for the ratio to mean
                # anything (float32 results: float32 tolerance).
                if reference is None:
                    reference = result
                else:
                    np.testing.assert_allclose(result, reference, rtol=1e-5, atol=1e-5)
            del result
    rows = []
    for name in contenders:
        rows.append(
            {
                "case": case,
                "contender": name,
                "median_s": statistics.median(times[name]),
                "peak_bytes": peak_memory(contenders[name], X),
            }
        )
    baseline = rows[0]
    for row in rows:
        row["time_ratio"] = row["median_s"] / baseline["median_s"]
        row["memory_ratio"] = row["peak_bytes"] / baseline["peak_bytes"]
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny sizes, seconds")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs each")
    args = parser.parse_args(argv)

    sizes = SIZES["small" if args.small else "full"]
    repeats = args.repeats or (3 if args.small else 5)
    header = (
        f"{'case':<28} {'contender':<34} {'median s':>9} {'ratio':>6} "
        f"{'peak MiB':>9} {'ratio':>6}"
    )
    print(f"TensorScaler benchmark: median of {repeats} alternating runs")
    print(header)
    print("-" * len(header))
    for case, shape in sizes.items():
        dtype = "float64" if case == "table" else "uint8"
        label = f"{case} {'x'.join(map(str, shape))} {dtype}"
        for row in run_case(case, shape, repeats):
            print(
                f"{label:<28} {row['contender']:<34} {row['median_s']:>9.3f} "
                f"{row['time_ratio']:>6.2f} {row['peak_bytes'] / 2**20:>9.1f} "
                f"{row['memory_ratio']:>6.2f}"
            )
            label = ""
        n_values = int(np.prod(shape))
        copy = n_values * (8 if case == "table" else 4)
        print(f"{'':<28} (one float copy of the input: {copy / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
