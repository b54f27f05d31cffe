"""Small pure helpers for the model-choice and digits lessons.

Shaping a sweep table for display, a reference distance for "are the new digits new?",
and a tiny dependency-free PNG encoder for downloading a grid of digits.
"""

import struct
import zlib

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .figures import PALETTE, criteria_figure
from .models import COVARIANCE_TYPES

__all__ = [
    "criteria_pivot",
    "digits_grid_image",
    "heldout_figure",
    "nearest_other_distance",
    "png_bytes",
]

DIGIT_SIDE = 8
MAX_GREY = 16


def criteria_pivot(table: pd.DataFrame, criterion: str = "bic") -> pd.DataFrame:
    """One row per component count, one column per covariance type (library order).

    Parameters
    ----------
    table : pandas.DataFrame
        A :class:`gmm_core.selection.SweepResult` table.
    """
    pivot = table.pivot(index="n_components", columns="covariance_type", values=criterion)
    pivot = pivot[[t for t in COVARIANCE_TYPES if t in pivot.columns]]
    pivot.index.name = "components"
    pivot.columns.name = None
    return pivot


def heldout_figure(table: pd.DataFrame, *, title: str = "") -> go.Figure:
    """The held-out log-likelihood curve of one covariance type, its best value starred.

    Same builder as the AIC/BIC chart, but its own colour and a "higher is better" axis:
    the scale (per point) differs from AIC/BIC (whole data set), so it gets its own chart.
    """
    fig = criteria_figure(table, criteria=("cv_loglik",), title=title)
    colour = PALETTE[2]
    for trace in fig.data:
        if (trace.meta or {}).get("kind") == "minimum":
            trace.marker.color = colour
        else:
            trace.line.color = colour
            trace.marker.color = colour
    fig.update_layout(yaxis_title="held-out log-likelihood per point (higher is better)")
    return fig


def nearest_other_distance(images: np.ndarray) -> np.ndarray:
    """For each image, the Euclidean distance to its closest *other* image.

    A reference scale for :func:`gmm_core.digits.nearest_real`: a generated digit as far
    from every real digit as real digits are from each other is as new as a real one.

    Parameters
    ----------
    images : ndarray of shape (n, 64)

    Returns
    -------
    ndarray of shape (n,)
    """
    images = np.asarray(images, dtype=float)
    norms = np.sum(images**2, axis=1)
    sq = norms[:, None] - 2 * images @ images.T + norms[None, :]
    np.fill_diagonal(sq, np.inf)
    return np.sqrt(np.maximum(sq.min(axis=1), 0))


def digits_grid_image(
    images: np.ndarray, columns: int = 10, *, scale: int = 4, gap: int = 1
) -> np.ndarray:
    """8x8 digits (grey 0..16) tiled into one 8-bit image, dark ink on white, scaled up.

    Parameters
    ----------
    images : ndarray of shape (m, 64)
    columns : int
        Digits per row.
    scale : int
        Every pixel becomes a ``scale`` x ``scale`` block.
    gap : int
        White pixels between digits (before scaling).

    Returns
    -------
    ndarray of uint8, shape (rows*(8+gap)-gap, columns*(8+gap)-gap) times ``scale``
    """
    images = np.asarray(images, dtype=float)
    if images.ndim != 2 or images.shape[1] != DIGIT_SIDE * DIGIT_SIDE or len(images) == 0:
        raise ValueError("expected at least one 8x8 digit as rows of 64 grey levels")
    if columns < 1 or scale < 1 or gap < 0:
        raise ValueError("columns and scale must be at least 1, gap not negative")
    step = DIGIT_SIDE + gap
    rows = -(-len(images) // columns)
    canvas = np.full((rows * step - gap, columns * step - gap), 255, dtype=np.uint8)
    ink = 255 - np.rint(np.clip(images, 0, MAX_GREY) * (255 / MAX_GREY)).astype(np.uint8)
    for i, digit in enumerate(ink):
        r, c = divmod(i, columns)
        canvas[r * step : r * step + DIGIT_SIDE, c * step : c * step + DIGIT_SIDE] = digit.reshape(
            DIGIT_SIDE, DIGIT_SIDE
        )
    return np.repeat(np.repeat(canvas, scale, axis=0), scale, axis=1)


def _chunk(tag: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + tag
        + data
        + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    )


def png_bytes(gray: np.ndarray) -> bytes:
    """Encode a 2-D uint8 array as an 8-bit greyscale PNG (numpy and zlib only).

    Parameters
    ----------
    gray : ndarray of shape (height, width), values 0 (black) .. 255 (white)
    """
    gray = np.asarray(gray)
    if gray.ndim != 2 or gray.size == 0:
        raise ValueError("expected a non-empty 2-D array of grey levels")
    gray = np.ascontiguousarray(np.clip(gray, 0, 255).astype(np.uint8))
    height, width = gray.shape
    # Each scanline starts with its filter type; 0 means the bytes are stored as they are.
    scanlines = np.hstack([np.zeros((height, 1), dtype=np.uint8), gray]).tobytes()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(scanlines, 9))
        + _chunk(b"IEND", b"")
    )
