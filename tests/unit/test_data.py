"""Data sources: the chapter's synthetic sets with its defaults, and the digits."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_moons

from gmm_core.data import (
    SOURCES,
    DataSpec,
    dataset_from_array,
    digits_images,
    make_dataset,
)
from gmm_core.errors import GMMInputError

# ------------------------------------------------------------------ chapter defaults


def test_chapter_defaults_are_the_chapters():
    blobs = DataSpec.chapter("blobs")
    assert (blobs.n_samples, blobs.centers, blobs.std, blobs.seed) == (400, 4, 0.60, 0)
    assert DataSpec() == blobs
    moons = DataSpec.chapter("moons")
    assert (moons.n_samples, moons.noise, moons.seed) == (200, 0.05, 0)


def test_blobs_are_make_blobs_with_axes_flipped():
    data = make_dataset(DataSpec.chapter("blobs"))
    X, y = make_blobs(n_samples=400, centers=4, cluster_std=0.60, random_state=0)
    np.testing.assert_array_equal(data.X, X[:, ::-1])
    np.testing.assert_array_equal(data.y_true, y)
    assert data.X.shape == (400, 2)
    assert data.n_samples == 400 and data.n_features == 2
    assert data.feature_names == ("x", "y")


def test_stretched_blobs_are_blobs_times_the_chapters_matrix():
    blobs = make_dataset(DataSpec.chapter("blobs"))
    stretched = make_dataset(DataSpec.chapter("stretched"))
    expected = blobs.X @ np.random.RandomState(13).randn(2, 2)
    np.testing.assert_allclose(stretched.X, expected, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(stretched.y_true, blobs.y_true)
    assert "stretched" in stretched.name


def test_moons_are_make_moons():
    data = make_dataset(DataSpec.chapter("moons"))
    X, y = make_moons(200, noise=0.05, random_state=0)
    np.testing.assert_array_equal(data.X, X)
    np.testing.assert_array_equal(data.y_true, y)
    assert data.X.shape == (200, 2)


# ------------------------------------------------------------ parameters matter


@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize("n_samples", [2, 57, 1000])
def test_sample_count_is_honoured(source, n_samples):
    data = make_dataset(DataSpec(source=source, n_samples=n_samples, centers=2))
    assert data.X.shape == (n_samples, 2)
    assert data.y_true.shape == (n_samples,)
    assert np.all(np.isfinite(data.X))


@pytest.mark.parametrize("source", ["blobs", "stretched"])
@pytest.mark.parametrize("centers", [1, 2, 3, 7])
def test_centre_count_sets_the_number_of_true_labels(source, centers):
    data = make_dataset(DataSpec(source=source, n_samples=300, centers=centers))
    assert len(np.unique(data.y_true)) == centers


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_seed_changes_points_and_repeats_them(source):
    a = make_dataset(DataSpec(source=source, seed=1))
    b = make_dataset(DataSpec(source=source, seed=1))
    c = make_dataset(DataSpec(source=source, seed=2))
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.allclose(a.X, c.X)


def test_blob_std_sets_the_spread_around_each_centre():
    def within_spread(std):
        data = make_dataset(DataSpec(source="blobs", n_samples=2000, std=std))
        return np.mean(
            [data.X[data.y_true == j].std(axis=0).mean() for j in np.unique(data.y_true)]
        )

    # Same seed, same centres: spread scales with std (sample std within 10%).
    assert within_spread(0.3) == pytest.approx(0.3, rel=0.1)
    assert within_spread(1.5) == pytest.approx(1.5, rel=0.1)


def test_moons_without_noise_lie_on_the_two_half_circles():
    data = make_dataset(DataSpec(source="moons", n_samples=100, noise=0.0))
    upper = data.X[data.y_true == 0]
    lower = data.X[data.y_true == 1]
    np.testing.assert_allclose(np.linalg.norm(upper, axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(lower - [1.0, 0.5], axis=1), 1.0, atol=1e-12)
    noisy = make_dataset(DataSpec(source="moons", n_samples=100, noise=0.2))
    assert not np.allclose(np.linalg.norm(noisy.X[noisy.y_true == 0], axis=1), 1.0, atol=1e-3)


def test_fields_a_source_does_not_use_are_ignored():
    plain = make_dataset(DataSpec(source="moons"))
    np.testing.assert_array_equal(make_dataset(DataSpec(source="moons", centers=0)).X, plain.X)
    np.testing.assert_array_equal(make_dataset(DataSpec(source="moons", std=5.0)).X, plain.X)
    blobs = make_dataset(DataSpec(source="blobs"))
    np.testing.assert_array_equal(make_dataset(DataSpec(source="blobs", noise=0.9)).X, blobs.X)


def test_names_describe_the_data():
    data = make_dataset(DataSpec(source="blobs", n_samples=123, centers=5, std=0.7))
    assert "123" in data.name and "5" in data.name and "0.7" in data.name
    moons = make_dataset(DataSpec(source="moons", n_samples=80, noise=0.1))
    assert "moons" in moons.name and "80" in moons.name


# ------------------------------------------------------------------------ digits


def test_digits_are_the_1797_8x8_images():
    images, target = digits_images()
    assert images.shape == (1797, 64)
    assert target.shape == (1797,)
    assert images.min() == 0 and images.max() == 16
    assert set(np.unique(target)) == set(range(10))


# --------------------------------------------------------------------- bad specs


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (DataSpec(source="spirals"), r"Unknown data source 'spirals'; choose one of blobs"),
        (DataSpec(n_samples=1), r"between 2 and 100,000; got 1"),
        (DataSpec(n_samples=0), r"between 2 and 100,000; got 0"),
        (DataSpec(n_samples=100_001), r"between 2 and 100,000"),
        (DataSpec(centers=0), r"centres must be between 1 and the number of samples; got 0"),
        (DataSpec(n_samples=10, centers=11), r"centres must be between 1 and the number"),
        (DataSpec(source="stretched", centers=-1), r"centres"),
        (DataSpec(std=0.0), r"Spread must be positive.*raise it"),
        (DataSpec(std=-1.0), r"Spread must be positive"),
        (DataSpec(source="moons", noise=-0.1), r"noise not negative"),
    ],
)
def test_bad_specs_raise_a_helpful_error(spec, message):
    with pytest.raises(GMMInputError, match=message):
        make_dataset(spec)


def test_user_arrays_are_wrapped_without_labels():
    data = dataset_from_array([[1, 2, 3], [4, 5, 6]], ("a", "b", "c"), "upload", ("note",))
    assert data.X.dtype == float and data.X.shape == (2, 3)
    assert data.y_true is None
    assert data.feature_names == ("a", "b", "c") and data.notes == ("note",)


@pytest.mark.parametrize(
    ("X", "names"),
    [(np.zeros((3, 2)), ("a",)), (np.zeros(3), ("a",)), (np.zeros((2, 2, 2)), ("a", "b"))],
)
def test_user_arrays_must_match_their_column_names(X, names):
    with pytest.raises(GMMInputError, match="one named column per feature"):
        dataset_from_array(X, names, "upload")
