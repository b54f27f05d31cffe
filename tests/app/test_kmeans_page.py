"""The k-means page: circles that reach the farthest member, and where they fail."""

from itertools import permutations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs

from gmm_core.compare import mismatched, points_in_several_circles
from gmm_core.data import dataset_from_array
from tests.app.conftest import figures, no_errors, open_page, traces_of, values
from ui import state

PAGE = "pages/kmeans.py"


def source_option(source: str) -> str:
    """What the Data page's source control stores for a core source name."""
    options = getattr(state, "SOURCE_OPTIONS", {})
    return next((label for label, name in options.items() if name == source), source)


def with_upload(dataset, key: str, **more) -> dict:
    """Session state as after loading ``dataset`` on the Data page."""
    return {"data": source_option(state.UPLOAD), "upload_dataset": (dataset, key), **more}


def by_title(at) -> dict[str, dict]:
    return {f["layout"]["title"]["text"].split(":")[0]: f for f in figures(at)}


def xy(trace) -> np.ndarray:
    return np.column_stack([values(trace["x"]), values(trace["y"])])


def check_radii(fig: dict) -> None:
    """Each circle's radius is the distance from its centre to its farthest drawn member."""
    centers = xy(traces_of(fig, "centers")[0])
    points = {t["meta"]["label"]: xy(t) for t in traces_of(fig, "points")}
    for circle in traces_of(fig, "circle"):
        j = circle["meta"]["component"]
        farthest = np.linalg.norm(points[j] - centers[j], axis=1).max()
        assert circle["meta"]["radius"] == pytest.approx(farthest, rel=1e-4)
        outline = xy(circle)
        assert np.linalg.norm(outline - centers[j], axis=1) == pytest.approx(farthest, rel=1e-4)


def chapter_stretched():
    X, y = make_blobs(n_samples=400, centers=4, cluster_std=0.60, random_state=0)
    return X[:, ::-1] @ np.random.RandomState(13).randn(2, 2), y


def brute_force_mismatches(y_true, labels) -> int:
    """Fewest disagreements over every renumbering of 4 clusters (reference for Hungarian)."""
    return min(int(np.sum(np.array(perm)[labels] != y_true)) for perm in permutations(range(4)))


@pytest.fixture(scope="module")
def default():
    return open_page(PAGE)


def test_default_draws_both_chapter_panels_with_four_circles(default):
    no_errors(default)
    charts = by_title(default)
    assert set(charts) == {"Round blobs", "Stretched blobs"}
    for fig in charts.values():
        assert len(traces_of(fig, "circle")) == 4
        check_radii(fig)


def test_stretched_blobs_are_mislabelled_round_ones_are_not(default):
    charts = by_title(default)
    wrong = {name: traces_of(fig, "mislabelled")[0] for name, fig in charts.items()}
    overlap = {name: traces_of(fig, "overlap")[0] for name, fig in charts.items()}
    assert len(values(wrong["Round blobs"]["x"])) <= 3
    assert len(values(wrong["Stretched blobs"]["x"])) >= 10
    assert len(values(overlap["Stretched blobs"]["x"])) > len(values(overlap["Round blobs"]["x"]))
    # Mislabelled points are drawn as open black rings, with the count in the legend.
    ring = wrong["Stretched blobs"]["marker"]
    assert ring["symbol"] == "circle-open" and ring["color"] == "black"
    n_wrong = wrong["Stretched blobs"]["meta"]["count"]
    assert f"({n_wrong})" in wrong["Stretched blobs"]["name"]
    # ...and the same counts are stated in words.
    text = " ".join(m.value for m in default.markdown)
    assert f"**{n_wrong}** get a different label" in text


def test_mislabelled_count_matches_an_independent_reference(default):
    X, y = chapter_stretched()
    labels = KMeans(4, random_state=0, n_init=10).fit(X).labels_
    fig = by_title(default)["Stretched blobs"]
    drawn = traces_of(fig, "mislabelled")[0]
    assert drawn["meta"]["count"] == brute_force_mismatches(y, labels)


def test_changing_k_changes_the_circles():
    at = open_page(PAGE, query={"km_k": "3"})
    no_errors(at)
    for fig in figures(at):
        assert len(traces_of(fig, "circle")) == 3
        check_radii(fig)
    at.slider(key="km_k").set_value(6).run()
    no_errors(at)
    for fig in figures(at):
        assert len(traces_of(fig, "circle")) == 6
        check_radii(fig)
        # Asked for 6 groups of 4 true clusters: at least 2 clusters' worth are "wrong".
        assert traces_of(fig, "mislabelled")[0]["meta"]["count"] > 0


def test_changing_the_seed_changes_the_stretched_fit(default):
    at = open_page(PAGE, query={"seed": "1"})
    no_errors(at)
    before = xy(traces_of(by_title(default)["Stretched blobs"], "centers")[0])
    after = xy(traces_of(by_title(at)["Stretched blobs"], "centers")[0])
    assert not np.allclose(np.sort(before, axis=0), np.sort(after, axis=0))


def test_other_data_from_the_data_page_gets_its_own_panel():
    at = open_page(PAGE, session={"data": "moons"})
    no_errors(at)
    charts = figures(at)
    assert len(charts) == 3
    moons = charts[2]
    assert "moons" in moons["layout"]["title"]["text"]
    assert len(traces_of(moons, "circle")) == 4
    check_radii(moons)
    # Four circles on two moons: many points get the wrong moon.
    assert traces_of(moons, "mislabelled")[0]["meta"]["count"] > 20


def test_uploaded_data_without_labels_shows_overlaps_only():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (60, 2)), rng.normal([5, 0], 1, (60, 2))])
    mine = dataset_from_array(X, ("a<b>", "c"), "mine.csv (a<b>, c)")
    at = open_page(PAGE, session=with_upload(mine, "upload:test-km", km_k=2))
    no_errors(at)
    mine = figures(at)[2]
    assert len(traces_of(mine, "circle")) == 2
    assert traces_of(mine, "mislabelled") == []
    assert traces_of(mine, "overlap")
    assert "&lt;b&gt;" in mine["layout"]["title"]["text"]  # a column name is not markup
    assert any("no true labels" in m.value for m in at.markdown)


def test_one_column_data_reports_counts_without_a_chart():
    X = np.concatenate([np.linspace(0, 1, 30), np.linspace(5, 6, 30)])[:, None]
    one = dataset_from_array(X, ("v",), "one.csv (v)")
    at = open_page(PAGE, session=with_upload(one, "upload:test-km-1d"))
    no_errors(at)
    assert len(figures(at)) == 2
    assert any("intervals" in c.value for c in at.caption)


def test_compare_helpers_on_hand_made_cases():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [10.0, 0.0]])
    centers = np.array([[0.0, 0.0], [2.0, 0.0]])
    in_both = points_in_several_circles(X, centers, np.array([1.0, 1.0]))
    assert in_both.tolist() == [False, True, False, False]
    # Renumbered labels are not mistakes; extra found clusters are.
    y = np.array([0, 0, 1, 1, 2, 2])
    assert not mismatched(y, np.array([2, 2, 0, 0, 1, 1])).any()
    assert mismatched(y, np.array([1, 1, 0, 0, 0, 3])).tolist() == [0, 0, 0, 0, 1, 0]
    assert mismatched(y, np.array([0, 0, 0, 0, 0, 0])).sum() == 4
