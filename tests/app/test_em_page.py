"""The EM step-by-step page, through AppTest: frames, controls, links, restarts."""

import numpy as np
import pytest

from gmm_core.data import dataset_from_array
from tests.app.conftest import figures, no_errors, open_page, traces_of, values
from ui import state

PAGE = "pages/em.py"


def source_option(source: str) -> str:
    """What the Data page's source control stores for a core source name."""
    options = getattr(state, "SOURCE_OPTIONS", {})
    return next((label for label, name in options.items() if name == source), source)


def animation(at) -> dict:
    return figures(at)[0]


def restarts_chart(at) -> dict:
    return figures(at)[1]


def ellipses_per_frame(fig: dict) -> set[int]:
    return {
        sum((t.get("meta") or {}).get("kind") == "ellipse" for t in frame["data"])
        for frame in fig["frames"]
    }


@pytest.fixture(scope="module")
def default_page():
    return open_page(PAGE)


def test_default_view_is_an_animation(default_page):
    at = default_page
    no_errors(at)
    fig = animation(at)
    assert fig["frames"], "the figure carries one frame per iteration"
    names = [f["name"] for f in fig["frames"]]
    assert names == [str(i) for i in range(len(names))]
    slider = fig["layout"]["sliders"][0]
    assert [s["label"] for s in slider["steps"]] == names
    assert slider["active"] == 0
    assert fig["layout"]["updatemenus"][0]["buttons"][0]["method"] == "animate"
    assert len(traces_of(fig, "lower_bound")) == 1
    assert ellipses_per_frame(fig) == {2 * 4}
    # The number of iterations is reported, with the convergence badge.
    iterations = next(m for m in at.metric if m.label == "Iterations run")
    assert int(iterations.value) == len(names) - 1


@pytest.mark.parametrize("k", [2, 5])
def test_components_change_ellipses_per_frame(k):
    at = open_page(PAGE)
    at.slider(key="k").set_value(k).run()
    no_errors(at)
    fig = animation(at)
    assert ellipses_per_frame(fig) == {2 * k}
    assert len(traces_of(fig, "ellipse")) == 2 * k


def test_kmeans_moves_centres_instead_of_ellipses():
    at = open_page(PAGE)
    at.radio(key="em_model").set_value("kmeans").run()
    no_errors(at)
    # Its own initialisations, starting from its default.
    assert at.selectbox(key="em_init").options == ["k-means++", "random"]
    assert at.selectbox(key="em_init").value == "random"
    fig = animation(at)
    assert len(traces_of(fig, "centers")) == 1
    assert not traces_of(fig, "ellipse")
    assert len(traces_of(fig, "inertia")) == 1
    assert fig["frames"]
    # Back to the mixture: back to its own default start.
    at.radio(key="em_model").set_value("gmm").run()
    assert at.selectbox(key="em_init").value == "random_from_data"


def test_link_opens_on_the_chosen_iteration():
    at = open_page(PAGE, query={"em_step": "3"})
    no_errors(at)
    fig = animation(at)
    slider = fig["layout"]["sliders"][0]
    assert slider["active"] == 3
    assert slider["steps"][3]["label"] == "3"
    assert "iteration 3 of" in fig["layout"]["title"]["text"]
    marker = traces_of(fig, "current_iteration")[0]
    assert marker["x"] == [3]


def test_link_reproduces_the_whole_setting():
    query = {"em_model": "kmeans", "em_init": "k-means++", "em_seed": "2", "k": "3"}
    at = open_page(PAGE, query=query)
    no_errors(at)
    assert at.radio(key="em_model").value == "kmeans"
    assert at.selectbox(key="em_init").value == "k-means++"
    assert at.number_input(key="em_seed").value == 2
    centres = traces_of(animation(at), "centers")[0]
    assert len(values(centres["x"])) == 3
    assert (
        "k-means, 3 clusters, k-means++ start, seed 2" in animation(at)["layout"]["title"]["text"]
    )


def test_an_initialisation_the_model_lacks_falls_back():
    at = open_page(PAGE, query={"em_model": "kmeans", "em_init": "random_from_data"})
    no_errors(at)
    assert at.selectbox(key="em_init").value == "random"


def test_a_step_past_the_end_opens_on_the_last_iteration():
    at = open_page(PAGE, query={"em_step": "250"})
    no_errors(at)
    fig = animation(at)
    assert fig["layout"]["sliders"][0]["active"] == len(fig["frames"]) - 1
    assert any("stopped after" in c.value for c in at.caption)


def test_restarts_show_one_panel_per_seed(default_page):
    fig = restarts_chart(default_page)
    panels = traces_of(fig, "points")
    assert [p["meta"]["seed"] for p in panels] == [0, 1, 2, 3]
    assert any(p["meta"]["best"] for p in panels)
    at = open_page(PAGE, query={"em_restarts": "3", "em_seed": "5"})
    no_errors(at)
    panels = traces_of(restarts_chart(at), "points")
    assert [p["meta"]["seed"] for p in panels] == [5, 6, 7]


def test_one_column_data_gets_a_message_not_a_traceback():
    x = np.random.default_rng(0).normal(size=(50, 1))
    dataset = dataset_from_array(x, ("value",), "one column")
    at = open_page(
        PAGE, session={"data": source_option(state.UPLOAD), "upload_dataset": (dataset, "one")}
    )
    no_errors(at)
    assert any("2 or more columns" in i.value for i in at.info)
    assert not figures(at)


def test_wide_data_is_drawn_on_a_plane():
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(n_samples=150, centers=3, n_features=4, random_state=0)
    dataset = dataset_from_array(X, ("a", "b", "c", "d"), "four columns")
    session = {"data": source_option(state.UPLOAD), "upload_dataset": (dataset, "four")}
    at = open_page(PAGE, session=session)
    no_errors(at)
    view = at.selectbox(key="view")
    assert view.index == 0  # principal components first
    fig = animation(at)
    assert fig["layout"]["xaxis"]["title"]["text"] == "principal component 1"
    view.set_value(view.options[1]).run()  # a pair of columns
    no_errors(at)
    assert animation(at)["layout"]["xaxis"]["title"]["text"] in dataset.feature_names
