"""Cached recordings of EM and k-means runs for the "EM step by step" page.

A recording keeps every iteration of a run, which is large: (iterations x points x
components) responsibilities. So each cached entry keeps the per-point history of the
points that are drawn only (the animation never shows more), and a restart keeps only
its final state. Runs on data with more rows than a recording may hold use a seeded
random sample of rows, the same on every rerun; the page says so.
"""

from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

from gmm_core import em
from gmm_core.animation import MAX_ANIMATION_POINTS, MAX_RESTART_POINTS
from gmm_core.figures import drawing_subset
from gmm_core.models import quiet_threads

from . import compute

__all__ = [
    "MAX_RECORDED_ROWS",
    "Recording",
    "RunSettings",
    "final_state",
    "recorded_rows",
    "recording",
]

#: Rows one recorded run may use; above this, a seeded random sample.
MAX_RECORDED_ROWS = 20_000
MODELS = ("gmm", "kmeans")


@dataclass(frozen=True)
class RunSettings:
    """One recorded run: the cache key next to the data key.

    ``model`` is ``"gmm"`` (EM of a Gaussian mixture) or ``"kmeans"`` (Lloyd);
    ``covariance_type`` is ignored by k-means.
    """

    model: str = "gmm"
    n_components: int = 4
    covariance_type: str = "full"
    init: str = "random_from_data"
    seed: int = 0
    max_iter: int = 100


@dataclass(frozen=True)
class Recording:
    """A recorded run, cut down to what the page draws.

    Attributes
    ----------
    trace : EMTrace or KMeansTrace
        Per-point arrays (responsibilities or labels) hold the drawn rows only, in the
        order of ``rows``. For a restart (:func:`final_state`) every array except the
        objective curve holds the last iteration only.
    rows : ndarray of int
        Indices into the data of the drawn points.
    n_fitted : int
        Rows the run was fitted on: all of them, or a sample of ``MAX_RECORDED_ROWS``
        or fewer (see :func:`recorded_rows`).
    """

    trace: em.EMTrace | em.KMeansTrace
    rows: np.ndarray
    n_fitted: int


def recorded_rows(n_rows: int, settings: RunSettings) -> np.ndarray | None:
    """The rows a run is fitted on: None for all, else a sorted seeded sample.

    The sample is at most :data:`MAX_RECORDED_ROWS` and small enough for the recording
    budget of :mod:`gmm_core.em` (never fewer rows than components).
    """
    per_row = settings.n_components if settings.model == "gmm" else 1
    budget = em.MAX_TRACE_VALUES // ((settings.max_iter + 1) * max(per_row, 1))
    cap = max(min(MAX_RECORDED_ROWS, budget), settings.n_components, 2)
    if n_rows <= cap:
        return None
    return np.sort(np.random.default_rng(0).choice(n_rows, cap, replace=False))


def _run(X: np.ndarray, settings: RunSettings):
    with quiet_threads():
        if settings.model == "kmeans":
            return em.run_kmeans_steps(
                X,
                settings.n_components,
                init=settings.init,
                seed=settings.seed,
                max_iter=settings.max_iter,
            )
        return em.run_gmm_em(
            X,
            settings.n_components,
            covariance_type=settings.covariance_type,
            init_params=settings.init,
            seed=settings.seed,
            max_iter=settings.max_iter,
        )


def _final_labels(trace) -> np.ndarray:
    if isinstance(trace, em.EMTrace):
        return np.argmax(trace.responsibilities[-1], axis=1)
    return trace.labels[-1]


def _keep(trace, drawn: np.ndarray, *, last_only: bool):
    """The trace with per-point arrays cut to ``drawn`` (and history cut if asked)."""
    last = slice(-1, None) if last_only else slice(None)
    if isinstance(trace, em.EMTrace):
        return replace(
            trace,
            means=trace.means[last],
            covariances=trace.covariances[last],
            weights=trace.weights[last],
            responsibilities=np.ascontiguousarray(trace.responsibilities[last][:, drawn]),
        )
    return replace(
        trace,
        centers=trace.centers[last],
        labels=np.ascontiguousarray(trace.labels[last][:, drawn]),
    )


def _fit_rows(X: np.ndarray, settings: RunSettings) -> tuple[np.ndarray, np.ndarray | None]:
    if settings.model not in MODELS:
        from gmm_core.errors import GMMInputError

        raise GMMInputError(f"Unknown algorithm {settings.model!r}; choose gmm or kmeans.")
    sample = recorded_rows(X.shape[0], settings)
    return (X if sample is None else X[sample]), sample


@st.cache_data(max_entries=16, ttl=compute.TTL, show_spinner="Recording every iteration…")
def recording(data_key: str, _X: np.ndarray, settings: RunSettings) -> Recording:
    """Every iteration of one run, with the drawn points' history only."""
    X, sample = _fit_rows(_X, settings)
    trace = _run(X, settings)
    drawn = drawing_subset(_final_labels(trace), X.shape[0], MAX_ANIMATION_POINTS)
    rows = drawn if sample is None else sample[drawn]
    return Recording(_keep(trace, drawn, last_only=False), rows, X.shape[0])


@st.cache_data(max_entries=16, ttl=compute.TTL, show_spinner=False)
def final_state(data_key: str, _X: np.ndarray, settings: RunSettings) -> Recording:
    """Where one run ends (for the restarts figure).

    The drawn rows do not depend on the seed, so restarts of the same settings can be
    drawn side by side over the same points.
    """
    X, sample = _fit_rows(_X, settings)
    trace = _run(X, settings)
    drawn = drawing_subset(None, X.shape[0], MAX_RESTART_POINTS)
    rows = drawn if sample is None else sample[drawn]
    return Recording(_keep(trace, drawn, last_only=True), rows, X.shape[0])
