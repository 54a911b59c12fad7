"""Dask: searches on a cluster, and training on data read block by block."""

import os
import tempfile

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification
from sklearn.model_selection import GridSearchCV
from user_modules import TableNet

import sknn._training.stream as stream
from sknn import (
    CNNClassifier,
    MLPClassifier,
    MLPRegressor,
    NeuralNetClassifier,
    NeuralNetRegressor,
)

da = pytest.importorskip("dask.array")

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture(scope="module")
def table():
    X, y = make_classification(n_samples=2048, n_features=12, random_state=0)
    return X.astype(np.float32), y


def _fixed(**params):
    """No shuffling, batches that divide the blocks: the streamed batches are
    exactly the in-memory ones."""
    defaults = {"random_state": 0, "shuffle": False, "batch_size": 64, "max_iter": 3}
    return {**defaults, **params}


# -- training on data read block by block ----------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: MLPClassifier(hidden_layer_sizes=(16,), **_fixed()),
        lambda: NeuralNetClassifier(module=TableNet, **_fixed()),
    ],
    ids=["mlp", "net"],
)
def test_a_dask_array_gives_the_in_memory_result(table, make):
    X, y = table
    lazy = da.from_array(X, chunks=(512, 12))
    in_memory, streamed = make().fit(X, y), make().fit(lazy, y)
    np.testing.assert_array_equal(
        streamed.predict_proba(lazy), in_memory.predict_proba(X)
    )
    np.testing.assert_array_equal(streamed.predict(X), in_memory.predict(X))
    assert streamed.n_features_in_ == 12


def test_images_as_a_dask_array():
    X, y = load_digits(return_X_y=True)
    images = (X / 16).reshape(-1, 8, 8, 1).astype(np.float32)[:1024]
    y = y[:1024]
    params = _fixed(filters=(4,), max_iter=2)
    in_memory = CNNClassifier(**params).fit(images, y)
    lazy = da.from_array(images, chunks=(256, 8, 8, 1))
    streamed = CNNClassifier(**params).fit(lazy, y)
    np.testing.assert_allclose(
        streamed.predict_proba(lazy), in_memory.predict_proba(images), atol=1e-6
    )


def test_a_memory_map_is_streamed_not_copied(table, monkeypatch):
    X, y = table
    path = os.path.join(tempfile.mkdtemp(), "X.npy")
    np.save(path, X)
    mapped = np.load(path, mmap_mode="r")
    monkeypatch.setattr(stream, "block_bounds", _blocks_of(256))
    reads = []
    original = stream.BlockRows.read

    def spy(self, index):
        out = original(self, index)
        reads.append(len(out))
        return out

    monkeypatch.setattr(stream.BlockRows, "read", spy)
    clf = MLPClassifier(hidden_layer_sizes=(16,), **_fixed()).fit(mapped, y)
    assert max(reads) <= 256  # one block at a time, never the whole map
    reference = MLPClassifier(hidden_layer_sizes=(16,), **_fixed()).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), reference.predict_proba(X))


def _blocks_of(rows):
    def bounds(X):
        stops = list(range(rows, X.shape[0], rows)) + [X.shape[0]]
        return list(zip([0] + stops[:-1], stops, strict=True))

    return bounds


def test_shuffled_streaming_is_reproducible_and_learns(table):
    X, y = table
    lazy = da.from_array(X, chunks=(256, 12))
    params = {"hidden_layer_sizes": (16,), "random_state": 0, "max_iter": 5}
    a = MLPClassifier(early_stopping=True, **params).fit(lazy, da.from_array(y))
    b = MLPClassifier(early_stopping=True, **params).fit(lazy, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.best_epoch_ is not None and a.score(X, y) > 0.85
    assert len(a.validation_scores_) == a.n_iter_


@pytest.mark.parametrize("chunk", [200, 256])
def test_the_run_plan_counts_the_streamed_batches(table, chunk):
    # Batches never span blocks: 2,048 rows in blocks of 200 give two batches
    # of 128 or fewer per block (22 a pass), not ceil(2048 / 128) = 16. A
    # cosine schedule planned on 16 would sit at zero for the last quarter.
    X, y = table
    lazy = da.from_array(X, chunks=(chunk, 12))
    clf = MLPClassifier(
        hidden_layer_sizes=(8,),
        batch_size=128,
        max_iter=2,
        learning_rate="cosine",
        random_state=0,
    ).fit(lazy, y)
    per_epoch = [row["train_batch_count"] for row in clf.history_]
    expected = sum(
        -(-len(b) // 128) for b in np.array_split(X, range(chunk, 2048, chunk))
    )
    assert per_epoch == [expected] * 2
    cosine = dict(clf.net_.callbacks_)["cosine"]
    assert cosine.steps == sum(per_epoch) == cosine.step_
    # the learning rate reached zero at the last step, not before
    assert clf.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(0, abs=1e-12)


def test_a_regressor_streams_blocks_as_it_fits_arrays(table):
    X, _ = table
    y = X[:, :3].sum(axis=1) * 100 + 1000
    params = {"hidden_layer_sizes": (16,), "batch_size": 64, "shuffle": False}
    lazy = MLPRegressor(random_state=0, max_iter=3, **params).fit(
        da.from_array(X, chunks=(512, 12)), da.from_array(y, chunks=512)
    )
    eager = MLPRegressor(random_state=0, max_iter=3, **params).fit(X, y)
    np.testing.assert_allclose(lazy.predict(X), eager.predict(X), rtol=1e-5)
    assert lazy.score(X, y) > 0.8


def test_partial_fit_on_blocks(table):
    X, y = table
    lazy = da.from_array(X, chunks=(512, 12))
    clf = MLPClassifier(hidden_layer_sizes=(16,), random_state=0)
    for _ in range(3):
        clf.partial_fit(lazy, y, classes=[0, 1])
    assert len(clf.history_) == 3 and clf.score(X, y) > 0.8


def test_dask_data_frames_keep_column_names(table):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X, y = table
    names = [f"f{i}" for i in range(12)]
    frame = dd.from_pandas(pd.DataFrame(X, columns=names), npartitions=4)
    clf = MLPClassifier(hidden_layer_sizes=(8,), random_state=0, max_iter=2)
    clf.fit(frame, y)
    assert list(clf.feature_names_in_) == names
    assert clf.predict(frame).shape == (len(X),)
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(frame[names[::-1]])


def test_bad_values_in_a_block_are_a_clear_error_and_change_nothing(table):
    X, y = table
    bad = X.copy()
    bad[1500, 3] = np.nan
    clf = MLPClassifier(hidden_layer_sizes=(8,), random_state=0, max_iter=2)
    with pytest.raises(ValueError, match=r"Input X contains NaN \(in rows 1024"):
        clf.fit(da.from_array(bad, chunks=(512, 12)), y)
    assert not hasattr(clf, "n_features_in_")
    with pytest.raises(TypeError, match="numeric array"):
        clf.fit(da.from_array(X.astype(str), chunks=(512, 12)), y)


def test_dask_ml_incremental_calls_partial_fit_block_by_block(table):
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, y = table
    lazy, labels = da.from_array(X, chunks=(512, 12)), da.from_array(y, chunks=512)
    model = wrappers.Incremental(
        MLPClassifier(hidden_layer_sizes=(16,), random_state=0), shuffle_blocks=False
    )
    model.fit(lazy, labels, classes=[0, 1])
    assert len(model.estimator_.history_) == 4  # one epoch per block
    assert (model.predict(lazy).compute() == y).mean() > 0.8


# -- searches on a cluster ------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client


def _grid_search(X, y, n_jobs, estimator):
    search = GridSearchCV(
        estimator(module=TableNet, max_iter=3, random_state=0),
        {"module__hidden": [4, 16], "learning_rate_init": [1e-3, 1e-2]},
        cv=3,
        n_jobs=n_jobs,
    )
    return search.fit(X, y)


@pytest.mark.parametrize("estimator", [NeuralNetClassifier, NeuralNetRegressor])
def test_a_search_on_a_cluster_gives_the_sequential_results(cluster, table, estimator):
    X, y = table
    if estimator is NeuralNetRegressor:
        y = X[:, :2].sum(axis=1) * 10  # a continuous target
    sequential = _grid_search(X, y, 1, estimator)
    with joblib.parallel_backend("dask"):
        # a user's module, defined in a test module, reaches the workers
        distributed = _grid_search(X, y, -1, estimator)
    for key in ("split0_test_score", "split1_test_score", "split2_test_score"):
        np.testing.assert_array_equal(
            sequential.cv_results_[key], distributed.cv_results_[key]
        )
    assert sequential.best_params_ == distributed.best_params_


def _fit_on_worker(X, y):
    import torch

    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0).fit(X, y)
    return torch.get_num_threads(), clf


def test_workers_train_on_one_thread_each(cluster, table):
    X, y = table
    threads, clf = cluster.submit(_fit_on_worker, X, y).result()
    assert threads == 1
    assert clf.score(X, y) > 0.5


def _gpu_model_on_worker(X, y):
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0).fit(X, y)
    clf.net_.device = "cuda:0"  # as a worker with a GPU would have it
    return clf


@pytest.mark.skipif(
    torch.cuda.is_available(),
    reason="simulates a GPU model, which a client with a GPU would load on "
    "it; test_mlp_cuda_pickle_loads_where_cuda_is_hidden loads a real one",
)
def test_a_gpu_model_from_a_worker_loads_without_a_gpu(cluster, table, monkeypatch):
    X, y = table
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    future = cluster.submit(_gpu_model_on_worker, X, y)
    with pytest.warns(UserWarning, match="loaded on the CPU"):
        clf = future.result()
    assert clf.device_ == "cpu"
    reference = clone(clf).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), reference.predict_proba(X))
