"""Cached computations. Every cache is bounded (max_entries and ttl).

Keys: synthetic data is keyed by its frozen ``DataSpec``; uploaded data by a key built
from the file's content hash (``data_key``), with the array itself passed unhashed
(leading underscore). So a cached result can only reach a visitor who sent the same
bytes, and no large array is ever hashed on a rerun.
"""

import streamlit as st

from gmm_core import data, digits, models, selection

TTL = 3600  # seconds; a class session, then the memory goes back


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False)
def synthetic(spec: data.DataSpec) -> data.Dataset:
    return data.make_dataset(spec)


@st.cache_data(max_entries=64, ttl=TTL, show_spinner="Fitting the Gaussian mixture…")
def gmm(data_key: str, _X, spec: models.ModelSpec) -> models.GMMResult:
    return models.fit_gmm(_X, spec)


@st.cache_data(max_entries=32, ttl=TTL, show_spinner="Fitting the variational mixture…")
def bayesian_gmm(data_key: str, _X, spec: models.ModelSpec, prior: float) -> models.GMMResult:
    return models.fit_bayesian_gmm(_X, spec, prior)


@st.cache_data(max_entries=64, ttl=TTL, show_spinner="Running k-means…")
def kmeans(data_key: str, _X, n_clusters: int, seed: int) -> models.KMeansResult:
    return models.fit_kmeans(_X, n_clusters, seed)


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False)
def sweep(
    data_key: str, _X, counts: tuple[int, ...], cov_types: tuple[str, ...], cv_folds: int, _progress
) -> selection.SweepResult:
    """A whole sweep; ``_progress`` reports each finished fit while it runs (first time only)."""
    return selection.sweep(_X, counts, cov_types, cv_folds=cv_folds, progress=_progress)


@st.cache_resource(max_entries=1, show_spinner="Loading the digits…")
def digit_images():
    """The digits never change: one shared, read-only copy for every session."""
    images, target = data.digits_images()
    images.flags.writeable = False
    target.flags.writeable = False
    return images, target


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
