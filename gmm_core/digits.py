"""The chapter's generative example: new handwritten digits from a mixture.

Pipeline: 8x8 images (64 grey levels 0..16) -> whitened PCA keeping a variance
fraction -> Gaussian mixture in that space -> samples -> back to 8x8 images.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA

from .errors import GMMInputError
from .models import GMMResult
from .sampling import sample_mixture

__all__ = [
    "DIGIT_SIDE",
    "PAPER_COMPONENTS",
    "SWEEP_COUNTS",
    "DigitsPCA",
    "generate_digits",
    "nearest_real",
    "reduce_digits",
]

DIGIT_SIDE = 8
#: The component count the chapter settled on (its AIC minimum at the time).
PAPER_COMPONENTS = 110
#: The chapter's AIC sweep: 50 to 200 components in steps of 10.
SWEEP_COUNTS = tuple(range(50, 201, 10))


@dataclass(frozen=True)
class DigitsPCA:
    """A fitted whitened PCA, as plain arrays.

    Attributes
    ----------
    mean : ndarray of shape (64,)
    components : ndarray of shape (m, 64)
        Orthonormal principal directions.
    scale : ndarray of shape (m,)
        Standard deviation along each direction (whitening divides by it).
    explained_fraction : float
        Share of the pixel variance the m directions keep.
    reduced : ndarray of shape (n_images, m)
        The whitened coordinates of every image.
    """

    mean: np.ndarray
    components: np.ndarray
    scale: np.ndarray
    explained_fraction: float
    reduced: np.ndarray

    @property
    def n_dims(self) -> int:
        return self.components.shape[0]

    def inverse(self, Z: np.ndarray) -> np.ndarray:
        """Whitened coordinates (n, m) back to pixel space (n, 64)."""
        return (Z * self.scale) @ self.components + self.mean


def reduce_digits(images: np.ndarray, variance: float = 0.99) -> DigitsPCA:
    """Whitened PCA of ``images`` (shape (n, 64)) keeping ``variance`` of the variance."""
    if not 0 < variance < 1:
        raise GMMInputError(
            f"The variance fraction to keep must be between 0 and 1 (e.g. 0.99); got {variance}."
        )
    pca = PCA(variance, whiten=True, svd_solver="full").fit(images)
    return DigitsPCA(
        mean=pca.mean_.copy(),
        components=pca.components_.copy(),
        scale=np.sqrt(pca.explained_variance_),
        explained_fraction=float(pca.explained_variance_ratio_.sum()),
        reduced=pca.transform(images),
    )


def generate_digits(pca: DigitsPCA, mixture: GMMResult, n: int = 100, seed: int = 0) -> np.ndarray:
    """Draw ``n`` new digits from ``mixture`` (fitted on ``pca.reduced``).

    Returns
    -------
    ndarray of shape (n, 64), grey levels clipped to the data's 0..16 range
    """
    if mixture.means.shape[1] != pca.n_dims:
        raise GMMInputError(
            "The mixture was fitted in a different PCA space; refit it after changing the "
            "variance fraction."
        )
    Z, _ = sample_mixture(mixture.means, mixture.covariances, mixture.weights, n, seed)
    return np.clip(pca.inverse(Z), 0, 16)


def nearest_real(generated: np.ndarray, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each generated image, the closest real one (Euclidean in pixel space).

    Parameters
    ----------
    generated : ndarray of shape (m, 64)
    images : ndarray of shape (n, 64)

    Returns
    -------
    index : ndarray of shape (m,)
    distance : ndarray of shape (m,)
    """
    # |a - b|^2 = |a|^2 - 2 a.b + |b|^2, without an (m, n, 64) intermediate.
    sq = (
        np.sum(generated**2, axis=1)[:, None]
        - 2 * generated @ images.T
        + np.sum(images**2, axis=1)[None, :]
    )
    index = sq.argmin(axis=1)
    return index, np.sqrt(np.maximum(sq[np.arange(len(index)), index], 0))
