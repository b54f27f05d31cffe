"""The recorded EM and k-means runs must be scikit-learn's runs, step for step."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from gmm_core.em import (
    COVARIANCE_TYPES,
    GMM_INIT_METHODS,
    MAX_TRACE_VALUES,
    EMTrace,
    KMeansTrace,
    e_step,
    m_step,
    restarts,
    run_gmm_em,
    run_kmeans_steps,
)
from gmm_core.errors import GMMInputError

ATOL = 1e-6
X_BLOBS, _ = make_blobs(n_samples=150, centers=3, cluster_std=1.5, random_state=7)


def _sklearn_gmm(X, k, **kw) -> GaussianMixture:
    return GaussianMixture(k, n_init=1, **kw).fit(X)


def _full_covariances(model: GaussianMixture) -> np.ndarray:
    """scikit-learn's covariances_, expanded to (k, d, d) whatever the type."""
    cov = model.covariances_
    k, d = model.means_.shape
    return {
        "full": lambda: cov,
        "tied": lambda: np.broadcast_to(cov, (k, d, d)),
        "diag": lambda: np.stack([np.diag(c) for c in cov]),
        "spherical": lambda: cov[:, None, None] * np.eye(d),
    }[model.covariance_type]()


# ----------------------------------------------------------------------------- EM


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("init_params", GMM_INIT_METHODS)
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_em_matches_sklearn(covariance_type, init_params, seed):
    settings_ = dict(
        covariance_type=covariance_type, init_params=init_params, max_iter=200, tol=1e-3
    )
    trace = run_gmm_em(X_BLOBS, 3, seed=seed, reg_covar=1e-6, **settings_)
    ref = _sklearn_gmm(X_BLOBS, 3, random_state=seed, reg_covar=1e-6, **settings_)

    assert trace.n_iter == ref.n_iter_
    assert trace.converged == ref.converged_ is True
    np.testing.assert_allclose(trace.means[-1], ref.means_, rtol=0, atol=ATOL)
    np.testing.assert_allclose(trace.weights[-1], ref.weights_, rtol=0, atol=ATOL)
    np.testing.assert_allclose(trace.covariances[-1], _full_covariances(ref), rtol=0, atol=ATOL)
    # sklearn records the bound of each E-step, i.e. under the parameters *before* the
    # M-step of the same iteration; our extra last entry is the final E-step.
    assert len(ref.lower_bounds_) == trace.n_iter
    np.testing.assert_allclose(trace.lower_bounds[:-1], ref.lower_bounds_, rtol=0, atol=ATOL)
    assert trace.lower_bound == pytest.approx(ref.lower_bound_, abs=ATOL)
    assert trace.lower_bounds[-1] == pytest.approx(ref.score(X_BLOBS), abs=ATOL)
    np.testing.assert_array_equal(trace.labels, ref.predict(X_BLOBS))
    np.testing.assert_allclose(
        trace.responsibilities[-1], ref.predict_proba(X_BLOBS), rtol=0, atol=1e-6
    )
    assert np.all(np.diff(trace.lower_bounds) >= -1e-9)


@pytest.mark.parametrize("init_params", GMM_INIT_METHODS)
def test_initial_parameters_are_sklearns(init_params):
    # max_iter=0 makes sklearn stop right after its initialisation M-step.
    trace = run_gmm_em(X_BLOBS, 3, init_params=init_params, seed=3, max_iter=1)
    ref = _sklearn_gmm(X_BLOBS, 3, init_params=init_params, random_state=3, max_iter=0)
    np.testing.assert_allclose(trace.means[0], ref.means_, rtol=0, atol=ATOL)
    np.testing.assert_allclose(trace.weights[0], ref.weights_, rtol=0, atol=ATOL)
    np.testing.assert_allclose(trace.covariances[0], ref.covariances_, rtol=0, atol=ATOL)


def test_every_iteration_is_sklearns_after_that_many_iterations():
    # Small tol: with "random" init this data set needs ~60 iterations to get there.
    kw = dict(covariance_type="full", init_params="random", tol=1e-4)
    trace = run_gmm_em(X_BLOBS, 3, seed=0, max_iter=200, **kw)
    assert trace.n_iter > 10  # enough steps for this to be a real check
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # stopping early on purpose
        for t in range(1, trace.n_iter + 1):
            ref = _sklearn_gmm(X_BLOBS, 3, random_state=0, max_iter=t, **kw)
            np.testing.assert_allclose(trace.means[t], ref.means_, rtol=0, atol=ATOL)
            np.testing.assert_allclose(trace.weights[t], ref.weights_, rtol=0, atol=ATOL)
            np.testing.assert_allclose(trace.covariances[t], ref.covariances_, rtol=0, atol=ATOL)
            assert trace.lower_bounds[t - 1] == pytest.approx(ref.lower_bound_, abs=ATOL)
            assert ref.converged_ == (t == trace.n_iter)


def test_stopping_at_max_iter_is_not_converged():
    trace = run_gmm_em(X_BLOBS, 3, init_params="random", seed=0, max_iter=3, tol=0.0)
    with pytest.warns(ConvergenceWarning):
        ref = _sklearn_gmm(X_BLOBS, 3, init_params="random", random_state=0, max_iter=3, tol=0)
    assert (trace.n_iter, trace.converged) == (3, False) == (ref.n_iter_, ref.converged_)
    np.testing.assert_allclose(trace.means[-1], ref.means_, rtol=0, atol=ATOL)


def test_trace_shapes_dtypes_and_immutability():
    trace = run_gmm_em(X_BLOBS, 4, covariance_type="diag", init_params="random", seed=5)
    T, n, k, d = trace.n_iter, 150, 4, 2
    assert trace.means.shape == (T + 1, k, d)
    assert trace.covariances.shape == (T + 1, k, d, d)
    assert trace.weights.shape == (T + 1, k)
    assert trace.responsibilities.shape == (T + 1, n, k)
    assert trace.responsibilities.dtype == np.float32
    assert trace.lower_bounds.shape == (T + 1,)
    np.testing.assert_allclose(trace.responsibilities.sum(axis=2), 1.0, atol=1e-5)
    np.testing.assert_allclose(trace.weights.sum(axis=1), 1.0, atol=1e-12)
    # diag covariances are expanded with zero off-diagonals
    assert np.all(trace.covariances[:, :, 0, 1] == 0)
    assert (trace.covariance_type, trace.init_params, trace.seed) == ("diag", "random", 5)
    with pytest.raises(ValueError, match="read-only"):
        trace.means[0, 0, 0] = 1.0
    with pytest.raises(AttributeError):
        trace.n_iter = 0  # type: ignore[misc]


def test_e_and_m_step_on_a_hand_checkable_case():
    # Two points, one unit Gaussian each, far apart: each point belongs to its own.
    X = np.array([[0.0], [10.0]])
    resp, bound = e_step(X, np.array([0.5, 0.5]), np.array([[0.0], [10.0]]), np.ones((2, 1, 1)))
    np.testing.assert_allclose(resp, np.eye(2), atol=1e-20)
    # log(0.5 * N(0 | 0, 1)) = log 0.5 - 0.5 log(2 pi)
    assert bound == pytest.approx(np.log(0.5) - 0.5 * np.log(2 * np.pi), abs=1e-12)
    weights, means, cov = m_step(X, np.array([[0.75, 0.25], [0.25, 0.75]]), "spherical", 0.0)
    np.testing.assert_allclose(weights, [0.5, 0.5])
    np.testing.assert_allclose(means, [[2.5], [7.5]])
    # 0.75 * 2.5^2 + 0.25 * 7.5^2 = 18.75, over n_k = 1
    np.testing.assert_allclose(cov, [[[18.75]], [[18.75]]])


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    k=st.integers(1, 4),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
    init_params=st.sampled_from(GMM_INIT_METHODS),
)
def test_em_never_lowers_the_likelihood(seed, k, covariance_type, init_params):
    X = np.random.default_rng(seed).normal(size=(40, 2)) * [1.0, 3.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        trace = run_gmm_em(
            X,
            k,
            covariance_type=covariance_type,
            init_params=init_params,
            seed=seed,
            max_iter=30,
        )
    assert np.all(np.diff(trace.lower_bounds) >= -1e-9)
    np.testing.assert_allclose(trace.responsibilities.sum(axis=2), 1.0, atol=1e-5)


def test_restarts_runs_each_seed():
    traces = restarts(X_BLOBS, 3, [0, 1, 2], init_params="random", covariance_type="tied")
    assert [t.seed for t in traces] == [0, 1, 2]
    assert all(isinstance(t, EMTrace) and t.covariance_type == "tied" for t in traces)
    single = run_gmm_em(X_BLOBS, 3, seed=1, init_params="random", covariance_type="tied")
    np.testing.assert_array_equal(traces[1].means, single.means)


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("X", "kw", "match"),
    [
        (X_BLOBS[:2], {"n_components": 3}, "more than the 2 data points"),
        (np.array([[0.0, np.nan], [1.0, 2.0], [3.0, 4.0]]), {}, "missing or infinite"),
        (np.array([[0.0, np.inf], [1.0, 2.0], [3.0, 4.0]]), {}, "Drop or fill"),
        (np.arange(10.0), {}, "2-D table"),
        (np.zeros((2, 3, 2)), {}, "2-D table"),
        ([["a", "b"], ["c", "d"]], {}, "numeric columns"),
        (X_BLOBS, {"covariance_type": "banana"}, "Choose one of: full, tied"),
        (X_BLOBS, {"init_params": "kmeans+++"}, "Choose one of: kmeans"),
        (X_BLOBS, {"max_iter": 0}, "max_iter must be a whole number of at least 1"),
        (X_BLOBS, {"n_components": 0}, "at least 1"),
        (X_BLOBS, {"seed": -1}, "seed must be a whole number"),
        (X_BLOBS, {"tol": -1.0}, "tol must be a number >= 0"),
        (X_BLOBS, {"reg_covar": float("nan")}, "reg_covar"),
    ],
)
def test_bad_input_says_what_to_do(X, kw, match):
    kw = {"n_components": 2, **kw}
    with pytest.raises(GMMInputError, match=match):
        run_gmm_em(X, kw.pop("n_components"), **kw)


def test_trace_memory_is_bounded():
    X = np.random.default_rng(0).normal(size=(20_000, 2))
    # (max_iter + 1) * n * k = 101 * 20_000 * 10 > 20 million
    assert MAX_TRACE_VALUES < 101 * 20_000 * 10
    with pytest.raises(GMMInputError, match=r"Lower max_iter to at most 99\b.*smaller sample"):
        run_gmm_em(X, 10)
    with pytest.raises(GMMInputError, match="3 runs of"):
        restarts(X, 4, [0, 1, 2], max_iter=100)
    with pytest.raises(GMMInputError, match="max_iter"):
        run_kmeans_steps(X, 2, max_iter=1_000)


def test_collapsed_component_is_reported_not_crashed():
    X = np.repeat([[0.0, 0.0], [1.0, 1.0]], 3, axis=0)  # two distinct points only
    with pytest.raises(GMMInputError, match="Increase reg_covar"):
        run_gmm_em(X, 2, reg_covar=0.0)
    trace = run_gmm_em(X, 2, reg_covar=1e-6)  # the default regularisation copes
    assert np.isfinite(trace.lower_bounds).all()


# ----------------------------------------------------------------------------- k-means

X_KM, _ = make_blobs(n_samples=150, centers=4, cluster_std=2.0, random_state=3)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_kmeans_matches_sklearn(init, seed):
    trace = run_kmeans_steps(X_KM, 4, init=init, seed=seed, tol=1e-4, max_iter=100)
    ref = KMeans(4, init=trace.centers[0], n_init=1, algorithm="lloyd", tol=1e-4, max_iter=100).fit(
        X_KM
    )
    assert trace.n_iter == ref.n_iter_ > 2
    assert trace.converged
    np.testing.assert_array_equal(trace.labels[-1], ref.labels_)
    np.testing.assert_allclose(trace.centers[-1], ref.cluster_centers_, rtol=0, atol=ATOL)
    assert trace.inertia[-1] == pytest.approx(ref.inertia_, rel=1e-9)
    assert np.all(np.diff(trace.inertia) <= 1e-9 * trace.inertia[0])
    # The initial centres are the ones KMeans itself would draw from the same seed.
    own = KMeans(4, init=init, n_init=1, algorithm="lloyd", random_state=seed).fit(X_KM)
    np.testing.assert_allclose(trace.centers[-1], own.cluster_centers_, rtol=0, atol=ATOL)


def test_kmeans_trace_is_consistent():
    trace = run_kmeans_steps(X_KM, 4, init="random", seed=0)
    assert isinstance(trace, KMeansTrace)
    T = trace.n_iter
    assert trace.centers.shape == (T + 1, 4, 2)
    assert trace.labels.shape == (T + 1, 150)
    assert trace.inertia.shape == (T + 1,)
    for t in range(T + 1):
        # labels[t] is the nearest-centre assignment for centers[t]
        d2 = ((X_KM[:, None, :] - trace.centers[t][None]) ** 2).sum(axis=2)
        np.testing.assert_array_equal(trace.labels[t], d2.argmin(axis=1))
        assert trace.inertia[t] == pytest.approx(d2.min(axis=1).sum(), rel=1e-12)
    for t in range(1, T + 1):
        # centers[t] are the means of the clusters given by labels[t - 1]
        for j in range(4):
            members = X_KM[trace.labels[t - 1] == j]
            np.testing.assert_allclose(trace.centers[t, j], members.mean(axis=0), atol=1e-12)


def test_kmeans_empty_cluster_is_relocated_like_sklearn():
    # Repeated rows let "random" pick the same point twice: one centre then gets no
    # points at the first assignment and must be moved like sklearn moves it.
    X = np.repeat(np.random.default_rng(0).normal(size=(6, 2)), 5, axis=0)
    for seed in range(50):
        trace = run_kmeans_steps(X, 4, init="random", seed=seed)
        if np.bincount(trace.labels[0], minlength=4).min() == 0:
            break
    else:
        pytest.fail("no seed produced an empty cluster")
    ref = KMeans(4, init=trace.centers[0], n_init=1, algorithm="lloyd").fit(X)
    assert trace.n_iter == ref.n_iter_
    np.testing.assert_array_equal(trace.labels[-1], ref.labels_)
    np.testing.assert_allclose(trace.centers[-1], ref.cluster_centers_, rtol=0, atol=ATOL)
    assert np.bincount(trace.labels[-1], minlength=4).min() > 0


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"n_clusters": 200}, "more than the 150 data points"),
        ({"init": "kmeans"}, "Choose one of: k-means\\+\\+, random"),
        ({"max_iter": 0}, "at least 1"),
        ({"tol": -1}, "tol must be"),
    ],
)
def test_kmeans_bad_input(kw, match):
    kw = {"n_clusters": 3, **kw}
    with pytest.raises(GMMInputError, match=match):
        run_kmeans_steps(X_KM, kw.pop("n_clusters"), **kw)
