"""Cached computations. Every cache is bounded (max_entries and ttl).

Keys: synthetic data is keyed by its frozen ``DataSpec``; uploaded data by a key built
from the file's content hash (``data_key``), with the array itself passed unhashed
(leading underscore). So a cached result can only reach a visitor who sent the same
bytes, and no large array is ever hashed on a rerun.
"""

import copy
import dataclasses
import hashlib
import json
import threading
import time
from collections import OrderedDict

import streamlit as st

from gmm_core import data, digits, models, selection, workers

TTL = 3600  # seconds; a class session, then the memory goes back


def content_key(*parts) -> str:
    """An unambiguous cache key for everything a result depends on."""
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False)
def synthetic(spec: data.DataSpec) -> data.Dataset:
    return data.make_dataset(spec)


@st.cache_data(max_entries=24, ttl=TTL, show_spinner="Fitting the Gaussian mixture…")
def gmm(data_key: str, _X, spec: models.ModelSpec) -> models.GMMResult:
    # A long fit runs in a worker process: in this thread it would hold the interpreter
    # lock every other visitor's rerun needs.
    return workers.call(models.fit_seconds(_X, spec), models.fit_gmm, _X, spec)


@st.cache_data(max_entries=32, ttl=TTL, show_spinner="Fitting the variational mixture…")
def bayesian_gmm(data_key: str, _X, spec: models.ModelSpec, prior: float) -> models.GMMResult:
    seconds = models.fit_seconds(_X, spec, min_iter=models.BAYESIAN_MIN_ITER)
    return workers.call(seconds, models.fit_bayesian_gmm, _X, spec, prior)


@st.cache_data(max_entries=64, ttl=TTL, show_spinner="Running k-means…")
def kmeans(data_key: str, _X, n_clusters: int, seed: int) -> models.KMeansResult:
    return models.fit_kmeans(_X, n_clusters, seed)


class _SweepStore:
    """Finished sweeps shared by all sessions: bounded, expiring, thread-safe.

    Not ``st.cache_data``: that records the ``st`` calls a cached function makes (here
    the progress bar's updates) and replays them on a hit, which fails for a bar made
    outside the function. And a class opening the digits page at once must not start
    twenty identical sweeps: the first visitor computes, the others wait for its result.
    """

    def __init__(self, max_entries: int, ttl: float) -> None:
        self._items: OrderedDict = OrderedDict()
        self._running: dict = {}
        self._lock = threading.Lock()
        self._max, self._ttl = max_entries, ttl

    def _get(self, key):
        item = self._items.get(key)
        if item is None or time.monotonic() - item[0] > self._ttl:
            self._items.pop(key, None)
            return None
        self._items.move_to_end(key)
        return item[1]

    def get_or_compute(self, key, compute):
        with self._lock:
            result = self._get(key)
            if result is not None:
                return result
            running = self._running.get(key)
            owner = running is None
            if owner:
                running = self._running[key] = threading.Event()
        if not owner:
            running.wait(timeout=TTL)
            with self._lock:
                result = self._get(key)
            # The computing visitor left before the end: compute it here instead.
            return result if result is not None else self.get_or_compute(key, compute)
        try:
            result = compute()
            with self._lock:
                self._items[key] = (time.monotonic(), result)
                while len(self._items) > self._max:
                    self._items.popitem(last=False)
            return result
        finally:
            with self._lock:
                self._running.pop(key, None)
            running.set()


@st.cache_resource(max_entries=1, show_spinner=False)
def _sweeps() -> _SweepStore:
    return _SweepStore(max_entries=16, ttl=TTL)


def sweep(
    data_key: str,
    _X,
    counts: tuple[int, ...],
    cov_types: tuple[str, ...],
    cv_folds: int,
    _progress,
    seed: int = 0,
) -> selection.SweepResult:
    """A whole sweep, shared across sessions by its arguments.

    ``_progress`` reports each finished fit while it runs; a stored sweep returns at once.
    The result is a copy, so a page cannot change what other sessions see.
    """
    key = (data_key, tuple(counts), tuple(cov_types), int(cv_folds), int(seed))
    result = _sweeps().get_or_compute(
        key,
        lambda: selection.sweep(
            _X, counts, cov_types, seed=seed, cv_folds=cv_folds, progress=_progress
        ),
    )
    return dataclasses.replace(
        result, table=result.table.copy(), minima=copy.deepcopy(result.minima)
    )


@st.cache_resource(max_entries=64, ttl=TTL, show_spinner=False)
def figure(key: tuple, _build):
    """A built figure, shared by every session whose view has the same ``key``.

    Building plotly figures (validation of every trace) is most of a rerun once the
    fit is cached. ``key`` must name everything the figure depends on (data key, model
    spec, view options); ``_build`` makes it on a miss. Shared, so never mutated:
    ``st.plotly_chart`` copies the figure before sending it.
    """
    return _build()


@st.cache_resource(max_entries=1, show_spinner="Loading the digits…")
def digit_images():
    """The digits never change: one shared, read-only copy for every session."""
    images, target = data.digits_images()
    images.flags.writeable = False
    target.flags.writeable = False
    return images, target


@st.cache_resource(max_entries=1, show_spinner=False)
def typical_digit_distance() -> float:
    """Mean distance from each real digit to its nearest other (a 1,797² comparison)."""
    from gmm_core.lessons import nearest_other_distance

    return float(nearest_other_distance(digit_images()[0]).mean())


@st.cache_data(max_entries=8, ttl=TTL, show_spinner="Reducing the digits with PCA…")
def digits_pca(variance: float) -> digits.DigitsPCA:
    return digits.reduce_digits(digit_images()[0], variance)


def progress_reporter(label: str):
    """A progress bar plus a callback for :func:`gmm_core.selection.sweep`.

    Returns the callback and a function that clears the bar when done.
    """
    bar = st.progress(0.0, text=label)

    def report(done: int, total: int, row: dict) -> None:
        bar.progress(
            done / total,
            text=f"{label}: {done}/{total} fits done "
            f"(last: {row['covariance_type']}, {row['n_components']} components)",
        )

    return report, bar.empty
