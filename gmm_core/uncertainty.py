"""How sure a mixture is about each point."""

import numpy as np

__all__ = ["membership_entropy", "uncertainty_sizes"]


def uncertainty_sizes(probabilities: np.ndarray, max_size: float = 50.0) -> np.ndarray:
    """The chapter's marker sizes: ``max_size * (max probability) ** 2``.

    Squaring widens the gap between confident and doubtful points.

    Parameters
    ----------
    probabilities : ndarray of shape (n_samples, n_components)

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    return max_size * np.asarray(probabilities).max(axis=1) ** 2


def membership_entropy(probabilities: np.ndarray) -> np.ndarray:
    """Shannon entropy of each point's membership, in bits.

    0 means certain; log2(k) means evenly split between k components.

    Parameters
    ----------
    probabilities : ndarray of shape (n_samples, n_components)

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    p = np.asarray(probabilities, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log2(p), 0.0)
    return terms.sum(axis=1)
