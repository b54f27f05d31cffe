"""Animated figures of EM and k-means, one precomputed plotly figure per run.

Every iteration of a recorded run (:mod:`gmm_core.em`) becomes a plotly *frame*, so the
browser plays and scrubs the whole run without asking the server for anything. Frames
carry only what changes (point colours, ellipses or centres, the marker on the
objective curve); the point positions are sent once.

Conventions (as in :mod:`gmm_core.figures`): traces carry ``meta={"kind": ...}``
(``"points"``, ``"ellipse"``, ``"means"``, ``"centers"``, ``"lower_bound"``,
``"inertia"``, ``"current_iteration"``), frames are named by their iteration number,
axes of point clouds are equal, user text passes through :func:`figures.plain`.

Payload: point colours are small integers (one byte per point per frame) read through a
colour scale, coordinates are float32, at most :data:`MAX_ANIMATION_POINTS` points are
drawn, and the number of frames is capped (at :data:`MAX_FRAMES`, and lower when many
components would make frames heavy), which keeps a figure well under 2 MB.
"""

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .em import EMTrace, KMeansTrace
from .errors import GMMInputError
from .figures import TEMPLATE, _filled_outline, color_of, drawing_subset, plain
from .geometry import ellipse_opacities, project_gaussians

__all__ = [
    "ANIMATION_SIGMAS",
    "CERTAINTY_LEVELS",
    "MAX_ANIMATION_POINTS",
    "MAX_FRAMES",
    "MAX_RESTART_POINTS",
    "PAYLOAD_BUDGET",
    "batched_outlines",
    "certainty_codes",
    "em_animation_figure",
    "frame_iterations",
    "kmeans_animation_figure",
    "restarts_figure",
]

#: Iteration 0 (the initialisation) plus at most 100 iterations.
MAX_FRAMES = 101
#: Points drawn in an animation; a stratified subset (by final label) above this.
MAX_ANIMATION_POINTS = 2_000
#: Points drawn per panel of the restarts figure.
MAX_RESTART_POINTS = 1_000
#: Bytes the frames of one figure may take (estimated); leaves room under 2 MB.
PAYLOAD_BUDGET = 1_500_000
#: Each component is outlined at these Mahalanobis radii.
ANIMATION_SIGMAS = (1, 2)
#: Shades per component: from pale (responsibility split evenly) to full colour (certain).
CERTAINTY_LEVELS = 6
#: Vertices per ellipse outline (the last repeats the first).
OUTLINE_POINTS = 49

_PALE = np.array([0xE3, 0xE3, 0xE3], dtype=float)  # what an undecided point fades towards
_BASE64 = 4 / 3  # plotly sends typed arrays as base64


# --------------------------------------------------------------------------------------
# Small pure helpers


def frame_iterations(n_iter: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """Iterations that get a frame: all of ``0..n_iter``, or evenly spread ones.

    The first (initialisation) and the last iteration are always kept.

    Returns
    -------
    ndarray of int, increasing, at most ``max(max_frames, 2)`` entries
    """
    if n_iter + 1 <= max_frames:
        return np.arange(n_iter + 1)
    return np.unique(np.round(np.linspace(0, n_iter, max(max_frames, 2))).astype(int))


def _nearest_frame(shown: np.ndarray, iteration: int) -> int:
    """Index into ``shown`` of the iteration closest to ``iteration`` (clamped)."""
    return int(np.argmin(np.abs(shown - int(iteration))))


def batched_outlines(
    means2: np.ndarray, covariances2: np.ndarray, n_sigma: float, n_points: int = OUTLINE_POINTS
) -> np.ndarray:
    """``n_sigma`` outlines of many 2-D Gaussians at once.

    Same construction as :func:`gmm_core.geometry.ellipse_outline` (eigenvectors scaled
    by the square roots of the eigenvalues, applied to a unit circle), vectorised.

    Parameters
    ----------
    means2 : ndarray of shape (..., 2)
    covariances2 : ndarray of shape (..., 2, 2)

    Returns
    -------
    ndarray of shape (..., n_points, 2)
    """
    eigenvalues, eigenvectors = np.linalg.eigh(covariances2)
    axes = eigenvectors * np.sqrt(np.clip(eigenvalues, 0, None))[..., np.newaxis, :]
    t = np.linspace(0, 2 * np.pi, n_points)
    circle = np.stack([np.cos(t), np.sin(t)])  # (2, n_points)
    return means2[..., np.newaxis, :] + n_sigma * np.swapaxes(axes @ circle, -1, -2)


def certainty_codes(responsibilities: np.ndarray, levels: int = CERTAINTY_LEVELS) -> np.ndarray:
    """One small integer per point: its most responsible component and how sure it is.

    ``code = component * levels + shade`` with ``shade`` from 0 (responsibility split
    evenly between all components) to ``levels - 1`` (one component has it all).

    Parameters
    ----------
    responsibilities : ndarray of shape (..., n, k)

    Returns
    -------
    ndarray of shape (..., n), uint8 (uint16 when ``k * levels > 256``)
    """
    k = responsibilities.shape[-1]
    best = np.argmax(responsibilities, axis=-1)
    top = np.max(responsibilities, axis=-1).astype(np.float64)
    certainty = np.ones_like(top) if k == 1 else (top - 1.0 / k) / (1.0 - 1.0 / k)
    shade = np.clip(np.round(certainty * (levels - 1)), 0, levels - 1).astype(int)
    return (best * levels + shade).astype(_code_dtype(k, levels))


def _code_dtype(k: int, levels: int = CERTAINTY_LEVELS) -> np.dtype:
    """The smallest unsigned integer type holding all ``k * levels`` colour codes."""
    return np.dtype(np.uint8 if k * levels <= 256 else np.uint16)


def _label_codes(labels: np.ndarray, k: int, levels: int = CERTAINTY_LEVELS) -> np.ndarray:
    """Codes for hard labels: the full-colour shade of each label (see certainty_codes)."""
    return (np.asarray(labels) * levels + levels - 1).astype(_code_dtype(k, levels))


def _code_marker(k: int) -> dict:
    """Marker attributes that colour points by their codes through the certainty scale."""
    return dict(
        colorscale=_certainty_colorscale(k),
        cmin=0,
        cmax=max(k * CERTAINTY_LEVELS - 1, 1),
        showscale=False,
    )


def _hex_rgb(color: str) -> np.ndarray:
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def _rgb(values: np.ndarray) -> str:
    r, g, b = values
    return f"rgb({r:.0f},{g:.0f},{b:.0f})"


def _certainty_colorscale(k: int, levels: int = CERTAINTY_LEVELS) -> list:
    """A colour scale over codes ``0..k*levels-1``: for each component, pale -> full colour.

    Codes sit exactly on stops, so every shade is exact; between two components the
    scale jumps (no code falls in that gap).
    """
    top = k * levels - 1
    scale = []
    for j in range(k):
        full = _hex_rgb(color_of(j))
        pale = full + 0.8 * (_PALE - full)
        lo, hi = j * levels / top if top else 0.0, (j * levels + levels - 1) / top if top else 1.0
        scale += [[lo, _rgb(pale)], [hi, _rgb(full)]]
    scale[0][0], scale[-1][0] = 0.0, 1.0
    return scale


def _project_means(means: np.ndarray, center: np.ndarray, directions: np.ndarray) -> np.ndarray:
    return (np.asarray(means, dtype=float) - center) @ directions


def _project_all(means, covariances, center, directions):
    """Project stacked components of shape (F, k, d) / (F, k, d, d) to the plane."""
    F, k, d = means.shape
    m2, c2 = project_gaussians(
        means.reshape(F * k, d), covariances.reshape(F * k, d, d), center, directions
    )
    return m2.reshape(F, k, 2), c2.reshape(F, k, 2, 2)


def _check_plane(X2: np.ndarray, n: int, center: np.ndarray, directions: np.ndarray, d: int):
    X2 = np.asarray(X2, dtype=float)
    if X2.ndim != 2 or X2.shape[1] != 2:
        raise GMMInputError(
            "The animation draws in a plane: give the points as two columns (choose two "
            "columns or the first two principal components)."
        )
    if X2.shape[0] != n:
        raise GMMInputError(
            f"The drawing has {X2.shape[0]} points but the recorded run has {n}; draw the "
            "same rows that were fitted."
        )
    directions = np.asarray(directions, dtype=float)
    if directions.shape != (d, 2) or np.shape(center) != (d,):
        raise GMMInputError(
            f"The drawing plane does not match the data's {d} column(s); choose the plane again."
        )
    return X2, np.asarray(center, dtype=float), directions


def _final_labels(trace: EMTrace | KMeansTrace) -> np.ndarray:
    """Labels of shape (n,) at the end of a run: most responsible component, nearest centre."""
    if isinstance(trace, EMTrace):
        return np.argmax(trace.responsibilities[-1], axis=1)
    return np.asarray(trace.labels[-1])


def _drawn_rows(
    trace: EMTrace | KMeansTrace,
    X2: np.ndarray,
    center: np.ndarray,
    directions: np.ndarray,
    max_points: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Check the drawing plane against a recorded run and choose the points to draw.

    Parameters
    ----------
    trace : EMTrace or KMeansTrace
        A run on ``n`` points of dimension ``d``.
    X2 : array-like of shape (n, 2)
    center : array-like of shape (d,)
    directions : array-like of shape (d, 2)

    Returns
    -------
    X2, center, directions : the same, as float arrays
    rows : ndarray of int, at most ``max_points`` indices, stratified by final label
    """
    final_labels = _final_labels(trace)
    n = len(final_labels)
    d = (trace.means if isinstance(trace, EMTrace) else trace.centers).shape[-1]
    X2, center, directions = _check_plane(X2, n, center, directions, d)
    return X2, center, directions, drawing_subset(final_labels, n, max_points)


def _frame_bytes(drawn_points: int, k: int, component_bytes: float = 0.0) -> float:
    """Estimated bytes of one frame.

    The drawn points' colour codes (sent as base64), the moving component traces
    (``component_bytes``), the curve marker and the frame's own keys.
    """
    return drawn_points * _code_dtype(k).itemsize * _BASE64 + component_bytes + k * 16 + 600


def _frames_shown(
    n_iter: int, n_recorded: int, iteration: int, max_frames: int, frame_bytes: float
) -> tuple[np.ndarray, int]:
    """Iterations that get a frame within the payload budget, and the one shown first.

    Parameters
    ----------
    n_iter : int
        Iterations of the run.
    n_recorded : int
        Iterations whose per-point history the trace holds; later ones get no frame.
    iteration : int
        The iteration asked for first; the nearest one with a frame is shown.
    max_frames : int
    frame_bytes : float
        Estimated payload of one frame (:func:`_frame_bytes`).

    Returns
    -------
    shown : ndarray of int, increasing
    active : int
        Index into ``shown`` of the frame shown first.
    """
    shown = frame_iterations(n_iter, _frame_budget(frame_bytes, max_frames))
    shown = shown[shown < n_recorded]
    return shown, _nearest_frame(shown, iteration)


def _frame_titles(
    head: str, n_iter: int, shown: np.ndarray, scores: np.ndarray, score_format: str
) -> list[str]:
    """Each frame's title: ``head``, the iteration and the objective after it.

    Parameters
    ----------
    head : str
        Already safe text (see :func:`figures.plain`).
    shown : ndarray of int, shape (F,)
        Iterations that get a frame.
    scores : ndarray of shape (n_iter + 1,)
        The objective after each iteration.
    score_format : str
        How a score reads, a format string such as ``"inertia {:,.4g}"``.
    """
    return [
        f"{head}: iteration {int(t)} of {n_iter}, {score_format.format(scores[int(t)])}"
        for t in shown
    ]


def _axis_range(values: np.ndarray, pad: float = 0.08) -> list[float]:
    lo, hi = float(np.min(values)), float(np.max(values))
    span = hi - lo if hi > lo else 1.0
    return [lo - pad * span, hi + pad * span]


def _curve_range(y: np.ndarray) -> tuple[list[float] | None, bool]:
    """y-range of the objective curve, and whether iteration 0 is left off the chart.

    Initialisations that start each component on a single point (k-means++,
    random_from_data) give iteration 0 a log-likelihood hundreds of thousands of units
    below the rest; plotting it would flatten the interesting part into a line. Only
    such outliers (more than ten times the curve's own scale away) are left off.
    """
    if len(y) < 3 or not np.all(np.isfinite(y)):
        return None, False
    rest = y[1:]
    middle = float(np.median(rest))
    scale = max(float(np.ptp(rest)), abs(middle), 1e-9)
    if abs(y[0] - middle) <= 10 * scale:
        return None, False
    lo, hi = float(np.min(rest)), float(np.max(rest))
    pad = 0.1 * max(hi - lo, 1e-3 * max(abs(middle), 1.0))
    return [lo - pad, hi + pad], True


def _frame_budget(per_frame_bytes: float, max_frames: int) -> int:
    return int(max(2, min(max_frames, PAYLOAD_BUDGET // max(per_frame_bytes, 1.0))))


# --------------------------------------------------------------------------------------
# The shared animated layout


def _animated_figure(
    *,
    X2: np.ndarray,
    rows: np.ndarray,
    codes: np.ndarray,
    k: int,
    shown: np.ndarray,
    active: int,
    static: list[dict],
    dynamic: list[list[dict]],
    curve_y: np.ndarray,
    curve_kind: str,
    curve_name: str,
    frame_titles: list[str],
    axis_names,
    total_points: int | None,
) -> go.Figure:
    """Assemble the two-panel animated figure.

    ``static`` are the component traces (ellipses or centres) without their moving
    attributes; ``dynamic[f][i]`` are those attributes for frame ``f`` and trace ``i``.
    Trace order: component traces, points, objective curve, current-iteration marker.
    ``total_points`` None means ``X2`` holds all the points.

    Traces and frames are plain dicts handed to plotly without per-array validation:
    validating a hundred frames costs half a second, on every rerun of a page.
    """
    base = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.6, 0.4],
        horizontal_spacing=0.09,
        subplot_titles=("points and components", plain(curve_name)),
    )
    left, right = dict(xaxis="x", yaxis="y"), dict(xaxis="x2", yaxis="y2")
    n_static = len(static)
    points_index, marker_index = n_static, n_static + 2
    curve_y = np.asarray(curve_y, dtype=float)

    def frame_updates(f: int) -> list[dict]:
        t = int(shown[f])
        updates = [dict(type="scatter", **attrs) for attrs in dynamic[f]]
        updates.append(dict(type="scatter", marker=dict(color=codes[f])))
        updates.append(dict(type="scatter", x=[t], y=[float(curve_y[t])]))
        return updates

    initial = frame_updates(active)
    data = [dict(type="scatter", **left, **attrs) for attrs in static]
    data.append(
        dict(
            type="scatter",
            **left,
            x=X2[rows, 0].astype(np.float32),
            y=X2[rows, 1].astype(np.float32),
            mode="markers",
            marker=dict(**_code_marker(k), size=7, line=dict(width=0)),
            customdata=rows.astype(np.int32),
            hovertemplate="row %{customdata}<br>(%{x:.3g}, %{y:.3g})<extra></extra>",
            name="points",
            meta={"kind": "points"},
        )
    )
    data.append(
        dict(
            type="scatter",
            **right,
            x=np.arange(len(curve_y)),
            y=curve_y,
            mode="lines+markers",
            marker=dict(size=5, color="#555555"),
            line=dict(color="#555555"),
            name=curve_name,
            hovertemplate="iteration %{x}: %{y:.4g}<extra></extra>",
            meta={"kind": curve_kind},
        )
    )
    data.append(
        dict(
            type="scatter",
            **right,
            mode="markers",
            marker=dict(symbol="circle-open", size=16, color="black", line=dict(width=3)),
            name="current iteration",
            hovertemplate="iteration %{x}: %{y:.4g}<extra></extra>",
            meta={"kind": "current_iteration"},
        )
    )
    for index, update in zip([*range(n_static), points_index, marker_index], initial, strict=True):
        _merge(data[index], update)

    moving = [*range(n_static), points_index, marker_index]
    frames = [
        dict(
            name=str(int(t)),
            data=frame_updates(f),
            traces=moving,
            layout=dict(title=dict(text=frame_titles[f])),
        )
        for f, t in enumerate(shown)
    ]
    # Equal axes on the scatter, fixed ranges so nothing jumps while playing.
    y_range, clipped = _curve_range(curve_y)
    base.update_layout(
        xaxis=dict(range=_axis_range(X2[rows, 0]), title_text=plain(axis_names[0])),
        yaxis=dict(
            range=_axis_range(X2[rows, 1]),
            title_text=plain(axis_names[1]),
            scaleanchor="x",
            scaleratio=1,
        ),
        xaxis2=dict(title_text="iteration"),
        yaxis2=dict(title_text=plain(curve_name), range=y_range),
    )
    if clipped:
        base.add_annotation(
            text=f"iteration 0 is {'below' if curve_y[0] < curve_y[1] else 'above'} "
            f"the chart ({curve_y[0]:.3g})",
            xref="x2 domain",
            yref="y2 domain",
            x=0.98,
            y=0.02,
            xanchor="right",
            showarrow=False,
            font=dict(size=11, color="#555555"),
        )
    if total_points is None:
        total_points = len(X2)
    if len(rows) < total_points:
        base.add_annotation(
            text=f"showing {len(rows):,} of {total_points:,} points",
            xref="paper",
            yref="paper",
            x=0,
            y=1.0,
            yshift=28,
            xanchor="left",
            showarrow=False,
            font=dict(size=11, color="#555555"),
        )
    base.update_layout(
        title=dict(text=frame_titles[active]),
        template=TEMPLATE,
        showlegend=False,
        height=580,
        margin=dict(l=50, r=20, t=80, b=130),
        **_animation_controls(shown, active),
    )
    # The layout (small) is validated above; the traces and frames (large) are not.
    return go.Figure(
        dict(data=data, layout=base.layout.to_plotly_json(), frames=frames), _validate=False
    )


def _animation_controls(shown: np.ndarray, active: int) -> dict:
    """Layout entries that play the frames: Play / Pause buttons and an iteration slider.

    Parameters
    ----------
    shown : ndarray of int, shape (F,)
        Iterations that get a frame; frames are named by them.
    active : int
        Index into ``shown`` of the frame the slider starts on.

    Returns
    -------
    dict with ``updatemenus`` and ``sliders``, for ``layout.update``
    """
    # A whole run plays in about six seconds, within readable bounds per frame.
    duration = int(np.clip(6000 / len(shown), 120, 700))
    play = dict(
        frame=dict(duration=duration, redraw=True),
        fromcurrent=True,
        transition=dict(duration=0),
        mode="immediate",
    )
    still = dict(frame=dict(duration=0, redraw=True), transition=dict(duration=0), mode="immediate")
    pause = dict(
        frame=dict(duration=0, redraw=False), transition=dict(duration=0), mode="immediate"
    )
    return dict(
        updatemenus=[
            dict(
                type="buttons",
                direction="left",
                showactive=False,
                x=0.0,
                y=-0.2,
                xanchor="left",
                yanchor="top",
                pad=dict(t=0, r=10),
                buttons=[
                    dict(label="▶ Play", method="animate", args=[None, play]),
                    dict(label="❚❚ Pause", method="animate", args=[[None], pause]),
                ],
            )
        ],
        sliders=[
            dict(
                active=active,
                x=0.16,
                y=-0.15,
                len=0.84,
                xanchor="left",
                yanchor="top",
                pad=dict(t=0, b=0),
                currentvalue=dict(prefix="iteration ", visible=True),
                steps=[
                    dict(method="animate", label=str(int(t)), args=[[str(int(t))], still])
                    for t in shown
                ],
            )
        ],
    )


def _merge(target: dict, update: dict) -> None:
    """Apply a frame's partial trace to a full trace dict (nested dicts merged)."""
    for key, value in update.items():
        if key == "type":
            continue
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


# --------------------------------------------------------------------------------------
# Public builders


def em_animation_figure(
    trace: EMTrace,
    X2: np.ndarray,
    center: np.ndarray,
    directions: np.ndarray,
    axis_names=("x", "y"),
    title: str = "",
    *,
    iteration: int = 0,
    total_points: int | None = None,
    max_points: int = MAX_ANIMATION_POINTS,
    max_frames: int = MAX_FRAMES,
) -> go.Figure:
    """EM played iteration by iteration, with the log-likelihood curve beside it.

    Frame ``t`` shows the parameters after EM iteration ``t`` (0 = initialisation) as
    1- and 2-sigma ellipses (opacity by weight) and the E-step they lead to: each point
    in the colour of its most responsible component, paler the more evenly the
    responsibility is split. The curve is ``trace.lower_bounds``; a marker follows the
    current iteration.

    Parameters
    ----------
    trace : EMTrace
        A recorded run on ``n`` points of dimension ``d``.
    X2 : ndarray of shape (n, 2)
        The same points in the drawing plane, ``(X - center) @ directions``.
    center : ndarray of shape (d,)
    directions : ndarray of shape (d, 2)
        The drawing plane; components are projected with
        :func:`gmm_core.geometry.project_gaussians`.
    axis_names : pair of str
    title : str
        Each frame's title adds the iteration and its log-likelihood.
    iteration : int
        The frame shown first (a link can reproduce it); clamped to the run, and to the
        nearest frame shown when frames are capped.
    total_points : int or None
        Rows of the whole data set when ``X2`` is already a subset (for the caption).
    max_points, max_frames : int
        Caps on points drawn and frames sent.

    Returns
    -------
    plotly.graph_objects.Figure
        ``frames`` named by iteration; ``layout.sliders[0].active`` is the index of the
        frame shown first, and ``data`` equals that frame.
    """
    responsibilities = np.asarray(trace.responsibilities)
    k = responsibilities.shape[-1]
    X2, center, directions, rows = _drawn_rows(trace, X2, center, directions, max_points)
    # Two outlines per component move with every frame: float32 vertices and their keys.
    outline_bytes = 2 * k * (2 * OUTLINE_POINTS * 4 * _BASE64 + 260)
    frame_bytes = _frame_bytes(len(rows), k, outline_bytes)
    shown, active = _frames_shown(
        trace.n_iter, len(responsibilities), iteration, max_frames, frame_bytes
    )

    means2, covs2 = _project_all(trace.means[shown], trace.covariances[shown], center, directions)
    outlines = {s: batched_outlines(means2, covs2, s).astype(np.float32) for s in ANIMATION_SIGMAS}
    codes = certainty_codes(responsibilities[shown][:, rows, :])
    opacities = np.stack([ellipse_opacities(w, 0.25) for w in trace.weights[shown]])
    opacities = np.round(np.maximum(opacities, 0.03), 3)

    static, order = [], []
    for j in range(k):
        for sigma in sorted(ANIMATION_SIGMAS, reverse=True):
            static.append(
                dict(**_filled_outline(j), name=f"component {j}, {sigma}σ", hoverinfo="name")
            )
            order.append((j, sigma))
    static.append(
        dict(
            mode="markers",
            marker=dict(
                symbol="x-thin",
                size=12,
                line=dict(width=3, color=[color_of(j) for j in range(k)]),
                color=[color_of(j) for j in range(k)],
            ),
            name="means",
            hovertemplate="mean (%{x:.3g}, %{y:.3g})<extra></extra>",
            meta={"kind": "means"},
        )
    )
    dynamic = []
    for f in range(len(shown)):
        attrs = [
            dict(
                x=outlines[sigma][f, j, :, 0],
                y=outlines[sigma][f, j, :, 1],
                opacity=float(opacities[f, j]),
                meta={"kind": "ellipse", "component": j, "sigma": sigma},
            )
            for j, sigma in order
        ]
        attrs.append(
            dict(x=means2[f, :, 0].astype(np.float32), y=means2[f, :, 1].astype(np.float32))
        )
        dynamic.append(attrs)

    bounds = np.asarray(trace.lower_bounds, dtype=float)
    head = plain(title) if title else "EM"
    frame_titles = _frame_titles(
        head, trace.n_iter, shown, bounds, "log-likelihood per point {:.4f}"
    )
    return _animated_figure(
        X2=X2,
        rows=rows,
        codes=codes,
        k=k,
        shown=shown,
        active=active,
        static=static,
        dynamic=dynamic,
        curve_y=bounds,
        curve_kind="lower_bound",
        curve_name="log-likelihood per point",
        frame_titles=frame_titles,
        axis_names=axis_names,
        total_points=total_points,
    )


def kmeans_animation_figure(
    trace: KMeansTrace,
    X2: np.ndarray,
    center: np.ndarray,
    directions: np.ndarray,
    axis_names=("x", "y"),
    title: str = "",
    *,
    iteration: int = 0,
    total_points: int | None = None,
    max_points: int = MAX_ANIMATION_POINTS,
    max_frames: int = MAX_FRAMES,
) -> go.Figure:
    """Lloyd's k-means played iteration by iteration, with the inertia curve beside it.

    Frame ``t`` shows the centres after update ``t`` (0 = initial centres) and every
    point in the colour of its nearest centre. Same parameters and layout as
    :func:`em_animation_figure`; the curve is ``trace.inertia`` (lower is better).
    """
    labels = np.asarray(trace.labels)
    k = trace.centers.shape[1]
    X2, center, directions, rows = _drawn_rows(trace, X2, center, directions, max_points)
    frame_bytes = _frame_bytes(len(rows), k)
    shown, active = _frames_shown(trace.n_iter, len(labels), iteration, max_frames, frame_bytes)

    centers2 = _project_means(trace.centers[shown], center, directions).astype(np.float32)
    codes = _label_codes(labels[shown][:, rows], k)
    colors = [color_of(j) for j in range(k)]
    static = [
        dict(
            mode="markers",
            marker=dict(symbol="x", size=20, color=colors, line=dict(color="black", width=2)),
            name="centres",
            hovertemplate="centre (%{x:.3g}, %{y:.3g})<extra></extra>",
            meta={"kind": "centers"},
        )
    ]
    dynamic = [[dict(x=centers2[f, :, 0], y=centers2[f, :, 1])] for f in range(len(shown))]
    inertia = np.asarray(trace.inertia, dtype=float)
    head = plain(title) if title else "k-means"
    frame_titles = _frame_titles(head, trace.n_iter, shown, inertia, "inertia {:,.4g}")
    return _animated_figure(
        X2=X2,
        rows=rows,
        codes=codes,
        k=k,
        shown=shown,
        active=active,
        static=static,
        dynamic=dynamic,
        curve_y=inertia,
        curve_kind="inertia",
        curve_name="inertia (sum of squared distances)",
        frame_titles=frame_titles,
        axis_names=axis_names,
        total_points=total_points,
    )


def _final_score(trace: EMTrace | KMeansTrace) -> float:
    if isinstance(trace, EMTrace):
        return float(trace.lower_bounds[-1])
    return float(trace.inertia[-1])


def restarts_figure(
    traces: list[EMTrace] | list[KMeansTrace],
    X2: np.ndarray,
    center: np.ndarray,
    directions: np.ndarray,
    axis_names=("x", "y"),
    title: str = "",
    *,
    columns: int = 4,
    max_points: int = MAX_RESTART_POINTS,
) -> go.Figure:
    """Small multiples: where each restart (seed) of the same run ended.

    Each panel shows the final state of one run (ellipses at 1 and 2 sigma for EM,
    centres for k-means) and its final score in the title: log-likelihood per point
    (higher is better) for EM, inertia (lower is better) for k-means. The best panel is
    framed and titled "best" (every panel that ties it at the precision shown, too).
    Only the last entry of each trace's arrays is used.

    Parameters
    ----------
    traces : list of EMTrace, or list of KMeansTrace
        Runs on the same ``n`` points that differ in seed.
    X2 : ndarray of shape (n, 2)
    center, directions : the drawing plane, as in :func:`em_animation_figure`.
    """
    if not traces:
        raise GMMInputError("No restarts to draw: give at least one seed.")
    is_em = isinstance(traces[0], EMTrace)
    X2, center, directions, rows = _drawn_rows(traces[0], X2, center, directions, max_points)

    scores = np.array([_final_score(t) for t in traces])
    shown_scores = np.round(scores, 3 if is_em else 1)
    best_value = shown_scores.max() if is_em else shown_scores.min()
    best = shown_scores == best_value

    panels = len(traces)
    cols = max(1, min(columns, panels))
    nrows = int(np.ceil(panels / cols))
    titles = []
    for t, score, is_best in zip(traces, scores, best, strict=True):
        value = f"log-lik/pt {score:.3f}" if is_em else f"inertia {score:,.1f}"
        titles.append(f"seed {t.seed}: {value}" + (" ★ best" if is_best else ""))
    fig = make_subplots(
        rows=nrows,
        cols=cols,
        subplot_titles=titles,
        horizontal_spacing=0.03,
        vertical_spacing=0.1,
        shared_xaxes="all",
        shared_yaxes="all",
    )
    X32 = X2[rows].astype(np.float32)
    x_range, y_range = _axis_range(X2[rows, 0]), _axis_range(X2[rows, 1])
    data = []  # trace dicts, validated together at the end (cheaper than one by one)
    for i, trace in enumerate(traces):
        row, col = divmod(i, cols)
        row, col = row + 1, col + 1
        suffix = "" if i == 0 else str(i + 1)
        panel = dict(type="scatter", xaxis=f"x{suffix}", yaxis=f"y{suffix}")
        labels = _final_labels(trace)[rows]
        if is_em:
            k = trace.means.shape[1]
            m2, c2 = project_gaussians(trace.means[-1], trace.covariances[-1], center, directions)
            opacities = np.maximum(ellipse_opacities(trace.weights[-1], 0.25), 0.03)
            for j in range(k):
                for sigma in sorted(ANIMATION_SIGMAS, reverse=True):
                    outline = batched_outlines(m2[j], c2[j], sigma).astype(np.float32)
                    data.append(
                        dict(
                            **panel,
                            x=outline[:, 0],
                            y=outline[:, 1],
                            **_filled_outline(j),
                            opacity=float(opacities[j]),
                            hoverinfo="skip",
                            meta={"kind": "ellipse", "panel": i, "component": j, "sigma": sigma},
                        )
                    )
        else:
            k = trace.centers.shape[1]
            centers2 = _project_means(trace.centers[-1], center, directions).astype(np.float32)
            data.append(
                dict(
                    **panel,
                    x=centers2[:, 0],
                    y=centers2[:, 1],
                    mode="markers",
                    marker=dict(
                        symbol="x",
                        size=12,
                        color=[color_of(j) for j in range(k)],
                        line=dict(color="black", width=1),
                    ),
                    hoverinfo="skip",
                    meta={"kind": "centers", "panel": i},
                )
            )
        data.append(
            dict(
                **panel,
                x=X32[:, 0],
                y=X32[:, 1],
                mode="markers",
                marker=dict(size=4, color=_label_codes(labels, k), **_code_marker(k)),
                hoverinfo="skip",
                meta={
                    "kind": "points",
                    "panel": i,
                    "seed": int(trace.seed),
                    "score": float(scores[i]),
                    "best": bool(best[i]),
                },
            )
        )
        if best[i]:
            fig.add_shape(
                type="rect",
                xref=f"x{suffix} domain",
                yref=f"y{suffix} domain",
                x0=0,
                y0=0,
                x1=1,
                y1=1,
                line=dict(color="black", width=3),
            )
        fig.update_yaxes(scaleanchor=f"x{suffix}", scaleratio=1, row=row, col=col)
    fig.add_traces(data)
    fig.update_xaxes(range=x_range, showticklabels=False)
    fig.update_yaxes(range=y_range, showticklabels=False)
    fig.update_xaxes(title_text=plain(axis_names[0]), row=nrows, col=1)
    fig.update_yaxes(title_text=plain(axis_names[1]), row=nrows, col=1)
    what = "higher log-likelihood is better" if is_em else "lower inertia is better"
    head = plain(title) if title else f"{panels} restarts, same data, different seeds"
    fig.update_layout(
        title=dict(text=f"{head}<br><sup>{what}</sup>"),
        template=TEMPLATE,
        showlegend=False,
        height=max(300, 290 * nrows) + 60,
        margin=dict(l=40, r=10, t=90, b=40),
    )
    return fig
