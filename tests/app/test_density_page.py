"""The density page: many components as a density, new samples, and their download."""

import io

import numpy as np
import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from gmm_core.data import dataset_from_array
from tests.app.conftest import figures, no_errors, open_page, traces_of, values
from ui import state

PAGE = "pages/density.py"
MOONS = {"data": "moons"}


def source_option(source: str) -> str:
    """What the Data page's source control stores for a core source name."""
    options = getattr(state, "SOURCE_OPTIONS", {})
    return next((label for label, name in options.items() if name == source), source)


@pytest.fixture
def downloads(monkeypatch):
    """Bytes of every file the page offers for download, by media file id."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        files[file_id] = path_or_data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    return files


def downloaded_csv(at, files) -> pd.DataFrame:
    button = at.download_button(key="dens_download")
    file_id = button.proto.url.rsplit("/", 1)[-1].split(".")[0]
    return pd.read_csv(io.BytesIO(files[file_id]))


def xy(trace) -> np.ndarray:
    return np.column_stack([values(trace["x"]), values(trace["y"])])


def density_z(fig) -> np.ndarray:
    """The density grid of a figure (conftest's ``values`` does not read 2-D shapes)."""
    z = traces_of(fig, "density")[0]["z"]
    if isinstance(z, dict):
        shape = tuple(int(s) for s in str(z["shape"]).split(","))
        return np.asarray(values({"bdata": z["bdata"], "dtype": z["dtype"]})).reshape(shape)
    return np.asarray(z)


def samples_trace(at) -> dict:
    found = [t for fig in figures(at) for t in traces_of(fig, "samples")]
    assert len(found) == 1
    return found[0]


@pytest.fixture(scope="module")
def moons():
    return open_page(PAGE, session=MOONS)


def test_default_is_a_density_with_labels_hidden_and_400_samples(moons):
    no_errors(moons)
    (fig,) = figures(moons)
    assert len(traces_of(fig, "density")) == 1
    points = traces_of(fig, "points")
    assert [p["meta"]["label"] for p in points] == [None]  # one neutral cloud, no clusters
    assert len(values(points[0]["x"])) == 200  # the chapter's moons
    assert len(values(samples_trace(moons)["x"])) == 400
    assert traces_of(fig, "ellipse") == []
    assert "16-component" in fig["layout"]["title"]["text"]


def test_the_caption_says_our_samples_are_not_the_books(moons):
    assert any("not the book's points" in c.value for c in moons.caption)


def test_sample_count_and_seed_change_the_drawn_points_and_the_csv(downloads):
    at = open_page(PAGE, session=MOONS)
    first = xy(samples_trace(at))
    at.number_input(key="dens_seed").set_value(7).run()
    no_errors(at)
    second = xy(samples_trace(at))
    assert second.shape == first.shape and not np.allclose(first, second)
    at.number_input(key="dens_n").set_value(123).run()
    no_errors(at)
    drawn = xy(samples_trace(at))
    assert len(drawn) == 123
    table = downloaded_csv(at, downloads)
    assert list(table.columns) == ["x", "y"]
    assert len(table) == 123
    # The file holds exactly the points on the chart (drawn as float32).
    assert table.to_numpy() == pytest.approx(drawn, abs=1e-5)


def test_same_seed_same_samples():
    a = xy(samples_trace(open_page(PAGE, session={**MOONS, "dens_seed": 3})))
    b = xy(samples_trace(open_page(PAGE, session={**MOONS, "dens_seed": 3})))
    assert np.array_equal(a, b)


def test_components_toggle_shows_unlabelled_ellipses_that_follow_dens_k():
    at = open_page(PAGE, session={**MOONS, "dens_ell": True})
    no_errors(at)
    density, ellipses = figures(at)
    assert len(traces_of(ellipses, "ellipse")) == 3 * 16
    assert [p["meta"]["label"] for p in traces_of(ellipses, "points")] == [None]
    z16 = density_z(density)
    at.slider(key="dens_k").set_value(2).run()
    no_errors(at)
    density, ellipses = figures(at)
    assert len(traces_of(ellipses, "ellipse")) == 3 * 2
    assert density_z(density).shape == z16.shape
    assert not np.allclose(density_z(density), z16)


def test_covariance_type_changes_the_density():
    at = open_page(PAGE, session=MOONS)
    before = density_z(figures(at)[0])
    at.selectbox(key="dens_cov").set_value("spherical").run()
    no_errors(at)
    after = density_z(figures(at)[0])
    assert not np.allclose(before, after)


def test_side_by_side_puts_the_samples_in_their_own_chart():
    at = open_page(PAGE, session=MOONS)
    at.radio(key="dens_show").set_value("side by side").run()
    no_errors(at)
    density, beside = figures(at)
    assert traces_of(density, "density") and not traces_of(density, "samples")
    assert len(values(traces_of(beside, "samples")[0]["x"])) == 400
    assert not traces_of(beside, "points")  # the samples alone, as in the chapter


def test_one_click_switches_to_the_chapters_moons():
    at = open_page(PAGE)  # the Data page default: blobs
    no_errors(at)
    assert len(values(traces_of(figures(at)[0], "points")[0]["x"])) == 400
    at.button(key="dens_moons").click().run()
    no_errors(at)
    assert len(values(traces_of(figures(at)[0], "points")[0]["x"])) == 200
    assert not at.button  # already on the moons: no button
    assert "moons" in at.session_state["data"]


def test_samples_come_from_the_full_mixture_of_higher_dimensional_data(downloads):
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(0, 1, (150, 3)), rng.normal(4, 0.5, (150, 3))])
    upload = (dataset_from_array(X, ("a", "b", "=c"), "three.csv"), "upload:test-dens-3d")
    session = {"data": source_option(state.UPLOAD), "upload_dataset": upload, "dens_k": 2}
    at = open_page(PAGE, session=session)
    no_errors(at)
    table = downloaded_csv(at, downloads)
    assert list(table.columns) == ["a", "b", "'=c"]  # a formula-like name is neutralised
    assert len(table) == 400
    # Two well-separated 3-D clusters: every coordinate of the samples is bimodal like X.
    assert table.mean().to_numpy() == pytest.approx(X.mean(axis=0), abs=0.5)
    assert len(traces_of(figures(at)[0], "density")) == 1


def test_one_column_data_draws_histograms_of_data_and_samples(downloads):
    rng = np.random.default_rng(2)
    X = np.concatenate([rng.normal(0, 1, 200), rng.normal(5, 1, 200)])[:, None]
    upload = (dataset_from_array(X, ("v",), "one.csv"), "upload:test-dens-1d")
    session = {"data": source_option(state.UPLOAD), "upload_dataset": upload, "dens_k": 3}
    at = open_page(PAGE, session=session)
    no_errors(at)
    data_fig, samples_fig = figures(at)
    assert traces_of(data_fig, "histogram") and traces_of(samples_fig, "histogram")
    assert len(values(traces_of(samples_fig, "histogram")[0]["x"])) == 400
    assert list(downloaded_csv(at, downloads).columns) == ["v"]
