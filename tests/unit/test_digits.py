"""The chapter's generative example: PCA, a 110-component mixture, new digits."""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from gmm_core.data import digits_images
from gmm_core.digits import PAPER_COMPONENTS, generate_digits, nearest_real, reduce_digits
from gmm_core.errors import GMMInputError
from gmm_core.models import ModelSpec, fit_gmm


@pytest.fixture(scope="module")
def images() -> np.ndarray:
    return digits_images()[0]


@pytest.fixture(scope="module")
def pca(images):
    return reduce_digits(images)


@pytest.fixture(scope="module")
def paper_mixture(pca):
    return fit_gmm(pca.reduced, ModelSpec(PAPER_COMPONENTS))


@pytest.fixture(scope="module")
def small_pca(images):
    return reduce_digits(images, 0.6)


@pytest.fixture(scope="module")
def small_mixture(small_pca):
    return fit_gmm(small_pca.reduced, ModelSpec(8, "full"))


# ---------------------------------------------------------------- chapter facts


def test_pca_keeping_99_percent_has_41_dimensions(pca, images):
    assert pca.n_dims == 41
    assert pca.reduced.shape == (1797, 41)
    assert pca.explained_fraction >= 0.99


def test_the_chapters_110_component_mixture_converges(paper_mixture):
    assert PAPER_COMPONENTS == 110
    assert paper_mixture.converged
    assert paper_mixture.means.shape == (110, 41)


# ------------------------------------------------------------------------ PCA


def test_pca_is_whitened_and_invertible_like_sklearns(pca, images):
    np.testing.assert_allclose(pca.reduced.std(axis=0, ddof=1), 1.0, rtol=1e-6)
    ref = PCA(0.99, whiten=True, svd_solver="full").fit(images)
    np.testing.assert_allclose(pca.inverse(pca.reduced), ref.inverse_transform(pca.reduced))
    # Keeping 99% of the variance, images come back close to the originals.
    residual = np.sum((pca.inverse(pca.reduced) - images) ** 2)
    total = np.sum((images - images.mean(axis=0)) ** 2)
    assert residual / total == pytest.approx(1 - pca.explained_fraction, abs=1e-9)


@pytest.mark.parametrize("variance", [0.5, 0.9])
def test_less_variance_means_fewer_dimensions(images, variance, pca):
    smaller = reduce_digits(images, variance)
    assert smaller.n_dims < pca.n_dims
    assert smaller.explained_fraction >= variance


@pytest.mark.parametrize("variance", [0, 1, 1.5, -0.2])
def test_variance_fraction_must_be_between_0_and_1(images, variance):
    with pytest.raises(GMMInputError, match=r"between 0 and 1 \(e\.g\. 0\.99\)"):
        reduce_digits(images, variance)


# ---------------------------------------------------------------- generation


@pytest.mark.parametrize("n", [1, 16, 100])
def test_generated_digits_are_8x8_grey_levels(small_pca, small_mixture, n):
    generated = generate_digits(small_pca, small_mixture, n)
    assert generated.shape == (n, 64)
    assert generated.min() >= 0 and generated.max() <= 16


@pytest.mark.parametrize("seed", [0, 3])
def test_generation_is_reproducible_by_seed(small_pca, small_mixture, seed):
    a = generate_digits(small_pca, small_mixture, 20, seed=seed)
    b = generate_digits(small_pca, small_mixture, 20, seed=seed)
    c = generate_digits(small_pca, small_mixture, 20, seed=seed + 1)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_generated_digits_are_not_copies_of_real_ones(pca, paper_mixture, images):
    generated = generate_digits(pca, paper_mixture, 50)
    _, distance = nearest_real(generated, images)
    assert np.all(distance > 0)
    brute = np.sqrt(((generated[:, None, :] - images[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
    np.testing.assert_allclose(distance, brute, rtol=1e-9)


def test_mixture_from_another_pca_space_is_refused(pca, small_mixture):
    with pytest.raises(GMMInputError, match="different PCA space; refit"):
        generate_digits(pca, small_mixture, 5)


def test_impossible_sample_count_is_refused(small_pca, small_mixture):
    with pytest.raises(GMMInputError, match="Draw between 1 and"):
        generate_digits(small_pca, small_mixture, 0)


# ----------------------------------------------------------------- nearest real


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_nearest_real_is_the_brute_force_nearest(images, seed):
    rng = np.random.default_rng(seed)
    queries = rng.uniform(0, 16, size=(5, 64))
    index, distance = nearest_real(queries, images)
    for q, i, dist in zip(queries, index, distance, strict=True):
        distances = [np.sqrt(np.sum((q - image) ** 2)) for image in images]
        assert distances[i] == pytest.approx(min(distances), rel=1e-9)
        assert dist == pytest.approx(min(distances), rel=1e-9)


def test_a_real_digit_is_its_own_nearest(images):
    picks = np.array([0, 17, 1796])
    index, distance = nearest_real(images[picks], images)
    np.testing.assert_array_equal(images[index], images[picks])
    np.testing.assert_array_equal(distance, 0.0)


def test_nearest_real_of_a_slightly_changed_digit(images):
    query = images[[42]].copy()
    query[0, 10] += 0.5
    index, distance = nearest_real(query, images)
    assert np.array_equal(images[index[0]], images[42])
    assert distance[0] == pytest.approx(0.5)
