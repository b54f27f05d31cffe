"""Drawing new points from a fitted mixture."""

import numpy as np

from .errors import GMMInputError

__all__ = ["sample_mixture"]

MAX_SAMPLES = 100_000


def sample_mixture(
    means: np.ndarray, covariances: np.ndarray, weights: np.ndarray, n: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` points, each from a component picked at random by weight.

    scikit-learn's ``sample`` returns points grouped by component; here every point
    picks its component independently, so the output is already in random order.

    Parameters
    ----------
    means : ndarray of shape (k, d)
    covariances : ndarray of shape (k, d, d)
    weights : ndarray of shape (k,)
    n : int
    seed : int
        Same seed, same points.

    Returns
    -------
    X : ndarray of shape (n, d)
    components : ndarray of shape (n,)
        The component each point came from.
    """
    if not isinstance(n, int | np.integer) or not 1 <= n <= MAX_SAMPLES:
        raise GMMInputError(f"Draw between 1 and {MAX_SAMPLES:,} samples; got {n}.")
    rng = np.random.default_rng(seed)
    weights = np.asarray(weights, dtype=float)
    if not np.all(weights >= 0) or not weights.sum() > 0:
        raise GMMInputError("Mixture weights must be non-negative and not all zero.")
    components = rng.choice(len(weights), size=n, p=weights / weights.sum())
    # Cholesky factors turn standard normal draws into draws with each covariance;
    # eigh-based square roots would also do, but Cholesky is what sklearn uses too.
    d = means.shape[1]
    jitter = 1e-12 * np.eye(d)
    chol = np.linalg.cholesky(covariances + jitter)
    z = rng.standard_normal((n, d))
    X = means[components] + np.einsum("nij,nj->ni", chol[components], z)
    return X, components
