"""Data sources: the chapter's synthetic sets, with their parameters, and the digits.

Every source is described by a small frozen :class:`DataSpec`, which is at once the
cache key, the URL state and the thing a page shows. :func:`make_dataset` turns a spec
into a :class:`Dataset`.
"""

from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.datasets import load_digits, make_blobs, make_moons

from .errors import GMMInputError

__all__ = [
    "SOURCES",
    "DataSpec",
    "Dataset",
    "dataset_from_array",
    "digits_images",
    "make_dataset",
]

#: Synthetic sources and what each teaches.
SOURCES = {
    "blobs": "Round blobs: k-means does fine here",
    "stretched": "Stretched blobs: the same blobs under a linear map; circles no longer fit",
    "moons": "Two moons: not Gaussian at all; a mixture can still model the density",
}

#: The chapter's stretching matrix comes from this seed.
STRETCH_SEED = 13

MAX_SYNTHETIC_SAMPLES = 100_000


@dataclass(frozen=True)
class DataSpec:
    """What to generate. Defaults reproduce the chapter.

    ``std`` is the blob standard deviation; ``noise`` the moons' noise. Fields that a
    source does not use are ignored by it.
    """

    source: str = "blobs"
    n_samples: int = 400
    centers: int = 4
    std: float = 0.60
    noise: float = 0.05
    seed: int = 0

    def normalised(self) -> "DataSpec":
        """The same data with the fields this source ignores reset: a stable cache key."""
        base = DataSpec()
        if self.source == "moons":
            return replace(self, centers=base.centers, std=base.std)
        return replace(self, noise=base.noise)

    @classmethod
    def chapter(cls, source: str) -> "DataSpec":
        """The chapter's own parameters for ``source``."""
        if source == "moons":
            return cls(source="moons", n_samples=200, centers=2, noise=0.05, seed=0)
        return cls(source=source)


@dataclass(frozen=True)
class Dataset:
    """Points to model.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
    y_true : ndarray of shape (n_samples,) or None
        Generating labels when the source has them (synthetic data), else None.
    feature_names : tuple of str, length n_features
    name : str
        Human description, e.g. "blobs (400 points, 4 centres)".
    notes : tuple of str
        Things the user should know about how the data was made or cleaned.
    """

    X: np.ndarray
    y_true: np.ndarray | None
    feature_names: tuple[str, ...]
    name: str
    notes: tuple[str, ...] = field(default=())

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        return self.X.shape[1]


def _check_spec(spec: DataSpec) -> None:
    if spec.source not in SOURCES:
        raise GMMInputError(
            f"Unknown data source {spec.source!r}; choose one of {', '.join(SOURCES)}."
        )
    if not 2 <= spec.n_samples <= MAX_SYNTHETIC_SAMPLES:
        raise GMMInputError(
            f"Number of samples must be between 2 and {MAX_SYNTHETIC_SAMPLES:,}; "
            f"got {spec.n_samples}."
        )
    if spec.source != "moons" and not 1 <= spec.centers <= spec.n_samples:
        raise GMMInputError(
            f"Number of centres must be between 1 and the number of samples; got {spec.centers}."
        )
    if spec.std <= 0 or spec.noise < 0:
        raise GMMInputError("Spread must be positive (and noise not negative); raise it.")


def make_dataset(spec: DataSpec) -> Dataset:
    """Generate the points ``spec`` describes.

    Blobs are ``make_blobs`` with the axes flipped (as the chapter plots them); stretched
    blobs are those same blobs times ``RandomState(13).randn(2, 2)``; moons are
    ``make_moons``. The true labels are kept for scoring.
    """
    _check_spec(spec)
    if spec.source == "moons":
        X, y = make_moons(spec.n_samples, noise=spec.noise, random_state=spec.seed)
        name = f"moons ({spec.n_samples} points, noise {spec.noise:g})"
        return Dataset(X, y, ("x", "y"), name)
    X, y = make_blobs(
        n_samples=spec.n_samples,
        centers=spec.centers,
        cluster_std=spec.std,
        random_state=spec.seed,
    )
    X = X[:, ::-1]  # the chapter flips the axes so the picture matches its figures
    name = f"blobs ({spec.n_samples} points, {spec.centers} centres, std {spec.std:g})"
    if spec.source == "stretched":
        X = X @ np.random.RandomState(STRETCH_SEED).randn(2, 2)
        name = "stretched " + name
    return Dataset(np.ascontiguousarray(X), y, ("x", "y"), name)


def dataset_from_array(
    X: np.ndarray,
    feature_names: tuple[str, ...],
    name: str,
    notes: tuple[str, ...] = (),
) -> Dataset:
    """Wrap user data (already cleaned by :mod:`gmm_core.io`) as a :class:`Dataset`."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != len(feature_names):
        raise GMMInputError("The data must be a table with one named column per feature.")
    return Dataset(np.ascontiguousarray(X), None, tuple(feature_names), name, tuple(notes))


def digits_images() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 handwritten digits that ship with scikit-learn.

    Returns
    -------
    data : ndarray of shape (1797, 64), grey levels 0..16
    target : ndarray of shape (1797,), the digit each image shows
    """
    digits = load_digits()
    return digits.data, digits.target
