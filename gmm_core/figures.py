"""Plotly figure builders. Pure functions: arrays in, ``go.Figure`` out.

Conventions every builder follows:
- one colour-blind-safe palette (Okabe & Ito) for components, in a fixed order;
- equal axis scales wherever distances matter (``scaleanchor``);
- ellipses and circles are filled ``Scatter`` polygons carrying ``meta`` such as
  ``{"kind": "ellipse", "component": 2, "sigma": 3}``, so tests and legends can find them;
- user-supplied text (column names) passes through :func:`plain` before reaching a
  title, axis or legend, so it is shown as text and never interpreted as markup;
- big point clouds are drawn as a stratified subset with WebGL, and the title says so.
"""

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import limits
from .geometry import SIGMA_LEVELS, circle_outline, ellipse_opacities, ellipse_outline
from .models import log_density

__all__ = [
    "ACTIVE_WEIGHT",
    "PALETTE",
    "TEMPLATE",
    "clusters_figure",
    "color_of",
    "criteria_figure",
    "criteria_grid_figure",
    "density_figure",
    "digits_figure",
    "drawing_subset",
    "histogram_mixture_figure",
    "lower_bound_figure",
    "plain",
    "title_with_count",
    "weights_figure",
]

#: Okabe & Ito's colour-blind-safe palette, yellow last (weak on white projectors).
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#000000",  # black
    "#F0E442",  # yellow
)
NEUTRAL = "#7F7F7F"
_GRID = "#E5ECF6"
#: A light template of our own. Plotly's named templates cost ~6 ms per figure to
#: resolve and validate, which was most of a cached rerun; this one costs ~0.4 ms.
TEMPLATE = go.layout.Template(
    layout=dict(
        colorway=list(PALETTE),
        font=dict(color="#2a3f5f"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        hovermode="closest",
        xaxis=dict(gridcolor=_GRID, zerolinecolor=_GRID, linecolor=_GRID, automargin=True),
        yaxis=dict(gridcolor=_GRID, zerolinecolor=_GRID, linecolor=_GRID, automargin=True),
    )
)
#: A component below this weight counts as switched off.
ACTIVE_WEIGHT = 0.01
GL_THRESHOLD = 2_000


def color_of(component: int) -> str:
    """Colour of a component; colours repeat after eight components."""
    return PALETTE[int(component) % len(PALETTE)]


def plain(text: object) -> str:
    """Text safe for plotly labels: markup characters shown literally."""
    return html.escape(str(text), quote=False)


def _chart_layout(title: str, x_title: str, y_title: str, height: int) -> dict:
    """The layout every chart shares: title, template, margins, axis titles, height.

    Axis titles are used as given: pass user text through :func:`plain` first.
    """
    return dict(
        title=dict(text=title),
        template=TEMPLATE,
        margin=dict(l=40, r=10, t=50, b=40),
        height=height,
        xaxis=dict(title=dict(text=x_title)),
        yaxis=dict(title=dict(text=y_title)),
    )


def _layout_dict(title: str, axis_names=("x", "y")) -> dict:
    """The layout of a 2-D chart of points: the shared one with equal axis scales.

    ``axis_names`` are user text (column names), shown literally.
    """
    layout = _chart_layout(title, plain(axis_names[0]), plain(axis_names[1]), height=480)
    layout["legend"] = dict(itemsizing="constant")
    layout["yaxis"].update(scaleanchor="x", scaleratio=1)
    return layout


def _figure(traces: list, title: str, axis_names=("x", "y")) -> go.Figure:
    """A 2-D chart built in one go from trace dicts.

    Plotly validates dicts given to the constructor at about a third of the cost of
    ``go.Scatter`` objects added one by one, and of layout updates made one by one
    (measured: 5 vs 11 ms for 18 ellipses; 1.7 vs 5.4 ms for the layout): figures are
    most of a rerun's time once the fit is cached.
    """
    return go.Figure(data=traces, layout=_layout_dict(title, axis_names))


def drawing_subset(
    labels: np.ndarray | None, n: int, max_points: int = limits.MAX_POINTS_DRAWN, seed: int = 0
) -> np.ndarray:
    """Indices of at most ``max_points`` of ``n`` points, stratified by label.

    Each label keeps its share of the points (and at least one point), so small
    clusters stay visible. Returns all indices when ``n <= max_points``.
    """
    if n <= max_points:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    if labels is None:
        return np.sort(rng.choice(n, max_points, replace=False))
    groups, counts = np.unique(labels, return_counts=True)
    # Every label keeps one point; the remaining places go by share, largest
    # remainders first, so the total is exactly max_points (or n when smaller).
    quota = np.ones(len(groups), dtype=int)
    spare = max_points - len(groups)
    if spare > 0:
        share = (counts - 1) * spare / max(1, (counts - 1).sum())
        quota += np.floor(share).astype(int)
        left = max_points - quota.sum()
        order = np.argsort(-(share - np.floor(share)))
        quota[order[:left]] += 1
    quota = np.minimum(quota, counts)
    chosen = [
        rng.choice(np.flatnonzero(labels == label), take, replace=False)
        for label, take in zip(groups, quota, strict=True)
    ]
    return np.sort(np.concatenate(chosen))


def _points_traces(X2, labels, sizes, *, hover_rows=None, name="data") -> tuple[list, int, int]:
    """Scatter trace dicts for 2-D points, one per label (so the legend names components).

    Returns the traces, how many points they draw and how many there are.
    """
    n = X2.shape[0]
    keep = drawing_subset(labels, n)
    kind = "scattergl" if len(keep) > GL_THRESHOLD else "scatter"
    rows = np.arange(n) if hover_rows is None else hover_rows
    X32 = X2.astype(np.float32)  # half the payload; invisible on screen
    traces = []
    groups = (
        [(None, keep)]
        if labels is None
        else [(lab, keep[labels[keep] == lab]) for lab in np.unique(labels[keep])]
    )
    for label, idx in groups:
        marker = dict(
            color=NEUTRAL if label is None else color_of(label),
            size=8 if sizes is None else np.sqrt(sizes[idx]).astype(np.float32),
            line=dict(width=0),
            opacity=0.85,
        )
        traces.append(
            dict(
                type=kind,
                x=X32[idx, 0],
                y=X32[idx, 1],
                mode="markers",
                marker=marker,
                name=name if label is None else f"component {label}",
                legendgroup=None if label is None else f"c{label}",
                customdata=rows[idx],
                hovertemplate="row %{customdata}<br>(%{x:.3g}, %{y:.3g})<extra></extra>",
                meta={"kind": "points", "label": None if label is None else int(label)},
            )
        )
    return traces, len(keep), n


def _filled_outline(component: int) -> dict:
    """Trace attributes of a filled outline (ellipse) in a component's colour.

    The callers add the outline's coordinates, opacity, name and meta.
    """
    color = color_of(component)
    return dict(mode="lines", fill="toself", fillcolor=color, line=dict(color=color, width=1))


def _samples_trace(samples2: np.ndarray, kind: str = "scatter") -> dict:
    """New samples drawn from a mixture: diamonds in the second palette colour.

    Parameters
    ----------
    samples2 : ndarray of shape (m, 2)
    kind : {"scatter", "scattergl"}
    """
    return dict(
        type=kind,
        x=samples2[:, 0].astype(np.float32),
        y=samples2[:, 1].astype(np.float32),
        mode="markers",
        marker=dict(color=PALETTE[1], size=6, symbol="diamond"),
        name=f"{len(samples2)} new samples",
        meta={"kind": "samples"},
    )


def _padded_extent(points: np.ndarray, pad: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    """Corners of the points' bounding box, widened on every side by ``pad`` of its size.

    Parameters
    ----------
    points : ndarray of shape (m, 2)

    Returns
    -------
    lo, hi : ndarrays of shape (2,)
    """
    lo, hi = points.min(axis=0), points.max(axis=0)
    # The tiny extra width keeps the box of a single point (or a line) from being empty.
    margin = pad * (hi - lo + 1e-9)
    return lo - margin, hi + margin


def title_with_count(title: str, shown: int, total: int) -> str:
    if shown < total:
        return f"{title}<br><sup>showing {shown:,} of {total:,} points</sup>"
    return title


def clusters_figure(
    X2: np.ndarray,
    labels: np.ndarray | None = None,
    *,
    sizes: np.ndarray | None = None,
    means2: np.ndarray | None = None,
    covariances2: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    circle_centers: np.ndarray | None = None,
    circle_radii: np.ndarray | None = None,
    title: str = "",
    axis_names=("x", "y"),
) -> go.Figure:
    """Points coloured by label, with mixture ellipses or k-means circles.

    Parameters
    ----------
    X2 : ndarray of shape (n, 2)
        Points in the drawing plane.
    labels : ndarray of shape (n,) or None
        None draws every point in one neutral colour (labels hidden).
    sizes : ndarray of shape (n,) or None
        Marker areas (the chapter's ``s``); plotly sizes are diameters, so their square
        roots are drawn.
    means2, covariances2, weights : ndarrays of shape (k, 2), (k, 2, 2), (k,)
        Components to outline at 1, 2 and 3 sigma, opacity by weight.
    circle_centers, circle_radii : ndarrays of shape (k, 2), (k,)
        k-means circles (radius = farthest member).
    """
    traces = []
    if means2 is not None:
        opacities = ellipse_opacities(weights)
        for j in range(len(means2)):
            for sigma in SIGMA_LEVELS:
                outline = ellipse_outline(means2[j], covariances2[j], sigma)
                traces.append(
                    dict(
                        type="scatter",
                        x=outline[:, 0],
                        y=outline[:, 1],
                        **_filled_outline(j),
                        opacity=float(max(opacities[j], 0.02)),
                        name=f"component {j}, {sigma}σ",
                        legendgroup=f"c{j}",
                        showlegend=False,
                        hoverinfo="name",
                        meta={"kind": "ellipse", "component": j, "sigma": sigma},
                    )
                )
    if circle_centers is not None:
        for j, (center, radius) in enumerate(zip(circle_centers, circle_radii, strict=True)):
            outline = circle_outline(center, radius)
            traces.append(
                dict(
                    type="scatter",
                    x=outline[:, 0],
                    y=outline[:, 1],
                    mode="lines",
                    fill="toself",
                    fillcolor="rgba(160,160,160,0.25)",
                    line=dict(color=color_of(j), width=3),
                    name=f"cluster {j} circle (r = {radius:.2f})",
                    legendgroup=f"c{j}",
                    showlegend=False,
                    meta={"kind": "circle", "component": j, "radius": float(radius)},
                )
            )
    points, shown, total = _points_traces(X2, labels, sizes)
    traces += points
    if circle_centers is not None:
        traces.append(
            dict(
                type="scatter",
                x=circle_centers[:, 0],
                y=circle_centers[:, 1],
                mode="markers",
                marker=dict(symbol="x", size=12, color="black"),
                name="centres",
                meta={"kind": "centers"},
            )
        )
    return _figure(traces, title_with_count(title, shown, total), axis_names)


def density_figure(
    X2: np.ndarray,
    means2: np.ndarray,
    covariances2: np.ndarray,
    weights: np.ndarray,
    *,
    samples2: np.ndarray | None = None,
    title: str = "",
    axis_names=("x", "y"),
    grid_size: int = 120,
) -> go.Figure:
    """Log-density contours of a 2-D mixture, the data in grey, optional new samples.

    Parameters
    ----------
    X2 : ndarray of shape (n, 2)
    means2, covariances2, weights : the mixture in the drawing plane
    samples2 : ndarray of shape (m, 2) or None
    """
    lo, hi = _padded_extent(X2 if samples2 is None else np.vstack([X2, samples2]))
    gx = np.linspace(lo[0], hi[0], grid_size)
    gy = np.linspace(lo[1], hi[1], grid_size)
    grid = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    z = log_density(grid, means2, covariances2, weights).reshape(grid_size, grid_size)
    # Below about 12 nats under the peak nothing is visible; clipping keeps the colour
    # scale on the interesting part.
    z = np.maximum(z, z.max() - 12)
    contour = dict(
        type="contour",
        x=gx.astype(np.float32),
        y=gy.astype(np.float32),
        z=z.astype(np.float32),
        colorscale="Viridis",
        ncontours=18,
        contours=dict(coloring="heatmap", showlines=False),
        colorbar=dict(title=dict(text="log density")),
        name="log density",
        meta={"kind": "density"},
        hovertemplate="log density %{z:.2f}<extra></extra>",
    )
    points, shown, total = _points_traces(X2, None, None, name="data")
    for trace in points:
        trace["marker"].update(color="white", line=dict(color="black", width=0.5), size=6)
    traces = [contour, *points]
    if samples2 is not None:
        traces.append(_samples_trace(samples2))
    return _figure(traces, title_with_count(title, shown, total), axis_names)


def _criterion_traces(
    counts: np.ndarray,
    values: np.ndarray,
    criterion: str,
    color: str,
    *,
    name: str,
    meta: dict,
    best_label: str,
    star_size: int,
    symbol: str | None = None,
    star_text: bool = False,
) -> list[dict]:
    """A criterion's curve against the component count, and a star on its best value.

    Parameters
    ----------
    counts, values : ndarrays of shape (m,)
        Component counts and the criterion there; NaN where a fit was not scored (never
        all NaN). The best value is the highest held-out log-likelihood, else the lowest.
    name : str
        The curve's legend entry.
    meta : dict
        What identifies the curve (criterion, covariance type); both traces carry it,
        after their ``kind`` (``"criterion"``, ``"minimum"``).
    best_label : str
        Names the star: "<best_label> best at <count>".
    symbol : str or None
        Marker symbol of the curve's points (plotly's default when None).
    star_text : bool
        Also write "<best_label> best: <count>" above the star.

    Returns
    -------
    list of two trace dicts: curve, star
    """
    best = int(np.nanargmax(values) if criterion == "cv_loglik" else np.nanargmin(values))
    curve = dict(
        type="scatter",
        x=counts,
        y=values,
        mode="lines+markers",
        line=dict(color=color),
        name=name,
        meta={"kind": "criterion", **meta},
    )
    if symbol is not None:
        curve["marker"] = dict(symbol=symbol)
    star = dict(
        type="scatter",
        x=[counts[best]],
        y=[values[best]],
        mode="markers",
        marker=dict(symbol="star", size=star_size, color=color, line=dict(color="black", width=1)),
        name=f"{best_label} best at {counts[best]}",
        meta={"kind": "minimum", **meta, "n_components": int(counts[best])},
    )
    if star_text:
        star.update(
            mode="markers+text",
            text=[f"{best_label} best: {counts[best]}"],
            textposition="top center",
        )
    return [curve, star]


def criteria_figure(table, criteria=("bic", "aic"), *, title: str = "") -> go.Figure:
    """Criterion curves against the component count, each best value marked.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of one covariance type from :func:`gmm_core.selection.sweep`.
    """
    from .selection import CRITERIA

    traces = []
    for i, criterion in enumerate(criteria):
        if table[criterion].isna().all():
            continue
        traces += _criterion_traces(
            table["n_components"].to_numpy(),
            table[criterion].to_numpy(),
            criterion,
            PALETTE[i],
            name=CRITERIA[criterion],
            meta={"criterion": criterion},
            best_label="held-out log-likelihood" if criterion == "cv_loglik" else criterion.upper(),
            star_size=18,
            star_text=True,
        )
    layout = _chart_layout(
        title, "number of components", "criterion (AIC/BIC: lower is better)", height=420
    )
    return go.Figure(data=traces, layout=layout)


def criteria_grid_figure(table, criterion: str = "bic", *, title: str = "") -> go.Figure:
    """One curve per covariance type (like mclust's BIC plot), each best value marked."""
    from .models import COVARIANCE_TYPES

    traces = []
    symbols = ("circle", "square", "diamond", "triangle-up")
    for i, cov_type in enumerate(t for t in COVARIANCE_TYPES if t in set(table.covariance_type)):
        rows = table[table.covariance_type == cov_type]
        values = rows[criterion].to_numpy()
        if np.isnan(values).all():  # e.g. held-out scores where no fold could be fitted
            continue
        traces += _criterion_traces(
            rows["n_components"].to_numpy(),
            values,
            criterion,
            PALETTE[i],
            name=cov_type,
            meta={"criterion": criterion, "covariance_type": cov_type},
            best_label=cov_type,
            star_size=16,
            symbol=symbols[i],
        )
    direction = "higher" if criterion == "cv_loglik" else "lower"
    layout = _chart_layout(
        title,
        "number of components",
        f"{criterion.upper()} ({direction} is better)",
        height=420,
    )
    return go.Figure(data=traces, layout=layout)


def _tile(images: np.ndarray, columns: int, gap: int = 1) -> np.ndarray:
    """Images of shape (m, 64) tiled into one (rows*9-1, columns*9-1) array, NaN gaps."""
    side = 8
    rows = int(np.ceil(len(images) / columns))
    canvas = np.full((rows * (side + gap) - gap, columns * (side + gap) - gap), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        canvas[
            r * (side + gap) : r * (side + gap) + side, c * (side + gap) : c * (side + gap) + side
        ] = image.reshape(side, side)
    return canvas


def digits_figure(panels: dict[str, np.ndarray], columns: int = 10) -> go.Figure:
    """Grids of 8x8 digits side by side, one panel per entry of ``panels``.

    Parameters
    ----------
    panels : dict of title -> ndarray of shape (m, 64), grey levels 0..16
    """
    fig = make_subplots(
        rows=1, cols=len(panels), subplot_titles=list(panels), horizontal_spacing=0.03
    )
    for i, (title, images) in enumerate(panels.items(), start=1):
        fig.add_trace(
            go.Heatmap(
                z=_tile(np.asarray(images), columns).astype(np.float32),
                colorscale="Greys",
                zmin=0,
                zmax=16,
                showscale=False,
                hovertemplate="grey %{z:.0f}<extra></extra>",
                name=title,
                meta={"kind": "digits", "count": len(images)},
            ),
            row=1,
            col=i,
        )
        fig.update_yaxes(autorange="reversed", scaleanchor=f"x{i if i > 1 else ''}", row=1, col=i)
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_layout(
        template=TEMPLATE,
        margin=dict(l=10, r=10, t=40, b=10),
        height=max(420, 120 * len(panels)),
    )
    return fig


def lower_bound_figure(
    lower_bounds: np.ndarray, *, title: str = "EM lower bound per iteration"
) -> go.Figure:
    """The EM objective (mean log-likelihood) against the iteration number."""
    curve = dict(
        type="scatter",
        x=np.arange(1, len(lower_bounds) + 1),
        y=lower_bounds,
        mode="lines+markers",
        line=dict(color=PALETTE[0]),
        name="lower bound",
        meta={"kind": "lower_bound"},
    )
    layout = _chart_layout(title, "iteration", "mean log-likelihood (higher is better)", height=300)
    return go.Figure(data=[curve], layout=layout)


def weights_figure(weights: np.ndarray, *, title: str = "Component weights") -> go.Figure:
    """Bar chart of mixture weights, heaviest first, components below 1% greyed."""
    order = np.argsort(weights)[::-1]
    bars = dict(
        type="bar",
        x=[f"c{j}" for j in order],
        y=weights[order],
        marker=dict(color=[color_of(j) if weights[j] >= ACTIVE_WEIGHT else NEUTRAL for j in order]),
        name="weight",
        meta={"kind": "weights", "active": int(np.sum(weights >= ACTIVE_WEIGHT))},
    )
    layout = _chart_layout(title, "component (heaviest first)", "weight", height=320)
    return go.Figure(data=[bars], layout=layout)


def histogram_mixture_figure(
    x: np.ndarray,
    means: np.ndarray,
    variances: np.ndarray,
    weights: np.ndarray,
    *,
    title: str = "",
    axis_name: str = "value",
) -> go.Figure:
    """A 1-D mixture: histogram of the data (as a density), the fit and its components.

    Parameters
    ----------
    x : ndarray of shape (n,)
    means, variances, weights : ndarrays of shape (k,)
    """
    grid = np.linspace(x.min() - 0.1 * np.ptp(x), x.max() + 0.1 * np.ptp(x), 400)
    sd = np.sqrt(variances)
    parts = weights * np.exp(-0.5 * ((grid[:, None] - means) / sd) ** 2) / (sd * np.sqrt(2 * np.pi))
    histogram = dict(
        type="histogram",
        x=x.astype(np.float32),
        histnorm="probability density",
        marker=dict(color="#BBBBBB"),
        name="data",
        nbinsx=60,
        meta={"kind": "histogram"},
    )
    components = [
        dict(
            type="scatter",
            x=grid,
            y=parts[:, j],
            mode="lines",
            line=dict(color=color_of(j), dash="dash"),
            name=f"component {j}",
            meta={"kind": "component_density", "component": j},
        )
        for j in range(len(means))
    ]
    mixture = dict(
        type="scatter",
        x=grid,
        y=parts.sum(axis=1),
        mode="lines",
        line=dict(color="black", width=3),
        name="mixture",
        meta={"kind": "mixture_density"},
    )
    layout = _chart_layout(title, plain(axis_name), "density", height=420)
    return go.Figure(data=[histogram, *components, mixture], layout=layout)
