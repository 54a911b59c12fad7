"""RNNClassifier's defaults on the longer UCR series that aeon ships.

The study behind ``RNNClassifier``'s defaults for long sequences: for each
data set, the published train / test split as the ``aeon`` package ships it
(nothing is downloaded), the test accuracy and fit seconds of a few
configurations of ``RNNClassifier`` for seeds 0 and 1, beside
``CNNClassifier()`` with its defaults. Every configuration starts from the
defaults (with ``data_format="channels_first"``, aeon's layout) and changes
what its name says:

- ``defaults``: ``RNNClassifier()`` as it is now (``downsample="auto"``:
  the recurrent layers read at most 50 steps);
- ``downsample=1``: every step read, as before 2026-12-05 (slow: one to
  six minutes a fit on the long sets, on a busy 2-core machine);
- ``at most 100 steps``: ``downsample`` set to bring the training
  sequences to at most 100 steps instead of 50;
- the other rows: one more change each (mean pooling, a GRU, a smaller
  network, a larger learning rate).

GunPoint (150 steps), ArrowHead (251), OSULeaf (427), ACSF1 (1,460) and
PickupGestureWiimoteZ (29 to 361 steps, as a list) are the long sets;
ItalyPowerDemand (24), BasicMotions (100 × 6) and JapaneseVowels (7 to 29
× 12) the short ones of ``bench_sequences.py``, where the defaults must not
get worse.

    pip install "sknn-torch[bench]"                   # aeon
    python benchmarks/bench_rnn_defaults.py           # the table (over an hour)
    python benchmarks/bench_rnn_defaults.py --sets GunPoint --seeds 0 \
        --configs defaults "CNNClassifier()"
    python benchmarks/bench_rnn_defaults.py --small

``--small`` is a smoke run of a few epochs on generated sequences of
unequal lengths (no aeon needed).
"""

from __future__ import annotations

import argparse

import numpy as np
from bench_sequences import describe, load, run

LONG = ["GunPoint", "ArrowHead", "OSULeaf", "ACSF1", "PickupGestureWiimoteZ"]
SHORT = ["ItalyPowerDemand", "BasicMotions", "JapaneseVowels"]

#: name: the parameters it changes from the defaults (``None``: the CNN)
CONFIGS = {
    "defaults": {},
    "downsample=1": {"downsample": 1},
    "at most 100 steps": {"downsample": ("steps", 100)},
    "pooling=mean": {"pooling": "mean"},
    "cell=gru": {"cell": "gru"},
    "hidden_size=64": {"hidden_size": 64},
    "learning_rate_init=3e-3": {"learning_rate_init": 3e-3},
    "CNNClassifier()": None,
}

#: what the full run measures: the defaults and the CNN on every set, the
#: alternatives on the long sets
FULL = {
    "defaults": LONG + SHORT,
    "CNNClassifier()": LONG + SHORT,
    "downsample=1": LONG,
    "at most 100 steps": LONG,
    "pooling=mean": LONG,
    "cell=gru": LONG,
    "hidden_size=64": LONG,
    "learning_rate_init=3e-3": LONG,
}


def generated(rng):
    """Two classes of noisy sine waves of 60 to 200 steps that differ in
    frequency, a list of ``(channels, length)`` arrays as aeon gives them."""
    y = np.arange(40) % 2
    X = []
    for label in y:
        t = np.linspace(0, 1, rng.randint(60, 200))
        wave = np.sin(2 * np.pi * (2 + label) * t)
        X.append((wave + rng.normal(scale=0.3, size=t.shape))[None, :])
    return X[:30], y[:30], X[30:], y[30:]


def make(params, seed, small, X_train):
    from sknn import CNNClassifier, RNNClassifier

    options = {"data_format": "channels_first", "random_state": seed}
    if small:
        options["max_iter"] = 2
    if params is None:
        return CNNClassifier(**options)
    if isinstance(params.get("downsample"), tuple):
        steps = max(x.shape[-1] for x in X_train)
        params = {**params, "downsample": -(-steps // params["downsample"][1])}
    return RNNClassifier(**{**options, **params})


def run_config(model, X_train, y_train, X_test, y_test):
    """bench_sequences' run of one fitted model, and the downsampling factor
    that the fit chose."""
    score, seconds, epochs = run(lambda: model, X_train, y_train, X_test, y_test)
    factor = getattr(model, "module_kwargs_", {}).get("downsample", "")
    return score, seconds, epochs, factor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a quick smoke run")
    parser.add_argument("--sets", nargs="+", help="data sets (default: all)")
    parser.add_argument("--configs", nargs="+", choices=list(CONFIGS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    args = parser.parse_args()

    import torch

    torch.set_num_threads(2)
    if args.small:
        seeds = [0]
        sets = {"generated": generated(np.random.RandomState(0))}
        plan = {
            name: ["generated"]
            for name in ("defaults", "downsample=1", "CNNClassifier()")
        }
    else:
        seeds = args.seeds
        names = args.sets or LONG + SHORT
        configs = args.configs or list(FULL)
        plan = {
            config: [n for n in names if args.configs or n in FULL[config]]
            for config in configs
        }
        sets = {name: load(name) for name in names}

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads\n")
    print(
        "| data set | train | config | downsample | accuracy (seeds) | mean "
        "| fit s (mean) | epochs |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, (X_train, y_train, X_test, y_test) in sets.items():
        for config, params in CONFIGS.items():
            if name not in plan.get(config, ()):
                continue
            results = [
                run_config(
                    make(params, seed, args.small, X_train),
                    X_train,
                    y_train,
                    X_test,
                    y_test,
                )
                for seed in seeds
            ]
            scores = [r[0] for r in results]
            print(
                f"| {name} | {describe(X_train)} | {config} | {results[0][3]} "
                f"| {' '.join(f'{s:.3f}' for s in scores)} "
                f"| {np.mean(scores):.3f} "
                f"| {np.mean([r[1] for r in results]):.1f} "
                f"| {results[0][2]} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
