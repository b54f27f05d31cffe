"""Comparing a clustering with the truth, and the pictures that show where it fails.

Pure functions: arrays in, arrays (or plotly figures) out. Used by the k-means, covariance
and density pages.
"""

import numpy as np
import plotly.graph_objects as go
from scipy.optimize import linear_sum_assignment

from .figures import GL_THRESHOLD, _layout_dict, _padded_extent, _samples_trace, clusters_figure

__all__ = [
    "best_matching",
    "kmeans_limits_figure",
    "mismatched",
    "points_in_several_circles",
    "samples_figure",
    "to_plane",
]


def points_in_several_circles(X: np.ndarray, centers: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Which points lie inside (or on) more than one circle.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    centers : ndarray of shape (k, d)
    radii : ndarray of shape (k,)
        In d dimensions the "circles" are balls; the test is the same.

    Returns
    -------
    ndarray of bool, shape (n,)
    """
    X = np.asarray(X, dtype=float)
    centers = np.asarray(centers, dtype=float)
    radii = np.asarray(radii, dtype=float)
    distances = np.linalg.norm(X[:, None, :] - centers[None, :, :], axis=2)  # (n, k)
    # A tiny tolerance so a cluster's farthest member counts as inside its own circle.
    inside = distances <= radii[None, :] * (1 + 1e-9) + 1e-12
    return inside.sum(axis=1) > 1


def best_matching(y_true: np.ndarray, labels: np.ndarray) -> dict[int, int]:
    """The one-to-one pairing of found labels with true labels that agrees most often.

    Cluster numbers are arbitrary, so "cluster 2" may well be true class 0. The
    Hungarian algorithm (``scipy.optimize.linear_sum_assignment``) on the table of
    co-occurrence counts finds the pairing with the most points in agreement. With
    more found clusters than true ones (or fewer), the extra ones stay unpaired.

    Parameters
    ----------
    y_true, labels : ndarrays of shape (n,), non-negative integers

    Returns
    -------
    dict found label -> true label
    """
    y_true = np.asarray(y_true, dtype=int)
    labels = np.asarray(labels, dtype=int)
    if y_true.shape != labels.shape:
        raise ValueError("y_true and labels must have the same length")
    counts = np.zeros((labels.max() + 1, y_true.max() + 1), dtype=int)
    np.add.at(counts, (labels, y_true), 1)
    rows, cols = linear_sum_assignment(counts, maximize=True)
    return {int(r): int(c) for r, c in zip(rows, cols, strict=True)}


def mismatched(y_true: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Points whose found label disagrees with the true one after the best matching.

    Points in a found cluster left unpaired by :func:`best_matching` count as mismatched.

    Returns
    -------
    ndarray of bool, shape (n,)
    """
    labels = np.asarray(labels, dtype=int)
    pairing = best_matching(y_true, labels)
    lookup = np.full(labels.max() + 1, -1)
    for found, true in pairing.items():
        lookup[found] = true
    return lookup[labels] != np.asarray(y_true, dtype=int)


def to_plane(points: np.ndarray, plane) -> np.ndarray:
    """Points (shape (m, d)) on the drawing plane ``(center, directions, names)``."""
    center, directions, _ = plane
    return (np.asarray(points, dtype=float) - center) @ directions


def _highlight(X2: np.ndarray, mask: np.ndarray, *, kind: str, name: str, marker: dict) -> dict:
    """A trace dict ringing the points of ``X2`` (shape (n, 2)) where ``mask`` (n,) holds."""
    idx = np.flatnonzero(mask)
    return dict(
        type="scatter",
        x=X2[idx, 0].astype(np.float32),
        y=X2[idx, 1].astype(np.float32),
        mode="markers",
        marker=marker,
        name=name,
        customdata=idx,
        hovertemplate=f"row %{{customdata}}: {name}<extra></extra>",
        meta={"kind": kind, "count": len(idx)},
    )


def kmeans_limits_figure(
    X2: np.ndarray,
    labels: np.ndarray,
    centers2: np.ndarray,
    radii: np.ndarray,
    *,
    overlap: np.ndarray,
    wrong: np.ndarray | None,
    title: str = "",
    axis_names=("x", "y"),
) -> go.Figure:
    """k-means clusters with the chapter's circles, plus where the circles fail.

    Parameters
    ----------
    X2 : ndarray of shape (n, 2)
    labels : ndarray of shape (n,)
    centers2 : ndarray of shape (k, 2)
    radii : ndarray of shape (k,)
        Distance from each centre to its farthest member.
    overlap : bool ndarray of shape (n,)
        Points inside more than one circle: drawn as small dark squares (meta kind
        ``"overlap"``).
    wrong : bool ndarray of shape (n,) or None
        Points whose label disagrees with the truth: drawn as open black rings (meta kind
        ``"mislabelled"``). None when the truth is unknown.
    """
    fig = clusters_figure(
        X2,
        labels,
        circle_centers=centers2,
        circle_radii=radii,
        title=title,
        axis_names=axis_names,
    )
    highlights = [
        _highlight(
            X2,
            overlap,
            kind="overlap",
            name=f"in several circles ({int(overlap.sum())})",
            marker=dict(symbol="square-open", size=11, color="#444444", line=dict(width=1.5)),
        )
    ]
    if wrong is not None:
        highlights.append(
            _highlight(
                X2,
                wrong,
                kind="mislabelled",
                name=f"mislabelled ({int(wrong.sum())})",
                marker=dict(symbol="circle-open", size=16, color="black", line=dict(width=2.5)),
            )
        )
    # Trace dicts added in one batch: validated once, unlike go.Scatter objects.
    fig.add_traces(highlights)
    return fig


def samples_figure(
    samples2: np.ndarray,
    *,
    like: np.ndarray | None = None,
    title: str = "",
    axis_names=("x", "y"),
) -> go.Figure:
    """New samples alone, drawn as on the density chart (meta kind ``"samples"``).

    Parameters
    ----------
    samples2 : ndarray of shape (m, 2)
    like : ndarray of shape (n, 2) or None
        Points whose extent the axes should also cover (the data), so a chart of the
        samples and a chart of the data side by side share their scale.
    """
    layout = _layout_dict(title, axis_names)
    if like is not None and len(like):
        # The same padded box as the density chart's grid, so the two line up.
        lo, hi = _padded_extent(np.vstack([like, samples2]))
        layout["xaxis"]["range"] = [float(lo[0]), float(hi[0])]
        layout["yaxis"]["range"] = [float(lo[1]), float(hi[1])]
    kind = "scattergl" if len(samples2) > GL_THRESHOLD else "scatter"
    return go.Figure(data=[_samples_trace(samples2, kind)], layout=layout)
