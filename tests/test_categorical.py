"""Categorical columns of a table, learned as embeddings by MLPClassifier and
MLPRegressor."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier, MLPRegressor
from sknn._categorical import embedding_dim
from sknn._training.optim import penalized_parameters

ISLANDS = ["Biscoe", "Dream", "Torgersen"]


def penguins(n=600, seed=0):
    """A numeric column and a categorical one; the label needs both (the
    island flips what the size means)."""
    rng = np.random.RandomState(seed)
    table = pd.DataFrame(
        {
            "size": rng.randn(n),
            "island": pd.Categorical(rng.choice(ISLANDS, n), categories=ISLANDS),
        }
    )
    y = np.where((table["island"] == "Dream") ^ (table["size"] > 0), "yes", "no")
    return table, y


def test_category_columns_are_learned_as_embeddings():
    table, y = penguins()
    clf = MLPClassifier(random_state=0).fit(table, y)
    assert clf.is_categorical_.tolist() == [False, True]
    assert clf.categories_[0].tolist() == ISLANDS
    assert clf.embedding_dims_ == [embedding_dim(5)] == [4]
    assert clf.module_kwargs_["categorical"] == ((1, 5, 4),)
    assert clf.module_.hidden[0].in_features == 1 + 4  # size + the vector
    assert clf.score(table, y) > 0.95
    # one-hot can learn it too, but a network without the column cannot
    blind = MLPClassifier(random_state=0).fit(table[["size"]], y)
    assert blind.score(table[["size"]], y) < 0.75


def test_new_levels_and_missing_values_have_rows_of_their_own():
    table, y = penguins()
    clf = MLPClassifier(random_state=0).fit(table, y)
    new = pd.DataFrame({"size": [0.5, 0.5, 0.5], "island": ["Dream", "Atlantis", None]})
    assert clf.predict(new).shape == (3,)
    assert clf.predict(new)[0] == "no"  # Dream flips a positive size
    proba = clf.predict_proba(new)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    # missing values in training: a row of their own, learned
    with_missing = table.copy()
    with_missing.loc[:50, "island"] = np.nan
    clf = MLPClassifier(random_state=0).fit(with_missing, y)
    assert clf.score(with_missing, y) > 0.9


def test_strings_must_be_declared():
    table, y = penguins()
    strings = table.assign(island=table["island"].astype(str))
    with pytest.raises(ValueError, match=r"categorical_features=\['island'\]"):
        MLPClassifier(max_iter=1).fit(strings, y)
    for declared in (["island"], [1], [False, True]):
        clf = MLPClassifier(categorical_features=declared, random_state=0)
        assert clf.fit(strings, y).score(strings, y) > 0.95, declared
    with pytest.raises(ValueError, match="could not convert|not numbers"):
        MLPClassifier(categorical_features=None, max_iter=1).fit(strings, y)


def test_arrays_declare_columns_by_index():
    table, y = penguins()
    codes = np.column_stack([table["size"], table["island"].cat.codes * 10])
    clf = MLPClassifier(categorical_features=[1], random_state=0).fit(codes, y)
    assert clf.categories_[0].tolist() == [0.0, 10.0, 20.0]
    assert clf.score(codes, y) > 0.95
    # an unseen code predicts; the fast prediction path does not skip coding
    assert clf.predict(np.array([[0.5, 30.0]])).shape == (1,)
    np.testing.assert_array_equal(clf.predict(codes[:5]), clf.predict(codes[:5].copy()))


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        (["nope"], r"columns \['nope'\] that X does not have"),
        ([5], r"indices \[5\] outside"),
        ([True], "boolean mask of 1 entries"),
        ([[0]], "1-D array-like"),
    ],
)
def test_bad_declarations(spec, match):
    table, y = penguins(60)
    with pytest.raises(ValueError, match=match):
        MLPClassifier(categorical_features=spec, max_iter=1).fit(table, y)


@pytest.mark.filterwarnings("ignore:The fitted MLPClassifier predicts one class")
def test_categorical_needs_a_table():
    table, y = penguins(60)
    images = np.zeros((60, 2, 2, 1))
    with pytest.raises(ValueError, match="need a DataFrame or a 2-D array"):
        MLPClassifier(categorical_features=[0], max_iter=1).fit(images, y)
    MLPClassifier(max_iter=1).fit(images, y)  # "from_dtype": nothing to do


@pytest.mark.filterwarnings("ignore:The fitted MLPClassifier predicts one class")
def test_embedding_dims():
    table, y = penguins(60)
    clf = MLPClassifier(embedding_dims=7, max_iter=1).fit(table, y)
    assert clf.embedding_dims_ == [7]
    clf = MLPClassifier(embedding_dims={"island": 2}, max_iter=1).fit(table, y)
    assert clf.embedding_dims_ == [2]
    with pytest.raises(ValueError, match="not categorical columns"):
        MLPClassifier(embedding_dims={"size": 2}, max_iter=1).fit(table, y)
    assert [embedding_dim(r) for r in (3, 5, 2002, 10**6)] == [3, 4, 113, 600]


def test_predict_checks_the_columns():
    table, y = penguins(60)
    clf = MLPClassifier(max_iter=2).fit(table, y)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(table[["island", "size"]])
    with pytest.raises(ValueError, match="numeric in fit"):
        clf.predict(table.assign(size="big"))


def test_pipeline_column_transformer_cv_and_search():
    table, y = penguins()
    scale = ColumnTransformer(
        [("numbers", StandardScaler(), ["size"])],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    model = make_pipeline(scale, MLPClassifier(random_state=0))
    scores = cross_val_score(model, table, y, cv=StratifiedKFold(3))
    assert scores.min() > 0.9, scores
    search = GridSearchCV(
        model, {"mlpclassifier__embedding_dims": [2, "auto"]}, cv=2
    ).fit(table, y)
    assert search.best_estimator_[-1].is_categorical_.tolist() == [False, True]


def test_polars_categorical_and_enum():
    pl = pytest.importorskip("polars")
    table, y = penguins()
    for dtype in (pl.Categorical, pl.Enum(ISLANDS)):
        frame = pl.DataFrame(
            {
                "size": table["size"].to_numpy(),
                "island": pl.Series(table["island"].astype(str).to_list(), dtype=dtype),
            }
        )
        clf = MLPClassifier(random_state=0).fit(frame, y)
        assert clf.categories_[0].tolist() == ISLANDS
        assert clf.score(frame, y) > 0.95


def test_regression_and_high_cardinality():
    rng = np.random.RandomState(0)
    n, levels = 3000, 300
    effect = rng.randn(levels)
    level = rng.randint(levels, size=n)
    table = pd.DataFrame(
        {"x": rng.randn(n), "shop": pd.Categorical(level, categories=range(levels))}
    )
    y = effect[level] + 0.5 * table["x"] + 0.1 * rng.randn(n)
    reg = MLPRegressor(random_state=0).fit(table, y)
    assert reg.embedding_dims_ == [embedding_dim(levels + 2)]
    assert reg.score(table, y) > 0.9


def test_saving_round_trips():
    table, y = penguins(200)
    clf = MLPClassifier(max_iter=3, random_state=0).fit(table, y)
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(table), clf.predict_proba(table))
    sio = pytest.importorskip("skops.io")
    from sknn import skops_trusted_types

    saved = sio.dumps(clf)
    untrusted = sio.get_untrusted_types(data=saved)
    assert set(untrusted) <= set(skops_trusted_types()), untrusted
    restored = sio.loads(saved, trusted=untrusted)
    np.testing.assert_array_equal(restored.predict(table), clf.predict(table))


def test_onnx_codes_categories_in_the_graph():
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("skl2onnx")
    from sknn import to_onnx

    table, y = penguins(300)
    clf = MLPClassifier(max_iter=20, random_state=0).fit(table, y)
    session = ort.InferenceSession(to_onnx(clf, table[:2]).SerializeToString())
    assert [i.type for i in session.get_inputs()] == ["tensor(float)", "tensor(string)"]
    test = pd.DataFrame(
        {"size": [0.5, 0.5, -1.0, 2.0], "island": ["Dream", "Atlantis", "Biscoe", ""]}
    )
    feeds = {
        "size": test[["size"]].to_numpy(np.float32),
        "island": test[["island"]].to_numpy(object),
    }
    label, proba = session.run(None, feeds)
    np.testing.assert_array_equal(label, clf.predict(test))
    np.testing.assert_allclose(proba, clf.predict_proba(test), atol=1e-5)
    # numbers declared categorical in an array, a missing one included
    codes = np.column_stack([table["size"], table["island"].cat.codes])
    clf = MLPClassifier(categorical_features=[1], max_iter=20, random_state=0)
    clf.fit(codes, y)
    session = ort.InferenceSession(to_onnx(clf, codes[:2]).SerializeToString())
    rows = np.array([[0.5, 1], [0.5, 7], [0.1, np.nan]])
    label, proba = session.run(None, {"X": rows.astype(np.float32)})
    np.testing.assert_array_equal(label, clf.predict(rows))
    np.testing.assert_allclose(proba, clf.predict_proba(rows), atol=1e-5)


def test_alpha_penalizes_the_embeddings_as_one_hot_weights():
    # An embedding is a one-hot encoding's first-layer weights, which
    # scikit-learn's L2 penalty would shrink; so does sknn's.
    table, y = penguins(300)
    norms = []
    for alpha in (0.0, 10.0):
        clf = MLPClassifier(alpha=alpha, max_iter=30, random_state=0).fit(table, y)
        norms.append(float(clf.module_.embeddings[0].weight.detach().norm()))
    assert norms[1] < 0.8 * norms[0], norms  # measured 2.9 against 5.2
    weight = clf.module_.embeddings[0].weight
    assert any(p is weight for p in penalized_parameters(clf.module_))


def test_pyarrow_dictionary_columns_are_categorical():
    pa = pytest.importorskip("pyarrow")
    table, y = penguins()
    arrow = pa.table(
        {
            "size": table["size"].to_numpy(),
            "island": pa.array(table["island"].astype(str)).dictionary_encode(),
        }
    )
    clf = MLPClassifier(random_state=0).fit(arrow, y)
    assert clf.is_categorical_.tolist() == [False, True]
    assert clf.categories_[0].tolist() == ISLANDS
    assert clf.score(arrow, y) > 0.95
