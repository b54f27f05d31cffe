"""Geometry of Gaussian components: n-sigma outlines, projections, opacity.

An n-sigma outline of a 2-D Gaussian is the set of points at Mahalanobis distance n
from its mean. Writing the covariance as ``V diag(s) V^T`` (``eigh``), those points are
``mean + n * V diag(sqrt(s)) [cos t, sin t]``.
"""

import numpy as np

from .errors import GMMInputError

__all__ = [
    "SIGMA_LEVELS",
    "circle_outline",
    "drawing_plane",
    "ellipse_opacities",
    "ellipse_outline",
    "marginal",
    "pca_axes",
    "project_gaussians",
]

#: The chapter draws each component at 1, 2 and 3 standard deviations.
SIGMA_LEVELS = (1, 2, 3)


def ellipse_outline(
    mean: np.ndarray, covariance: np.ndarray, n_sigma: float = 1.0, n_points: int = 73
) -> np.ndarray:
    """Closed outline of the ``n_sigma`` ellipse of a 2-D Gaussian.

    Parameters
    ----------
    mean : ndarray of shape (2,)
    covariance : ndarray of shape (2, 2), symmetric positive semi-definite
    n_sigma : float
        Mahalanobis radius of the outline.
    n_points : int
        Points on the outline; the last repeats the first so the polygon closes.

    Returns
    -------
    ndarray of shape (n_points, 2)
    """
    mean = np.asarray(mean, dtype=float)
    covariance = np.asarray(covariance, dtype=float)
    if mean.shape != (2,) or covariance.shape != (2, 2):
        raise GMMInputError(
            "An ellipse needs exactly two dimensions; choose two columns (or the first two "
            "principal components) to draw on."
        )
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    # Tiny negative eigenvalues are rounding noise of a flat component.
    axes = eigenvectors * np.sqrt(np.clip(eigenvalues, 0, None))  # (2, 2), columns scaled
    t = np.linspace(0, 2 * np.pi, n_points)
    unit_circle = np.stack([np.cos(t), np.sin(t)])  # (2, n_points)
    return mean + n_sigma * (axes @ unit_circle).T


def circle_outline(center: np.ndarray, radius: float, n_points: int = 73) -> np.ndarray:
    """Closed circle of ``radius`` around ``center`` (shape (2,)); returns (n_points, 2)."""
    return ellipse_outline(center, np.eye(2) * radius**2, 1.0, n_points)


def marginal(
    means: np.ndarray, covariances: np.ndarray, axes: tuple[int, int] = (0, 1)
) -> tuple[np.ndarray, np.ndarray]:
    """Marginal of each component on two chosen columns.

    The marginal of a Gaussian on a subset of coordinates keeps those entries of the
    mean and the matching block of the covariance.

    Parameters
    ----------
    means : ndarray of shape (k, d)
    covariances : ndarray of shape (k, d, d)
    axes : pair of column indices

    Returns
    -------
    means_2d : ndarray of shape (k, 2)
    covariances_2d : ndarray of shape (k, 2, 2)
    """
    d = means.shape[1]
    i, j = axes
    if d < 2 or i == j or not (0 <= i < d and 0 <= j < d):
        raise GMMInputError(
            f"Choose two different columns to draw on (the data has {d} column(s))."
        )
    index = np.array([i, j])
    return means[:, index], covariances[:, index[:, None], index[None, :]]


def pca_axes(X: np.ndarray, n_axes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Centre and leading principal directions of ``X`` (shape (n, d)).

    Returns
    -------
    center : ndarray of shape (d,)
    directions : ndarray of shape (d, n_axes), orthonormal columns
    """
    X = np.asarray(X, dtype=float)
    if X.shape[1] < n_axes:
        raise GMMInputError(
            f"Principal components need at least {n_axes} columns; the data has {X.shape[1]}."
        )
    center = X.mean(axis=0)
    _, _, vt = np.linalg.svd(X - center, full_matrices=False)
    directions = vt[:n_axes].T
    # Fix each direction's sign so the picture does not flip between reruns.
    signs = np.sign(directions[np.argmax(np.abs(directions), axis=0), np.arange(n_axes)])
    return center, directions * signs


def project_gaussians(
    means: np.ndarray, covariances: np.ndarray, center: np.ndarray, directions: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussians seen through the linear map ``x -> (x - center) @ directions``.

    A Gaussian N(mu, S) maps to N((mu - c) W, W^T S W), so projected points and
    projected ellipses agree.

    Parameters
    ----------
    means : ndarray of shape (k, d)
    covariances : ndarray of shape (k, d, d)
    center : ndarray of shape (d,)
    directions : ndarray of shape (d, m)

    Returns
    -------
    means_m : ndarray of shape (k, m)
    covariances_m : ndarray of shape (k, m, m)
    """
    W = directions
    return (means - center) @ W, np.einsum("da,kde,eb->kab", W, covariances, W)


def ellipse_opacities(weights: np.ndarray, max_opacity: float = 0.2) -> np.ndarray:
    """The chapter's rule: opacity proportional to weight, ``max_opacity`` for the heaviest.

    Parameters
    ----------
    weights : ndarray of shape (k,)

    Returns
    -------
    ndarray of shape (k,)
    """
    weights = np.asarray(weights, dtype=float)
    return weights * (max_opacity / weights.max())


def drawing_plane(
    X: np.ndarray, feature_names: tuple[str, ...], axes: tuple[int, int] | None
) -> tuple[np.ndarray, np.ndarray, tuple[str, str]]:
    """The linear map that puts d-dimensional data on a 2-D chart.

    Two chosen columns and the first two principal components are both linear maps
    ``x -> (x - center) @ directions``; one code path then projects points and
    components alike (see :func:`project_gaussians`).

    Parameters
    ----------
    X : ndarray of shape (n, d), d >= 2
    feature_names : names of the d columns
    axes : pair of column indices, or None for the first two principal components

    Returns
    -------
    center : ndarray of shape (d,)
    directions : ndarray of shape (d, 2)
    axis_names : pair of str
    """
    d = X.shape[1]
    if axes is None:
        if d == 2:
            return np.zeros(2), np.eye(2), (feature_names[0], feature_names[1])
        center, directions = pca_axes(X, 2)
        return center, directions, ("principal component 1", "principal component 2")
    i, j = axes
    if d < 2 or i == j or not (0 <= i < d and 0 <= j < d):
        raise GMMInputError(f"Choose two different columns to draw on (the data has {d}).")
    return np.zeros(d), np.eye(d)[:, [i, j]], (feature_names[i], feature_names[j])
