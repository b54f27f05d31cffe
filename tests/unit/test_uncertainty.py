"""How sure a mixture is about each point: marker sizes and membership entropy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import entropy

from gmm_core.models import COVARIANCE_TYPES, ModelSpec, fit_gmm
from gmm_core.uncertainty import membership_entropy, uncertainty_sizes


@st.composite
def probability_rows(draw) -> np.ndarray:
    n = draw(st.integers(1, 20))
    k = draw(st.integers(1, 8))
    raw = draw(arrays(float, (n, k), elements=st.floats(0, 1)))
    raw[:, 0] += 1e-3  # keep every row summable
    return raw / raw.sum(axis=1, keepdims=True)


@settings(max_examples=60, deadline=None)
@given(probability_rows())
def test_sizes_are_50_times_the_squared_top_probability(p):
    sizes = uncertainty_sizes(p)
    assert sizes.shape == (p.shape[0],)
    for row, size in zip(p, sizes, strict=True):
        assert size == pytest.approx(50 * max(row) ** 2)
    np.testing.assert_allclose(uncertainty_sizes(p, max_size=8.0), sizes * 8 / 50)


def test_sizes_chapter_examples():
    p = np.array([[1.0, 0.0], [0.5, 0.5], [0.2, 0.8]])
    np.testing.assert_allclose(uncertainty_sizes(p), [50.0, 12.5, 32.0])


@settings(max_examples=60, deadline=None)
@given(probability_rows())
def test_entropy_is_shannons_in_bits_and_bounded(p):
    h = membership_entropy(p)
    assert np.all(np.isfinite(h))
    assert np.all(h >= -1e-12) and np.all(h <= np.log2(p.shape[1]) + 1e-9)
    np.testing.assert_allclose(h, [entropy(row, base=2) for row in p], atol=1e-9)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 7, 16])
def test_entropy_is_zero_for_one_hot_and_log2_k_for_uniform(k):
    one_hot = np.eye(k)
    np.testing.assert_array_equal(membership_entropy(one_hot), np.zeros(k))
    uniform = np.full((3, k), 1 / k)
    np.testing.assert_allclose(membership_entropy(uniform), np.log2(k), atol=1e-12)


@pytest.mark.parametrize("covariance_type", list(COVARIANCE_TYPES))
def test_doubtful_points_are_smaller_and_more_uncertain(covariance_type):
    """Between two overlapping blobs, points in the overlap are the doubtful ones."""
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(-1.5, 1, size=(200, 2)), rng.normal(1.5, 1, size=(200, 2))])
    fit = fit_gmm(X, ModelSpec(2, covariance_type))
    sizes = uncertainty_sizes(fit.probabilities)
    h = membership_entropy(fit.probabilities)
    middle = np.abs(X.sum(axis=1)) < 0.5
    outer = np.abs(X.sum(axis=1)) > 4
    assert sizes[middle].mean() < sizes[outer].mean()
    assert h[middle].mean() > h[outer].mean()
    # Sizes and entropy rank points the same way for two components.
    order = np.argsort(sizes)
    assert np.all(np.diff(h[order]) <= 1e-9)
