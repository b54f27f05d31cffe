"""Fitting: results agree with scikit-learn, criteria are right, bad input is refused."""

import math

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture

from gmm_core import limits
from gmm_core.data import DataSpec, make_dataset
from gmm_core.errors import GMMInputError
from gmm_core.models import (
    COVARIANCE_TYPES,
    ModelSpec,
    check_data,
    expand_covariances,
    fit_bayesian_gmm,
    fit_gmm,
    fit_kmeans,
    log_density,
    n_parameters,
)

TYPES = list(COVARIANCE_TYPES)
SEEDS = [0, 1, 2]


def _data(seed: int, n: int = 150, d: int = 3, centers: int = 3) -> np.ndarray:
    X, _ = make_blobs(n_samples=n, n_features=d, centers=centers, random_state=seed)
    # A linear map so full/tied/diag/spherical genuinely differ.
    return X @ np.random.RandomState(seed).randn(d, d)


def _sklearn(X, spec: ModelSpec) -> GaussianMixture:
    return GaussianMixture(
        n_components=spec.n_components,
        covariance_type=spec.covariance_type,
        random_state=spec.seed,
        n_init=spec.n_init,
        init_params=spec.init_params,
        max_iter=spec.max_iter,
        tol=spec.tol,
        reg_covar=spec.reg_covar,
    ).fit(X)


# ------------------------------------------------------ agreement with sklearn


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("covariance_type", TYPES)
def test_expanded_covariances_reproduce_sklearn_score_samples(covariance_type, seed):
    X = _data(seed)
    model = GaussianMixture(3, covariance_type=covariance_type, random_state=seed).fit(X)
    k, d = model.means_.shape
    full = expand_covariances(model.covariances_, covariance_type, k, d)
    assert full.shape == (k, d, d)
    np.testing.assert_allclose(full, np.transpose(full, (0, 2, 1)))
    # Fresh points too, not just the training data.
    grid = np.random.default_rng(seed).normal(scale=5, size=(200, d))
    for points in (X, grid):
        np.testing.assert_allclose(
            log_density(points, model.means_, full, model.weights_),
            model.score_samples(points),
            rtol=0,
            atol=1e-8,
        )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("covariance_type", TYPES)
def test_fit_gmm_is_sklearns_fit(covariance_type, seed):
    X = _data(seed)
    spec = ModelSpec(3, covariance_type, seed=seed)
    result = fit_gmm(X, spec)
    ref = _sklearn(X, spec)
    np.testing.assert_allclose(result.means, ref.means_, atol=1e-10)
    np.testing.assert_allclose(result.weights, ref.weights_, atol=1e-10)
    np.testing.assert_allclose(
        log_density(X, result.means, result.covariances, result.weights),
        ref.score_samples(X),
        atol=1e-8,
    )
    np.testing.assert_allclose(result.probabilities, ref.predict_proba(X), atol=1e-10)
    np.testing.assert_array_equal(result.labels, ref.predict(X))
    assert result.converged == ref.converged_
    assert result.log_likelihood == pytest.approx(ref.score(X) * len(X), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("covariance_type", TYPES)
def test_aic_bic_are_sklearns(covariance_type, seed):
    X = _data(seed, n=120)
    for k in (1, 2, 5):
        spec = ModelSpec(k, covariance_type, seed=seed)
        result = fit_gmm(X, spec)
        ref = _sklearn(X, spec)
        assert result.aic == pytest.approx(ref.aic(X), rel=1e-10)
        assert result.bic == pytest.approx(ref.bic(X), rel=1e-10)
        assert result.n_parameters == ref._n_parameters()


@pytest.mark.parametrize("covariance_type", TYPES)
@pytest.mark.parametrize("k", [1, 2, 5, 17])
@pytest.mark.parametrize("d", [1, 2, 3, 8])
def test_n_parameters_is_sklearns(covariance_type, k, d):
    ref = GaussianMixture(k, covariance_type=covariance_type)
    ref.means_ = np.zeros((k, d))  # all that _n_parameters reads
    assert n_parameters(k, d, covariance_type) == ref._n_parameters()


def test_n_parameters_by_hand_for_the_chapters_moons():
    # 2-D full covariance: 2 mean + 3 covariance entries per component, k - 1 weights.
    assert n_parameters(7, 2, "full") == 7 * 2 + 7 * 3 + 6


# ------------------------------------------------------------ what users see


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("covariance_type", TYPES)
def test_probabilities_weights_and_labels_are_consistent(covariance_type, seed):
    X = _data(seed)
    result = fit_gmm(X, ModelSpec(4, covariance_type, seed=seed))
    assert result.probabilities.shape == (len(X), 4)
    assert np.all((result.probabilities >= 0) & (result.probabilities <= 1))
    np.testing.assert_allclose(result.probabilities.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(result.labels, result.probabilities.argmax(axis=1))
    assert result.weights.sum() == pytest.approx(1.0)
    assert result.means.shape == (4, 3) and result.covariances.shape == (4, 3, 3)
    assert result.n_components == 4
    assert np.all(np.linalg.eigvalsh(result.covariances) > 0)
    assert result.lower_bounds.ndim == 1 and len(result.lower_bounds) >= 1
    assert result.covariance_type == covariance_type


@pytest.mark.parametrize("covariance_type", TYPES)
def test_covariance_shape_constraints_hold(covariance_type):
    result = fit_gmm(_data(0), ModelSpec(3, covariance_type))
    cov = result.covariances
    off_diagonal = cov * (1 - np.eye(3))
    if covariance_type == "tied":
        np.testing.assert_array_equal(cov, np.broadcast_to(cov[0], cov.shape))
    if covariance_type in ("diag", "spherical"):
        assert np.all(off_diagonal == 0)
    if covariance_type == "spherical":
        diagonals = np.diagonal(cov, axis1=1, axis2=2)
        np.testing.assert_array_equal(diagonals, diagonals[:, :1].repeat(3, axis=1))
    if covariance_type == "full":
        assert np.any(np.abs(off_diagonal) > 1e-3)


@pytest.mark.parametrize("covariance_type", TYPES)
def test_same_seed_same_fit(covariance_type):
    X = _data(1)
    a = fit_gmm(X, ModelSpec(3, covariance_type, seed=5))
    b = fit_gmm(X, ModelSpec(3, covariance_type, seed=5))
    np.testing.assert_array_equal(a.means, b.means)
    np.testing.assert_array_equal(a.labels, b.labels)


def test_bayesian_mixture_has_no_criteria_but_valid_probabilities():
    X = _data(0)
    result = fit_bayesian_gmm(X, ModelSpec(6, "full"))
    assert math.isnan(result.aic) and math.isnan(result.bic)
    np.testing.assert_allclose(result.probabilities.sum(axis=1), 1.0, atol=1e-12)
    assert result.weights.sum() == pytest.approx(1.0)


def test_stretched_blobs_are_scored_better_by_a_full_gmm_than_by_kmeans():
    """The chapter's point: circles cannot follow stretched clusters, ellipses can."""
    data = make_dataset(DataSpec.chapter("stretched"))
    gmm = fit_gmm(data.X, ModelSpec(4, "full"))
    kmeans = fit_kmeans(data.X, 4)
    assert adjusted_rand_score(data.y_true, gmm.labels) > adjusted_rand_score(
        data.y_true, kmeans.labels
    )


# ---------------------------------------------------------------------- k-means


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [1, 3, 5])
def test_kmeans_circles_reach_the_farthest_member(seed, k):
    X = _data(seed, d=2, centers=4)
    result = fit_kmeans(X, k, seed=seed)
    assert result.centers.shape == (k, 2)
    for j in range(k):
        members = [x for x, label in zip(X, result.labels, strict=True) if label == j]
        farthest = max(math.dist(x, result.centers[j]) for x in members)
        assert result.radii[j] == pytest.approx(farthest, rel=1e-12)
    # Every point is labelled with its nearest centre, and the inertia adds up.
    distances = np.linalg.norm(X[:, None] - result.centers[None], axis=2)
    np.testing.assert_array_equal(result.labels, distances.argmin(axis=1))
    assert result.inertia == pytest.approx(np.sum(distances.min(axis=1) ** 2), rel=1e-6)


# -------------------------------------------------------------------- bad input


def test_more_components_than_points_is_refused():
    X = _data(0)[:5]
    with pytest.raises(GMMInputError, match=r"Cannot fit 6 components to 5 points.*at most 5"):
        fit_gmm(X, ModelSpec(6))
    with pytest.raises(GMMInputError, match="at most 5"):
        fit_kmeans(X, 6)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_refused(bad):
    X = _data(0).copy()
    X[3, 1] = bad
    with pytest.raises(GMMInputError, match="missing or infinite values; remove those rows"):
        fit_gmm(X, ModelSpec(2))
    with pytest.raises(GMMInputError, match="missing or infinite"):
        fit_kmeans(X, 2)


@pytest.mark.parametrize("n_components", [0, -1, 2.5, "3"])
def test_component_count_must_be_a_positive_whole_number(n_components):
    with pytest.raises(GMMInputError, match="number of components must be 1 or more"):
        fit_gmm(_data(0), ModelSpec(n_components))


def test_unknown_covariance_type_is_refused_everywhere():
    message = r"Unknown covariance type 'round'; choose one of full, tied, diag, spherical"
    with pytest.raises(GMMInputError, match=message):
        fit_gmm(_data(0), ModelSpec(2, "round"))
    with pytest.raises(GMMInputError, match=message):
        n_parameters(2, 2, "round")
    with pytest.raises(GMMInputError, match=message):
        expand_covariances(np.eye(2), "round", 1, 2)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (ModelSpec(2, init_params="magic"), r"Unknown initialisation 'magic'; choose one of"),
        (ModelSpec(2, n_init=0), r"n_init and max_iter must be at least 1"),
        (ModelSpec(2, max_iter=0), r"n_init and max_iter must be at least 1"),
        (ModelSpec(2, tol=0.0), r"tol positive"),
        (ModelSpec(2, reg_covar=-1e-6), r"reg_covar not negative"),
    ],
)
def test_bad_settings_are_refused(spec, message):
    with pytest.raises(GMMInputError, match=message):
        fit_gmm(_data(0), spec)


@pytest.mark.parametrize("X", [np.arange(10.0), np.zeros((2, 3, 4))])
def test_data_must_be_a_table(X):
    with pytest.raises(GMMInputError, match="Expected a table of points"):
        fit_gmm(X, ModelSpec(1))


def test_too_few_columns_for_the_request_is_refused():
    with pytest.raises(GMMInputError, match="at least 2 numeric columns; the data has 1"):
        check_data(np.zeros((10, 1)), 1, min_features=2)


def test_over_budget_fits_are_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_WORK", 1000)
    with pytest.raises(GMMInputError, match="too heavy for this server; use fewer components"):
        fit_gmm(_data(0), ModelSpec(3))


@pytest.mark.parametrize("covariance_type", TYPES)
@pytest.mark.parametrize("k", [5, 20])
def test_identical_points_never_escape_as_another_error(covariance_type, k):
    """A degenerate fit is either a valid result or a GMMInputError, never a crash."""
    X = np.ones((20, 2))
    try:
        result = fit_gmm(X, ModelSpec(k, covariance_type))
    except GMMInputError as exc:
        assert "reg_covar" in str(exc)
    else:
        np.testing.assert_allclose(result.probabilities.sum(axis=1), 1.0)
        assert np.all(np.isfinite(result.means))


@pytest.mark.parametrize("covariance_type", TYPES)
def test_collapsed_component_without_regularisation_says_what_to_do(covariance_type):
    X = np.vstack([np.ones((20, 2)), [[0.0, 0.0]]])
    with pytest.raises(GMMInputError, match=r"collapsed.*raise reg_covar"):
        fit_gmm(X, ModelSpec(10, covariance_type, reg_covar=0.0))


def test_bayesian_prior_must_be_positive():
    with pytest.raises(GMMInputError, match="concentration prior must be positive"):
        fit_bayesian_gmm(_data(0), ModelSpec(2), weight_concentration_prior=0.0)
