"""Animated EM / k-means figures: frames, slider, synced curve, initial view, payload."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from gmm_core.animation import (
    ANIMATION_SIGMAS,
    CERTAINTY_LEVELS,
    MAX_ANIMATION_POINTS,
    MAX_FRAMES,
    _certainty_colorscale,
    batched_outlines,
    certainty_codes,
    em_animation_figure,
    frame_iterations,
    kmeans_animation_figure,
    restarts_figure,
)
from gmm_core.em import COVARIANCE_TYPES, EMTrace, run_gmm_em, run_kmeans_steps
from gmm_core.errors import GMMInputError
from gmm_core.figures import PALETTE
from gmm_core.geometry import ellipse_outline, pca_axes, project_gaussians

X, _ = make_blobs(n_samples=300, centers=4, cluster_std=0.8, random_state=3)
PLANE = (np.zeros(2), np.eye(2))
TWO_MB = 2 * 1024 * 1024


def kinds(traces) -> list[str]:
    return [(t.meta or {}).get("kind") for t in traces]


@pytest.fixture(scope="module")
def trace():
    return run_gmm_em(X, 3, init_params="random_from_data", seed=0)


@pytest.fixture(scope="module")
def km_trace():
    return run_kmeans_steps(X, 4, init="random", seed=0)


# ----------------------------------------------------------------------------- helpers


def test_frame_iterations_keeps_all_or_spreads_evenly():
    assert frame_iterations(5).tolist() == [0, 1, 2, 3, 4, 5]
    capped = frame_iterations(250)
    assert len(capped) <= MAX_FRAMES
    assert capped[0] == 0 and capped[-1] == 250
    assert np.all(np.diff(capped) > 0)


@pytest.mark.parametrize("sigma", [1, 2])
def test_batched_outlines_match_the_single_ellipse(sigma):
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3, 2, 2))
    covs = A @ A.transpose(0, 2, 1) + 0.1 * np.eye(2)
    means = rng.normal(size=(3, 2))
    batched = batched_outlines(means, covs, sigma, n_points=49)
    for j in range(3):
        np.testing.assert_allclose(batched[j], ellipse_outline(means[j], covs[j], sigma, 49))


def test_certainty_codes_encode_component_and_confidence():
    resp = np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3], [0.0, 0.1, 0.9]])
    codes = certainty_codes(resp)
    top = CERTAINTY_LEVELS - 1
    assert codes.dtype == np.uint8
    assert codes.tolist() == [0 * CERTAINTY_LEVELS + top, 0, 2 * CERTAINTY_LEVELS + 4]
    assert certainty_codes(np.full((2, 60), 1 / 60)).dtype == np.uint16


def test_colour_scale_puts_each_full_shade_on_the_palette_colour():
    k = 5
    scale = _certainty_colorscale(k)
    positions = [p for p, _ in scale]
    assert positions[0] == 0 and positions[-1] == 1 and positions == sorted(positions)
    top = k * CERTAINTY_LEVELS - 1
    for j in range(k):
        code = j * CERTAINTY_LEVELS + CERTAINTY_LEVELS - 1
        stop = next(c for p, c in scale if np.isclose(p, code / top))
        r, g, b = (int(PALETTE[j][i : i + 2], 16) for i in (1, 3, 5))
        assert stop == f"rgb({r},{g},{b})"


# ----------------------------------------------------------------------------- EM


def test_one_frame_per_iteration_named_by_iteration(trace):
    fig = em_animation_figure(trace, X, *PLANE)
    assert len(fig.frames) == trace.n_iter + 1
    assert [f.name for f in fig.frames] == [str(t) for t in range(trace.n_iter + 1)]


def test_frames_are_capped_for_long_runs():
    fig = em_animation_figure(synthetic_trace(300, 3, 150), X, *PLANE)
    names = [int(f.name) for f in fig.frames]
    assert len(names) <= MAX_FRAMES
    assert names[0] == 0 and names[-1] == 150


def test_slider_steps_match_frames(trace):
    fig = em_animation_figure(trace, X, *PLANE)
    (slider,) = fig.layout.sliders
    assert [s.label for s in slider.steps] == [f.name for f in fig.frames]
    assert [list(s.args[0]) for s in slider.steps] == [[f.name] for f in fig.frames]
    assert all(s.method == "animate" for s in slider.steps)
    labels = [b.label for b in fig.layout.updatemenus[0].buttons]
    assert any("Play" in b for b in labels) and any("Pause" in b for b in labels)


def test_lower_bound_curve_is_the_trace(trace):
    fig = em_animation_figure(trace, X, *PLANE)
    (curve,) = [t for t in fig.data if t.meta and t.meta["kind"] == "lower_bound"]
    np.testing.assert_array_equal(np.asarray(curve.y), trace.lower_bounds)
    np.testing.assert_array_equal(np.asarray(curve.x), np.arange(trace.n_iter + 1))
    assert curve.xaxis == "x2"


def test_iteration_zero_outlier_is_left_off_the_curve_axis(trace):
    # random_from_data starts each component on one point: a huge negative bound.
    fig = em_animation_figure(trace, X, *PLANE)
    lo, hi = fig.layout.yaxis2.range
    assert trace.lower_bounds[0] < lo
    assert lo <= trace.lower_bounds[1:].min() and trace.lower_bounds[1:].max() <= hi
    assert any("iteration 0 is below" in a.text for a in fig.layout.annotations)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("k", [1, 2, 5])
def test_each_frame_moves_two_ellipses_per_component(k, covariance_type):
    trace = run_gmm_em(X, k, covariance_type=covariance_type, init_params="kmeans", seed=1)
    fig = em_animation_figure(trace, X, *PLANE)
    assert kinds(fig.data).count("ellipse") == 2 * k
    for frame in fig.frames:
        ellipses = [t for t in frame.data if (t.meta or {}).get("kind") == "ellipse"]
        assert len(ellipses) == 2 * k
        assert {t.meta["sigma"] for t in ellipses} == set(ANIMATION_SIGMAS)


def test_frame_ellipses_follow_the_recorded_components(trace):
    fig = em_animation_figure(trace, X, *PLANE)
    t = 2
    frame = fig.frames[t]
    for index, update in zip(frame.traces, frame.data, strict=True):
        meta = fig.data[index].meta
        if meta and meta["kind"] == "ellipse":
            j, sigma = meta["component"], meta["sigma"]
            expected = ellipse_outline(trace.means[t, j], trace.covariances[t, j], sigma, 49)
            np.testing.assert_allclose(update.x, expected[:, 0], rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(update.y, expected[:, 1], rtol=1e-5, atol=1e-5)


def test_points_colour_by_most_responsible_component(trace):
    fig = em_animation_figure(trace, X, *PLANE, iteration=trace.n_iter)
    (points,) = [t for t in fig.data if t.meta and t.meta["kind"] == "points"]
    codes = np.asarray(points.marker.color)
    np.testing.assert_array_equal(codes // CERTAINTY_LEVELS, trace.labels)
    assert points.marker.cmax == 3 * CERTAINTY_LEVELS - 1


@pytest.mark.parametrize("iteration", [0, 3, 10_000])
def test_initial_view_is_the_chosen_frame(trace, iteration):
    fig = em_animation_figure(trace, X, *PLANE, iteration=iteration)
    expected = min(iteration, trace.n_iter)
    active = fig.layout.sliders[0].active
    frame = fig.frames[active]
    assert frame.name == str(expected)
    assert f"iteration {expected} of" in fig.layout.title.text
    for index, update in zip(frame.traces, frame.data, strict=True):
        shown = fig.data[index]
        for attr in ("x", "y", "opacity"):
            if update[attr] is not None:
                np.testing.assert_array_equal(np.asarray(shown[attr]), np.asarray(update[attr]))
        if update.marker.color is not None:
            np.testing.assert_array_equal(
                np.asarray(shown.marker.color), np.asarray(update.marker.color)
            )
    (marker,) = [t for t in fig.data if t.meta and t.meta["kind"] == "current_iteration"]
    assert list(marker.x) == [expected]
    assert marker.y[0] == pytest.approx(trace.lower_bounds[expected])


def test_scatter_keeps_equal_axes(trace):
    fig = em_animation_figure(trace, X, *PLANE, axis_names=("a<b>", "c"))
    assert fig.layout.yaxis.scaleanchor == "x"
    assert fig.layout.xaxis.title.text == "a&lt;b&gt;"


def test_components_are_projected_for_higher_dimensions():
    X4, _ = make_blobs(n_samples=200, centers=3, n_features=4, random_state=0)
    trace = run_gmm_em(X4, 3, seed=0)
    center, directions = pca_axes(X4)
    X2 = (X4 - center) @ directions
    fig = em_animation_figure(trace, X2, center, directions)
    (means,) = [t for t in fig.data if t.meta and t.meta["kind"] == "means"]
    last = fig.frames[-1]
    means_update = last.data[list(last.traces).index(fig.data.index(means))]
    m2, _ = project_gaussians(trace.means[-1], trace.covariances[-1], center, directions)
    np.testing.assert_allclose(means_update.x, m2[:, 0], rtol=1e-5, atol=1e-5)
    with pytest.raises(GMMInputError, match="plane"):
        em_animation_figure(trace, X2, *PLANE)


def test_mismatched_points_are_refused(trace):
    with pytest.raises(GMMInputError, match="same rows"):
        em_animation_figure(trace, X[:10], *PLANE)


def synthetic_trace(n: int, k: int, n_iter: int, seed: int = 0) -> EMTrace:
    """An EM trace of the right shapes (random but valid), without running EM."""
    rng = np.random.default_rng(seed)
    resp = rng.dirichlet(np.ones(k), size=(n_iter + 1, n)).astype(np.float32)
    A = rng.normal(size=(n_iter + 1, k, 2, 2))
    return EMTrace(
        means=rng.normal(scale=5, size=(n_iter + 1, k, 2)),
        covariances=A @ np.swapaxes(A, -1, -2) + 0.1 * np.eye(2),
        weights=rng.dirichlet(np.ones(k), size=n_iter + 1),
        responsibilities=resp,
        lower_bounds=np.sort(rng.normal(size=n_iter + 1)),
        converged=False,
        n_iter=n_iter,
        covariance_type="full",
        init_params="random",
        seed=seed,
    )


@pytest.mark.parametrize("k", [4, 10, 30])
def test_payload_stays_under_two_megabytes(k):
    big = np.random.default_rng(1).normal(size=(5000, 2))
    fig = em_animation_figure(synthetic_trace(5000, k, 100), big, *PLANE)
    (points,) = [t for t in fig.data if t.meta and t.meta["kind"] == "points"]
    assert len(points.x) == MAX_ANIMATION_POINTS
    assert len(fig.to_json()) < TWO_MB
    # Frames are thinned only as far as the budget needs.
    assert len(fig.frames) == MAX_FRAMES if k <= 4 else len(fig.frames) >= 20


# ----------------------------------------------------------------------------- k-means


def test_kmeans_frames_centres_and_inertia(km_trace):
    fig = kmeans_animation_figure(km_trace, X, *PLANE, iteration=2)
    assert len(fig.frames) == km_trace.n_iter + 1
    assert [s.label for s in fig.layout.sliders[0].steps] == [f.name for f in fig.frames]
    (curve,) = [t for t in fig.data if t.meta and t.meta["kind"] == "inertia"]
    np.testing.assert_array_equal(np.asarray(curve.y), km_trace.inertia)
    (centers,) = [t for t in fig.data if t.meta and t.meta["kind"] == "centers"]
    np.testing.assert_allclose(centers.x, km_trace.centers[2, :, 0], rtol=1e-5)
    assert fig.layout.sliders[0].active == 2
    (points,) = [t for t in fig.data if t.meta and t.meta["kind"] == "points"]
    np.testing.assert_array_equal(
        np.asarray(points.marker.color) // CERTAINTY_LEVELS, km_trace.labels[2]
    )
    assert "ellipse" not in kinds(fig.data)


def test_kmeans_payload_stays_small():
    big, _ = make_blobs(n_samples=5000, centers=4, random_state=0)
    trace = run_kmeans_steps(big, 8, init="random", tol=0, max_iter=100)
    assert len(kmeans_animation_figure(trace, big, *PLANE).to_json()) < TWO_MB


# ----------------------------------------------------------------------------- restarts


def test_restarts_show_one_panel_per_seed_and_mark_the_best():
    traces = [run_gmm_em(X, 4, init_params="random_from_data", seed=s) for s in range(4)]
    fig = restarts_figure(traces, X, *PLANE)
    panels = [t for t in fig.data if t.meta and t.meta["kind"] == "points"]
    assert [p.meta["panel"] for p in panels] == [0, 1, 2, 3]
    assert [p.meta["seed"] for p in panels] == [0, 1, 2, 3]
    scores = np.array([t.lower_bounds[-1] for t in traces])
    best = [p.meta["best"] for p in panels]
    assert best[int(np.argmax(scores))]
    titles = [a.text for a in fig.layout.annotations]
    for trace, title in zip(traces, titles, strict=True):
        assert f"{trace.lower_bounds[-1]:.3f}" in title
        assert ("best" in title) == bool(best[trace.seed])
    assert len(fig.layout.shapes) == sum(best)
    assert kinds(fig.data).count("ellipse") == 4 * 4 * len(ANIMATION_SIGMAS)


def test_kmeans_restarts_rank_by_inertia():
    traces = [run_kmeans_steps(X, 4, init="random", seed=s) for s in range(3)]
    fig = restarts_figure(traces, X, *PLANE)
    panels = [t for t in fig.data if t.meta and t.meta["kind"] == "points"]
    assert len(panels) == 3
    inertia = np.array([t.inertia[-1] for t in traces])
    assert panels[int(np.argmin(inertia))].meta["best"]
    assert kinds(fig.data).count("centers") == 3
