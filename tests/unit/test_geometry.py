"""Geometry: n-sigma outlines, marginals, projections and the chapter's opacity rule."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA

from gmm_core.errors import GMMInputError
from gmm_core.geometry import (
    SIGMA_LEVELS,
    circle_outline,
    drawing_plane,
    ellipse_opacities,
    ellipse_outline,
    marginal,
    pca_axes,
    project_gaussians,
)
from gmm_core.models import COVARIANCE_TYPES, ModelSpec, expand_covariances, fit_gmm

TYPES = list(COVARIANCE_TYPES)


def mahalanobis(points: np.ndarray, mean: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    diff = points - mean
    return np.sqrt(np.einsum("ni,ij,nj->n", diff, np.linalg.inv(covariance), diff))


@st.composite
def pd_matrices(draw, d: int = 2) -> np.ndarray:
    """Random positive-definite matrices with condition numbers up to 1e4."""
    noise = draw(arrays(float, (d, d), elements=st.floats(-1, 1)))
    rotation, _ = np.linalg.qr(noise + 2 * np.eye(d))
    log_scales = draw(arrays(float, (d,), elements=st.floats(-2, 2)))
    return rotation @ np.diag(10.0**log_scales) @ rotation.T


means_2d = arrays(float, (2,), elements=st.floats(-100, 100))
sigmas = st.sampled_from(SIGMA_LEVELS) | st.floats(0.1, 5)


# ----------------------------------------------------------------- outlines


@settings(max_examples=60, deadline=None)
@given(mean=means_2d, covariance=pd_matrices(), n_sigma=sigmas)
def test_outline_points_are_at_mahalanobis_distance_n(mean, covariance, n_sigma):
    outline = ellipse_outline(mean, covariance, n_sigma)
    np.testing.assert_allclose(mahalanobis(outline, mean, covariance), n_sigma, rtol=1e-6)


@settings(max_examples=30, deadline=None)
@given(mean=means_2d, covariance=pd_matrices(), n_points=st.integers(5, 200))
def test_outline_is_closed_with_the_asked_number_of_points(mean, covariance, n_points):
    outline = ellipse_outline(mean, covariance, 2, n_points)
    assert outline.shape == (n_points, 2)
    np.testing.assert_allclose(outline[0], outline[-1], atol=1e-9 * (1 + np.abs(mean).max()))
    # The outline goes round the mean: its centroid (without the repeat) is the mean.
    np.testing.assert_allclose(outline[:-1].mean(axis=0), mean, atol=1e-6 * (1 + abs(mean).max()))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("covariance_type", TYPES)
def test_fitted_components_outlines_are_at_mahalanobis_distance_n(covariance_type, seed):
    """3-D data, each type, every pair of axes: outline of the marginal is at n sigma."""
    X, _ = make_blobs(n_samples=200, n_features=3, centers=3, random_state=seed)
    X = X @ np.random.RandomState(seed).randn(3, 3)
    result = fit_gmm(X, ModelSpec(3, covariance_type, seed=seed))
    for axes in [(0, 1), (0, 2), (1, 2), (2, 0)]:
        means2, covs2 = marginal(result.means, result.covariances, axes)
        for mean, cov in zip(means2, covs2, strict=True):
            for n_sigma in SIGMA_LEVELS:
                outline = ellipse_outline(mean, cov, n_sigma)
                np.testing.assert_allclose(mahalanobis(outline, mean, cov), n_sigma, rtol=1e-6)


@pytest.mark.parametrize("covariance_type", TYPES)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_expanded_covariance_outlines_are_at_n_sigma(covariance_type, data):
    """Raw per-type storage (as sklearn keeps it), expanded, then outlined."""
    k, d = 2, 3
    raw = {
        "full": lambda: np.stack([data.draw(pd_matrices(d)) for _ in range(k)]),
        "tied": lambda: data.draw(pd_matrices(d)),
        "diag": lambda: 10.0 ** data.draw(arrays(float, (k, d), elements=st.floats(-2, 2))),
        "spherical": lambda: 10.0 ** data.draw(arrays(float, (k,), elements=st.floats(-2, 2))),
    }[covariance_type]()
    means = data.draw(arrays(float, (k, d), elements=st.floats(-10, 10)))
    full = expand_covariances(raw, covariance_type, k, d)
    means2, covs2 = marginal(means, full, (0, 2))
    for mean, cov in zip(means2, covs2, strict=True):
        outline = ellipse_outline(mean, cov, 3)
        np.testing.assert_allclose(mahalanobis(outline, mean, cov), 3, rtol=1e-6)


def test_outline_axes_follow_the_covariance():
    # Variance 9 along x and 1 along y: the 1-sigma outline spans +-3 by +-1.
    outline = ellipse_outline(np.array([1.0, 2.0]), np.diag([9.0, 1.0]), 1.0, n_points=361)
    assert outline[:, 0].max() == pytest.approx(4.0) and outline[:, 0].min() == pytest.approx(-2.0)
    assert outline[:, 1].max() == pytest.approx(3.0) and outline[:, 1].min() == pytest.approx(1.0)


def test_flat_component_outline_is_a_segment_not_nan():
    outline = ellipse_outline(np.zeros(2), np.array([[1.0, 1.0], [1.0, 1.0]]), 2)
    assert np.all(np.isfinite(outline))
    np.testing.assert_allclose(outline[:, 0], outline[:, 1], atol=1e-7)


@settings(max_examples=30, deadline=None)
@given(center=means_2d, radius=st.floats(0.01, 100))
def test_circle_outline_is_at_the_radius(center, radius):
    outline = circle_outline(center, radius)
    np.testing.assert_allclose(np.linalg.norm(outline - center, axis=1), radius, rtol=1e-9)


@pytest.mark.parametrize(
    ("mean", "covariance"),
    [(np.zeros(3), np.eye(3)), (np.zeros(2), np.eye(3)), (np.zeros(1), np.eye(1))],
)
def test_outline_needs_exactly_two_dimensions(mean, covariance):
    with pytest.raises(GMMInputError, match="exactly two dimensions; choose two columns"):
        ellipse_outline(mean, covariance)


# ----------------------------------------------------------------- marginals


def test_marginal_picks_the_right_block():
    means = np.arange(8.0).reshape(2, 4)
    covs = np.stack([np.arange(16.0).reshape(4, 4), 100 + np.arange(16.0).reshape(4, 4)])
    m2, c2 = marginal(means, covs, (3, 1))
    np.testing.assert_array_equal(m2, [[3, 1], [7, 5]])
    # Rows/columns 3 and 1, in that order: [[c33, c31], [c13, c11]].
    np.testing.assert_array_equal(c2[0], [[15, 13], [7, 5]])
    np.testing.assert_array_equal(c2[1], [[115, 113], [107, 105]])


@settings(max_examples=30, deadline=None)
@given(data=st.data(), d=st.integers(2, 6))
def test_marginal_is_the_distribution_of_the_chosen_columns(data, d):
    i, j = data.draw(st.lists(st.integers(0, d - 1), min_size=2, max_size=2, unique=True))
    points = data.draw(arrays(float, (20, d), elements=st.floats(-10, 10)))
    mean, cov = points.mean(axis=0), np.cov(points.T, bias=True)
    m2, c2 = marginal(mean[None], cov[None], (i, j))
    chosen = points[:, [i, j]]
    np.testing.assert_allclose(m2[0], chosen.mean(axis=0), atol=1e-9)
    np.testing.assert_allclose(c2[0], np.cov(chosen.T, bias=True), atol=1e-9)


@pytest.mark.parametrize(
    ("d", "axes"), [(1, (0, 1)), (1, (0, 0)), (3, (1, 1)), (3, (0, 3)), (3, (-1, 0))]
)
def test_marginal_refuses_impossible_column_pairs(d, axes):
    with pytest.raises(GMMInputError, match="Choose two different columns"):
        marginal(np.zeros((2, d)), np.broadcast_to(np.eye(d), (2, d, d)), axes)


# ---------------------------------------------------------------- projections


@settings(max_examples=40, deadline=None)
@given(data=st.data(), d=st.integers(2, 5), m=st.integers(1, 2))
def test_projected_gaussian_is_the_distribution_of_projected_points(data, d, m):
    """(mu - c) W and W^T S W are the mean and covariance of the projected points."""
    points = data.draw(arrays(float, (30, d), elements=st.floats(-10, 10)))
    W = data.draw(arrays(float, (d, m), elements=st.floats(-2, 2)))
    center = data.draw(arrays(float, (d,), elements=st.floats(-5, 5)))
    mean, cov = points.mean(axis=0), np.cov(points.T, bias=True)
    pm, pc = project_gaussians(mean[None], cov[None], center, W)
    projected = (points - center) @ W
    np.testing.assert_allclose(pm[0], projected.mean(axis=0), atol=1e-8)
    np.testing.assert_allclose(pc[0], np.atleast_2d(np.cov(projected.T, bias=True)), atol=1e-7)


def test_projected_fitted_mixture_matches_projected_samples():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)) @ rng.normal(size=(4, 4))
    result = fit_gmm(X, ModelSpec(2, "full"))
    center, W = pca_axes(X)
    pm, pc = project_gaussians(result.means, result.covariances, center, W)
    for j in range(2):
        samples = rng.multivariate_normal(result.means[j], result.covariances[j], 200_000)
        projected = (samples - center) @ W
        scale = np.sqrt(np.diag(pc[j]))
        np.testing.assert_allclose(projected.mean(axis=0), pm[j], atol=0.02 * scale.max())
        np.testing.assert_allclose(np.cov(projected.T), pc[j], rtol=0.03, atol=0.03 * pc[j].max())


def test_pca_axes_are_the_leading_principal_directions():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 5)) * [5, 3, 1, 0.5, 0.1] @ np.linalg.qr(rng.normal(size=(5, 5)))[0]
    center, W = pca_axes(X)
    np.testing.assert_allclose(center, X.mean(axis=0))
    np.testing.assert_allclose(W.T @ W, np.eye(2), atol=1e-12)
    ref = PCA(2).fit(X).components_.T
    np.testing.assert_allclose(np.abs(W.T @ ref), np.eye(2), atol=1e-8)


def test_drawing_plane_for_chosen_columns_and_pca():
    X = np.random.default_rng(2).normal(size=(50, 3))
    names = ("a", "b", "c")
    center, W, axis_names = drawing_plane(X, names, (2, 0))
    np.testing.assert_array_equal(((X - center) @ W), X[:, [2, 0]])
    assert axis_names == ("c", "a")
    center, W, axis_names = drawing_plane(X[:, :2], names[:2], None)
    np.testing.assert_array_equal((X[:, :2] - center) @ W, X[:, :2])
    assert axis_names == ("a", "b")
    _, W, axis_names = drawing_plane(X, names, None)
    assert W.shape == (3, 2) and axis_names[0] == "principal component 1"
    with pytest.raises(GMMInputError, match="Choose two different columns"):
        drawing_plane(X, names, (1, 1))


# -------------------------------------------------------------------- opacity


@settings(max_examples=50, deadline=None)
@given(arrays(float, st.integers(1, 12), elements=st.floats(1e-4, 1)))
def test_opacity_is_0_2_for_the_heaviest_and_proportional_for_others(weights):
    opacity = ellipse_opacities(weights)
    assert opacity[np.argmax(weights)] == pytest.approx(0.2)
    np.testing.assert_allclose(opacity, 0.2 * weights / weights.max(), rtol=1e-12)
    assert np.all(opacity <= 0.2 + 1e-15)


def test_opacity_chapter_example():
    np.testing.assert_allclose(ellipse_opacities(np.array([0.5, 0.25, 0.25])), [0.2, 0.1, 0.1])
    np.testing.assert_allclose(ellipse_opacities(np.array([1.0, 3.0]), 0.6), [0.2, 0.6])
