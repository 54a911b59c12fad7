"""Dask: a search on a local cluster, and training on data read block by block.

Two tables.

1. ``GridSearchCV`` (digits, 4 candidates x 3 folds) with ``n_jobs=1`` against
   joblib's dask backend on a ``LocalCluster`` of 2 worker processes with one
   thread each: seconds and the speed-up.
2. One epoch of MLPClassifier on a 2,000,000 x 100 float32 table (800 MB) on
   disk: read into memory first (the reference), as a dask array whose blocks
   are read from the file as training reaches them, and as a numpy memory map.
   Each fit runs in a fresh process; the table gives the fit's seconds and
   throughput against the in-memory fit, the test accuracy, and the growth of
   the process's memory during fit over the data's size: its peak resident
   set (Linux's VmHWM, reset before fit), which for a memory map includes the
   file's pages the process has touched (cache the system can take back), and
   the peak of its own (anonymous) memory, sampled every 5 ms.

    python benchmarks/bench_dask.py           # the full tables (minutes)
    python benchmarks/bench_dask.py --small   # a smoke run
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
import warnings

import numpy as np
from _fresh_process import reset_peak_rss, run_fresh, status_kb


def search_table(small: bool) -> None:
    import joblib
    from distributed import Client, LocalCluster
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV

    from sknn import MLPClassifier

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    if small:
        X, y = X[:300], y[:300]
    grid = {"hidden_layer_sizes": [(64,), (128,)], "alpha": [1e-4, 0.1]}
    model = MLPClassifier(max_iter=2 if small else 30, random_state=0)

    def run():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            GridSearchCV(model, grid, cv=3).fit(X, y)
        return time.perf_counter() - start

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        run()  # warm up: imports on the workers, thread pools
        with joblib.parallel_backend("dask"):
            run()
        rounds = 1 if small else 3
        sequential, distributed = [], []
        for _ in range(rounds):
            sequential.append(run())
            with joblib.parallel_backend("dask"):
                distributed.append(run())
    seq, dist = np.median(sequential), np.median(distributed)
    print("\n## GridSearchCV, digits, 4 candidates x 3 folds")
    print(f"{'backend':<40}{'median s':>10}")
    print(f"{'n_jobs=1':<40}{seq:>10.2f}")
    print(f"{'dask, LocalCluster of 2 x 1 thread':<40}{dist:>10.2f}")
    print(f"speed-up of the dask backend: {seq / dist:.2f}x")


def make_file(path: str, n_samples: int, n_features: int) -> None:
    """A learnable table written to disk block by block (never whole in
    memory), with its labels and a test set beside it."""
    from sklearn.datasets import make_classification

    X0, y0 = make_classification(
        n_samples=60_000,
        n_features=n_features,
        n_informative=n_features // 2,
        random_state=0,
    )
    w = np.random.RandomState(1).standard_normal(n_features)
    mapped = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float32, shape=(n_samples, n_features)
    )
    labels = np.empty(n_samples, dtype=np.int64)
    rng = np.random.RandomState(2)
    step = 50_000
    for start in range(0, n_samples, step):
        stop = min(start + step, n_samples)
        rows = rng.randint(len(X0), size=stop - start)
        noise = rng.standard_normal((stop - start, n_features)) * 0.1
        mapped[start:stop] = X0[rows] + noise @ np.diag(np.abs(w))
        labels[start:stop] = y0[rows]
    mapped.flush()
    del mapped
    np.save(path + ".y.npy", labels)
    np.save(path + ".test.npy", X0[:10_000].astype(np.float32))
    np.save(path + ".test_y.npy", y0[:10_000])


def _read_rows(path: str, start: int, stop: int) -> np.ndarray:
    # opened and closed per block: the process keeps no mapping of the file
    return np.array(np.load(path, mmap_mode="r")[start:stop])


def lazy_array(path: str, chunk_rows: int):
    import dask
    import dask.array as da

    header = np.load(path, mmap_mode="r")
    n, d = header.shape
    del header
    blocks = []
    for start in range(0, n, chunk_rows):
        stop = min(start + chunk_rows, n)
        delayed = dask.delayed(_read_rows)(path, start, stop)
        blocks.append(
            da.from_delayed(delayed, shape=(stop - start, d), dtype=np.float32)
        )
    return da.concatenate(blocks, axis=0)


def fit_one(case: dict) -> dict:
    import torch

    from sknn import MLPClassifier

    torch.set_num_threads(case["threads"])
    path = case["path"]
    y = np.load(path + ".y.npy")
    X_test, y_test = np.load(path + ".test.npy"), np.load(path + ".test_y.npy")
    if case["kind"] == "in memory":
        X = np.load(path)
    elif case["kind"] == "dask array":
        X = lazy_array(path, case["chunk_rows"])
    else:
        X = np.load(path, mmap_mode="r")
    model = MLPClassifier(
        hidden_layer_sizes=(64,),
        batch_size=512,
        max_iter=1,
        random_state=0,
        device="cpu",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MLPClassifier(hidden_layer_sizes=(64,), max_iter=1).fit(
            X_test[:500], y_test[:500]
        )
    before_total = status_kb("VmRSS:")
    before_anon = status_kb("RssAnon:")
    reset_peak_rss()
    peak_anon = [before_anon]
    done = threading.Event()

    def sample():
        while not done.wait(0.005):
            peak_anon[0] = max(peak_anon[0], status_kb("RssAnon:"))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return {
        "seconds": seconds,
        "peak_total_mb": (status_kb("VmHWM:") - before_total) / 1024,
        "peak_anon_mb": (peak_anon[0] - before_anon) / 1024,
        "accuracy": float((model.predict(X_test) == y_test).mean()),
    }


def stream_table(small: bool, threads: int) -> None:
    n, d = (40_000, 20) if small else (2_000_000, 100)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "X.npy")
        make_file(path, n, d)
        data_mb = n * d * 4 / 2**20
        print(
            f"\n## One epoch on a {n:,} x {d} float32 table on disk "
            f"({data_mb:.0f} MB), 64 hidden units, batches of 512"
        )
        print(
            f"{'input':<14}{'fit s':>8}{'x in-memory':>13}{'peak MB':>9}"
            f"{'x data':>8}{'own MB':>8}{'x data':>8}{'accuracy':>10}"
        )
        results = {}
        chunk_rows = 10_000 if small else 100_000
        for kind in ("in memory", "dask array", "memory map"):
            case = {"kind": kind, "path": path, "threads": threads}
            case["chunk_rows"] = chunk_rows
            results[kind] = r = run_fresh("bench_dask", "fit_one", case)
            ratio = results["in memory"]["seconds"] / r["seconds"]
            print(
                f"{kind:<14}{r['seconds']:>8.1f}{ratio:>13.2f}"
                f"{r['peak_total_mb']:>9.0f}{r['peak_total_mb'] / data_mb:>8.2f}"
                f"{r['peak_anon_mb']:>8.0f}{r['peak_anon_mb'] / data_mb:>8.2f}"
                f"{r['accuracy']:>10.3f}"
            )
        print(
            "(x in-memory: throughput relative to the in-memory fit; the "
            "in-memory fit's data, loaded before fit, is not in its peak)"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a smoke run")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} cores")
    search_table(args.small)
    stream_table(args.small, args.threads)


if __name__ == "__main__":
    main()
