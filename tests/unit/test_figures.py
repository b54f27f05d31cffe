"""Plotly figures: what is drawn, how many traces, sizes, opacity, subsets, escaping."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from sklearn.datasets import make_blobs

from gmm_core import limits
from gmm_core.figures import (
    GL_THRESHOLD,
    clusters_figure,
    criteria_figure,
    criteria_grid_figure,
    density_figure,
    digits_figure,
    drawing_subset,
    histogram_mixture_figure,
    plain,
    weights_figure,
)
from gmm_core.models import COVARIANCE_TYPES, ModelSpec, fit_gmm, fit_kmeans
from gmm_core.selection import sweep
from gmm_core.uncertainty import uncertainty_sizes

TYPES = list(COVARIANCE_TYPES)
SCRIPT = "<script>alert(1)</script>"


def _kind(fig: go.Figure, kind: str) -> list:
    return [t for t in fig.data if t.meta is not None and t.meta.get("kind") == kind]


def _blobs(n: int = 300, centers: int = 3, seed: int = 0):
    X, y = make_blobs(n_samples=n, centers=centers, random_state=seed)
    return X @ np.random.RandomState(seed).randn(2, 2), y


def _mahalanobis(points, mean, cov):
    diff = points - mean
    return np.sqrt(np.einsum("ni,ij,nj->n", diff, np.linalg.inv(cov), diff))


def _points_shown(fig: go.Figure) -> int:
    return sum(len(t.x) for t in _kind(fig, "points"))


# ------------------------------------------------------------------ ellipses


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("covariance_type", TYPES)
@pytest.mark.parametrize("k", [1, 3, 5])
def test_mixture_is_outlined_at_1_2_3_sigma(k, covariance_type, seed):
    X, _ = _blobs(seed=seed)
    fit = fit_gmm(X, ModelSpec(k, covariance_type, seed=seed))
    fig = clusters_figure(
        X, fit.labels, means2=fit.means, covariances2=fit.covariances, weights=fit.weights
    )
    ellipses = _kind(fig, "ellipse")
    assert len(ellipses) == 3 * k
    for j in range(k):
        mine = [t for t in ellipses if t.meta["component"] == j]
        assert sorted(t.meta["sigma"] for t in mine) == [1, 2, 3]
        for trace in mine:
            points = np.column_stack([trace.x, trace.y])
            distance = _mahalanobis(points, fit.means[j], fit.covariances[j])
            np.testing.assert_allclose(distance, trace.meta["sigma"], rtol=1e-6)
            assert trace.fill == "toself"
    assert _points_shown(fig) == len(X)


def test_ellipse_opacity_follows_the_weights():
    means = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    covs = np.broadcast_to(np.eye(2), (3, 2, 2))
    weights = np.array([0.2, 0.5, 0.3])
    fig = clusters_figure(np.zeros((3, 2)), means2=means, covariances2=covs, weights=weights)
    for trace in _kind(fig, "ellipse"):
        j = trace.meta["component"]
        assert trace.opacity == pytest.approx(0.2 * weights[j] / weights.max())
    heaviest = [t for t in _kind(fig, "ellipse") if t.meta["component"] == 1]
    assert all(t.opacity == pytest.approx(0.2) for t in heaviest)


def test_negligible_components_stay_faintly_visible():
    covs = np.broadcast_to(np.eye(2), (2, 2, 2))
    fig = clusters_figure(
        np.zeros((2, 2)),
        means2=np.zeros((2, 2)),
        covariances2=covs,
        weights=np.array([1.0, 1e-9]),
    )
    assert all(0 < t.opacity <= 0.2 for t in _kind(fig, "ellipse"))


# --------------------------------------------------------------- k-means circles


@pytest.mark.parametrize("k", [1, 4, 6])
def test_kmeans_circles_one_per_cluster(k):
    X, _ = _blobs(n=200, centers=4)
    km = fit_kmeans(X, k)
    fig = clusters_figure(X, km.labels, circle_centers=km.centers, circle_radii=km.radii)
    circles = _kind(fig, "circle")
    assert len(circles) == k
    assert not _kind(fig, "ellipse")
    for trace in circles:
        j = trace.meta["component"]
        assert trace.meta["radius"] == pytest.approx(km.radii[j])
        outline = np.column_stack([trace.x, trace.y])
        np.testing.assert_allclose(np.linalg.norm(outline - km.centers[j], axis=1), km.radii[j])
    (centres,) = _kind(fig, "centers")
    np.testing.assert_allclose(np.column_stack([centres.x, centres.y]), km.centers)


# ----------------------------------------------------------------------- points


@pytest.mark.parametrize("covariance_type", TYPES)
def test_marker_sizes_show_the_chapters_uncertainty(covariance_type):
    X, _ = _blobs(n=250, centers=3, seed=2)
    fit = fit_gmm(X, ModelSpec(3, covariance_type))
    sizes = uncertainty_sizes(fit.probabilities)
    fig = clusters_figure(X, fit.labels, sizes=sizes)
    seen = 0
    for trace in _kind(fig, "points"):
        rows = np.asarray(trace.customdata)
        expected = np.sqrt(50 * fit.probabilities[rows].max(axis=1) ** 2)
        np.testing.assert_allclose(np.asarray(trace.marker.size, float), expected, rtol=1e-6)
        # Each label's trace holds exactly that label's points, at their positions.
        assert np.all(fit.labels[rows] == trace.meta["label"])
        np.testing.assert_allclose(trace.x, X[rows, 0], rtol=1e-6)
        seen += len(rows)
    assert seen == len(X)


def test_hidden_labels_draw_one_neutral_cloud():
    X, _ = _blobs(n=100)
    fig = clusters_figure(X)
    (points,) = _kind(fig, "points")
    assert len(points.x) == 100 and points.meta["label"] is None


@pytest.mark.parametrize("make", ["points", "ellipses", "circles"])
def test_axes_have_equal_scales(make):
    X, y = _blobs(n=50)
    kwargs = {
        "points": {},
        "ellipses": dict(means2=np.zeros((1, 2)), covariances2=np.eye(2)[None], weights=np.ones(1)),
        "circles": dict(circle_centers=np.zeros((1, 2)), circle_radii=np.ones(1)),
    }[make]
    fig = clusters_figure(X, y, **kwargs)
    assert fig.layout.yaxis.scaleanchor == "x"
    assert fig.layout.yaxis.scaleratio == 1


@pytest.mark.parametrize(("n", "expected"), [(GL_THRESHOLD, go.Scatter), (2001, go.Scattergl)])
@pytest.mark.parametrize("labelled", [False, True])
def test_webgl_is_used_above_2000_points(n, expected, labelled):
    assert GL_THRESHOLD == 2000
    X = np.random.default_rng(0).normal(size=(n, 2))
    labels = np.arange(n) % 3 if labelled else None
    traces = _kind(clusters_figure(X, labels), "points")
    assert all(type(t) is expected for t in traces)


# -------------------------------------------------------------- drawing subset


def test_small_clouds_are_drawn_whole():
    np.testing.assert_array_equal(
        drawing_subset(np.zeros(10, int), 10, max_points=10), np.arange(10)
    )
    np.testing.assert_array_equal(drawing_subset(None, 7), np.arange(7))


@pytest.mark.parametrize(
    "sizes", [[3000, 3000, 3000, 3000], [9000, 1000], [6000, 4000, 2], [20000, 1, 1, 1]]
)
def test_drawing_subset_is_stratified(sizes):
    labels = np.repeat(np.arange(len(sizes)), sizes)
    rng = np.random.default_rng(0)
    rng.shuffle(labels)
    n, cap = len(labels), limits.MAX_POINTS_DRAWN
    keep = drawing_subset(labels, n)
    assert len(np.unique(keep)) == len(keep)
    assert keep.min() >= 0 and keep.max() < n
    counts = np.bincount(labels[keep], minlength=len(sizes))
    for size, count in zip(sizes, counts, strict=True):
        assert count >= 1
        # Each label keeps its share, give or take the single points that tiny labels
        # are guaranteed (taken from the others).
        assert abs(count - size * cap / n) <= len(sizes)
    assert counts.sum() == cap


@pytest.mark.parametrize(
    "sizes",
    [
        [3000, 3000, 3000, 3000],
        [3001, 3001, 3001, 1],
        [9000, 1000],
        [2288, 3933, 3135, 689, 1017, 2407],
        [9000] + [1] * 1000,
    ],
)
def test_drawing_subset_never_exceeds_the_cap(sizes):
    labels = np.repeat(np.arange(len(sizes)), sizes)
    keep = drawing_subset(labels, len(labels))
    assert len(np.unique(labels[keep])) == len(sizes)
    assert len(keep) <= limits.MAX_POINTS_DRAWN


def test_unlabelled_subset_is_exactly_the_cap():
    keep = drawing_subset(None, 12_000, max_points=1000, seed=3)
    assert len(keep) == len(np.unique(keep)) == 1000
    assert not np.array_equal(keep, drawing_subset(None, 12_000, max_points=1000, seed=4))


@pytest.mark.parametrize("labelled", [False, True])
def test_title_says_how_many_points_are_shown(labelled):
    n = 12_000
    X = np.random.default_rng(1).normal(size=(n, 2))
    labels = np.arange(n) % 4 if labelled else None
    fig = clusters_figure(X, labels, title="Big data")
    shown = _points_shown(fig)
    assert shown <= limits.MAX_POINTS_DRAWN
    assert f"showing {shown:,} of {n:,} points" in fig.layout.title.text
    assert fig.layout.title.text.startswith("Big data")
    small = clusters_figure(X[: limits.MAX_POINTS_DRAWN], None, title="Small")
    assert "showing" not in small.layout.title.text


# -------------------------------------------------------------------- escaping


def test_plain_escapes_markup():
    assert "<script>" not in plain(SCRIPT)
    assert plain(SCRIPT) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert plain("a & b") == "a &amp; b"
    assert plain(3.5) == "3.5"


def test_user_text_never_reaches_a_figure_as_markup():
    X, y = _blobs(n=40)
    fig = clusters_figure(X, y, title=plain(SCRIPT), axis_names=(SCRIPT, "<b>y</b>"))
    texts = [fig.layout.title.text, fig.layout.xaxis.title.text, fig.layout.yaxis.title.text]
    assert not any("<script>" in t or "<b>" in t for t in texts)
    assert "&lt;script&gt;" in fig.layout.xaxis.title.text
    hist = histogram_mixture_figure(X[:, 0], np.zeros(1), np.ones(1), np.ones(1), axis_name=SCRIPT)
    assert "<script>" not in hist.layout.xaxis.title.text
    density = density_figure(
        X, np.zeros((1, 2)), np.eye(2)[None], np.ones(1), axis_names=(SCRIPT, SCRIPT), grid_size=10
    )
    assert "<script>" not in density.layout.yaxis.title.text


# -------------------------------------------------------------------- criteria


def _criteria_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "covariance_type": "full",
            "n_components": [1, 2, 3, 4, 5, 6],
            "aic": [50.0, 40.0, 30.0, 25.0, 20.0, 22.0],
            "bic": [50.0, 35.0, 30.0, 33.0, 36.0, 40.0],
            "cv_loglik": [-3.0, -2.5, -2.0, -1.9, -2.2, -2.4],
        }
    )


def test_criteria_figure_marks_each_minimum():
    fig = criteria_figure(_criteria_table())
    marks = {t.meta["criterion"]: t for t in _kind(fig, "minimum")}
    assert set(marks) == {"bic", "aic"}
    assert marks["bic"].meta["n_components"] == 3 and list(marks["bic"].x) == [3]
    assert list(marks["bic"].y) == [30.0]
    assert marks["aic"].meta["n_components"] == 5 and list(marks["aic"].y) == [20.0]
    assert len(_kind(fig, "criterion")) == 2


def test_criteria_figure_marks_the_best_held_out_score_at_its_maximum():
    fig = criteria_figure(_criteria_table(), ("bic", "cv_loglik"))
    marks = {t.meta["criterion"]: t.meta["n_components"] for t in _kind(fig, "minimum")}
    assert marks == {"bic": 3, "cv_loglik": 4}


def test_criteria_figure_skips_a_criterion_that_was_not_computed():
    table = _criteria_table().assign(cv_loglik=np.nan)
    fig = criteria_figure(table, ("bic", "aic", "cv_loglik"))
    assert {t.meta["criterion"] for t in _kind(fig, "minimum")} == {"bic", "aic"}


def test_criteria_figure_from_a_real_sweep():
    X, _ = _blobs(n=150, centers=3)
    result = sweep(X, range(1, 6))
    fig = criteria_figure(result.table)
    marks = {t.meta["criterion"]: t.meta["n_components"] for t in _kind(fig, "minimum")}
    assert marks == {c: result.minima["full"][c] for c in ("bic", "aic")}


@pytest.mark.parametrize("criterion", ["bic", "aic"])
def test_criteria_grid_marks_one_minimum_per_type(criterion):
    X, _ = _blobs(n=150, centers=3, seed=1)
    result = sweep(X, range(1, 6), TYPES)
    fig = criteria_grid_figure(result.table, criterion)
    marks = _kind(fig, "minimum")
    assert len(marks) == 4
    assert {t.meta["covariance_type"] for t in marks} == set(TYPES)
    for trace in marks:
        assert trace.meta["n_components"] == result.minima[trace.meta["covariance_type"]][criterion]
    assert len(_kind(fig, "criterion")) == 4


def test_criteria_grid_with_fewer_types():
    X, _ = _blobs(n=100, centers=2)
    result = sweep(X, range(1, 4), ("diag", "spherical"))
    assert len(_kind(criteria_grid_figure(result.table), "minimum")) == 2


# ------------------------------------------------------------------- digits etc.


@pytest.mark.parametrize("panels", [1, 2, 3])
def test_digits_figure_has_one_heatmap_per_panel(panels):
    rng = np.random.default_rng(0)
    data = {f"panel {i}": rng.uniform(0, 16, size=(5 + 10 * i, 64)) for i in range(panels)}
    fig = digits_figure(data, columns=10)
    heatmaps = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert len(heatmaps) == panels
    for heatmap, (title, images) in zip(heatmaps, data.items(), strict=True):
        assert heatmap.meta["count"] == len(images)
        z = np.asarray(heatmap.z, dtype=float)
        rows = int(np.ceil(len(images) / 10))
        # Tiles of 8x8 with one-pixel gaps, 10 to a row; unused tiles and gaps stay empty.
        assert z.shape == (rows * 9 - 1, 10 * 9 - 1)
        assert np.count_nonzero(~np.isnan(z)) == 64 * len(images)
        # The first image sits in the top-left 8x8 tile.
        np.testing.assert_allclose(z[:8, :8], images[0].reshape(8, 8), rtol=1e-6)
        assert heatmap.name == title


@pytest.mark.parametrize(
    ("weights", "active"),
    [
        (np.array([0.5, 0.3, 0.2]), 3),
        (np.array([0.9, 0.005, 0.095]), 2),
        (np.array([0.999, 0.0005, 0.0005]), 1),
        (np.full(10, 0.1), 10),
    ],
)
def test_weights_figure_counts_active_components(weights, active):
    fig = weights_figure(weights)
    (bars,) = _kind(fig, "weights")
    assert bars.meta["active"] == active
    assert np.all(np.diff(np.asarray(bars.y)) <= 0)  # heaviest first
    assert len(bars.x) == len(weights)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_histogram_mixture_has_components_and_a_density_that_integrates_to_one(k):
    rng = np.random.default_rng(k)
    means = np.linspace(-5, 5, k)
    variances = rng.uniform(0.3, 1.5, size=k)
    weights = rng.dirichlet(np.ones(k))
    picks = rng.choice(k, size=5000, p=weights)
    x = rng.normal(means[picks], np.sqrt(variances[picks]))
    fig = histogram_mixture_figure(x, means, variances, weights)
    components = _kind(fig, "component_density")
    (mixture,) = _kind(fig, "mixture_density")
    assert len(components) == k
    assert len(_kind(fig, "histogram")) == 1
    grid, density = np.asarray(mixture.x), np.asarray(mixture.y)
    assert np.trapezoid(density, grid) == pytest.approx(1.0, abs=0.01)
    np.testing.assert_allclose(sum(np.asarray(c.y) for c in components), density, rtol=1e-12)
    for j, trace in enumerate(components):
        assert np.trapezoid(np.asarray(trace.y), grid) == pytest.approx(weights[j], abs=0.01)


def test_density_figure_peaks_at_the_component_mean():
    X = np.random.default_rng(0).normal(size=(300, 2)) + np.array([3.0, -1.0])
    fig = density_figure(X, np.array([[3.0, -1.0]]), np.eye(2)[None], np.ones(1), grid_size=61)
    (contour,) = _kind(fig, "density")
    z = np.asarray(contour.z, dtype=float)
    row, col = np.unravel_index(np.argmax(z), z.shape)
    step = np.diff(np.asarray(contour.x, float))[0]
    assert abs(contour.x[col] - 3.0) <= step and abs(contour.y[row] + 1.0) <= step
    assert _points_shown(fig) == 300
    assert fig.layout.yaxis.scaleanchor == "x"
