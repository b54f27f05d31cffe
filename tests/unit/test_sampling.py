"""New points from a mixture: shuffled, reproducible, with the right statistics."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from gmm_core.errors import GMMInputError
from gmm_core.models import COVARIANCE_TYPES, ModelSpec, fit_gmm
from gmm_core.sampling import MAX_SAMPLES, sample_mixture

TYPES = list(COVARIANCE_TYPES)

MEANS = np.array([[0.0, 0.0], [10.0, -5.0], [-6.0, 8.0]])
COVS = np.array(
    [
        [[1.0, 0.0], [0.0, 1.0]],
        [[4.0, 1.9], [1.9, 1.0]],
        [[0.5, -0.3], [-0.3, 2.0]],
    ]
)
WEIGHTS = np.array([0.5, 0.3, 0.2])


def _runs(sequence: np.ndarray) -> int:
    """Number of maximal blocks of equal consecutive values."""
    return 1 + int(np.count_nonzero(np.diff(sequence)))


def test_shapes_and_component_range():
    X, components = sample_mixture(MEANS, COVS, WEIGHTS, 500)
    assert X.shape == (500, 2) and components.shape == (500,)
    assert set(np.unique(components)) <= {0, 1, 2}
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_samples_come_shuffled_not_grouped_by_component(seed):
    _, components = sample_mixture(MEANS, COVS, WEIGHTS, 1000, seed=seed)
    # Grouped output (as sklearn's sample gives) would have exactly 3 runs and be sorted.
    assert np.any(np.diff(components) < 0)
    # Independent picks with these weights switch component on ~62% of steps.
    assert _runs(components) > 400


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_same_seed_same_points_other_seed_other_points(seed):
    X1, c1 = sample_mixture(MEANS, COVS, WEIGHTS, 200, seed=seed)
    X2, c2 = sample_mixture(MEANS, COVS, WEIGHTS, 200, seed=seed)
    X3, c3 = sample_mixture(MEANS, COVS, WEIGHTS, 200, seed=seed + 1)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(c1, c2)
    assert not np.allclose(X1, X3)
    assert not np.array_equal(c1, c3)


def test_points_match_their_component_and_weights_statistically():
    n = 60_000
    X, components = sample_mixture(MEANS, COVS, WEIGHTS, n, seed=3)
    freq = np.bincount(components, minlength=3) / n
    # 5 binomial standard errors.
    np.testing.assert_allclose(freq, WEIGHTS, atol=5 * np.sqrt(0.25 / n))
    for j in range(3):
        points = X[components == j]
        m = len(points)
        se_mean = np.sqrt(np.diag(COVS[j]) / m)
        np.testing.assert_allclose(points.mean(axis=0), MEANS[j], atol=5 * se_mean.max())
        # Var of a sample covariance entry ~ (s_ii s_jj + s_ij^2) / m.
        s = COVS[j]
        se_cov = np.sqrt((np.outer(np.diag(s), np.diag(s)) + s**2) / m)
        np.testing.assert_array_less(np.abs(np.cov(points.T) - s), 5 * se_cov)


def test_overall_mean_and_covariance_are_the_mixtures():
    n = 60_000
    X, _ = sample_mixture(MEANS, COVS, WEIGHTS, n, seed=4)
    mean = WEIGHTS @ MEANS
    second = np.einsum("k,kij->ij", WEIGHTS, COVS + MEANS[:, :, None] * MEANS[:, None, :])
    cov = second - np.outer(mean, mean)
    np.testing.assert_allclose(X.mean(axis=0), mean, atol=0.1)
    np.testing.assert_allclose(np.cov(X.T), cov, rtol=0.03)


@pytest.mark.parametrize("covariance_type", TYPES)
def test_samples_from_fitted_mixtures_look_like_the_fit(covariance_type):
    X, _ = make_blobs(n_samples=300, n_features=3, centers=3, random_state=0)
    fit = fit_gmm(X, ModelSpec(3, covariance_type))
    samples, components = sample_mixture(fit.means, fit.covariances, fit.weights, 30_000)
    for j in range(3):
        points = samples[components == j]
        scale = np.sqrt(np.diag(fit.covariances[j]))
        np.testing.assert_allclose(points.mean(axis=0), fit.means[j], atol=0.1 * scale.max())
        np.testing.assert_allclose(
            np.cov(points.T), fit.covariances[j], atol=0.1 * fit.covariances[j].max()
        )


def test_unnormalised_weights_are_used_as_proportions():
    _, components = sample_mixture(MEANS[:2], COVS[:2], np.array([2.0, 6.0]), 20_000, seed=1)
    assert np.mean(components == 1) == pytest.approx(0.75, abs=0.02)


def test_zero_weight_component_is_never_drawn():
    _, components = sample_mixture(MEANS, COVS, np.array([0.5, 0.0, 0.5]), 5000)
    assert not np.any(components == 1)


def test_flat_component_samples_lie_on_its_line():
    flat = np.array([[[1.0, 2.0], [2.0, 4.0]]])  # rank one: along (1, 2)
    X, _ = sample_mixture(np.array([[1.0, 1.0]]), flat, np.array([1.0]), 1000)
    np.testing.assert_allclose(2 * (X[:, 0] - 1), X[:, 1] - 1, atol=1e-4)


@pytest.mark.parametrize("n", [0, -3, MAX_SAMPLES + 1])
def test_impossible_sample_counts_are_refused(n):
    with pytest.raises(GMMInputError, match=r"Draw between 1 and 100,000 samples"):
        sample_mixture(MEANS, COVS, WEIGHTS, n)
