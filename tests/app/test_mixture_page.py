"""The Gaussian mixture page, through AppTest: what a user sees when controls change."""

import math
import re

import numpy as np
import pytest

from gmm_core.data import DataSpec, make_dataset
from gmm_core.models import ModelSpec, fit_gmm
from tests.app.conftest import figures, no_errors, open_page, traces_of, values

PAGE = "pages/mixture.py"


def main_chart(at) -> dict:
    return figures(at)[0]


def test_default_view_is_the_chapter_figure():
    at = open_page(PAGE)
    no_errors(at)
    fig = main_chart(at)
    assert len(traces_of(fig, "ellipse")) == 3 * 4
    assert fig["layout"]["yaxis"]["scaleanchor"] == "x"
    # Opacity by weight: the heaviest component is drawn at 0.2.
    opacities = [t["opacity"] for t in traces_of(fig, "ellipse")]
    assert max(opacities) == pytest.approx(0.2)
    points = traces_of(fig, "points")
    assert sum(len(values(t["x"])) for t in points) == 400


@pytest.mark.parametrize("k", [2, 6])
def test_components_slider_changes_ellipses(k):
    at = open_page(PAGE)
    at.slider(key="k").set_value(k).run()
    no_errors(at)
    fig = main_chart(at)
    assert len(traces_of(fig, "ellipse")) == 3 * k
    assert {t["meta"]["sigma"] for t in traces_of(fig, "ellipse")} == {1, 2, 3}
    assert f"{k} components" in fig["layout"]["title"]["text"]


def test_uncertainty_sizing_follows_the_chapter_rule():
    at = open_page(PAGE)
    sizes_off = [values(t["marker"]["size"]) for t in traces_of(main_chart(at), "points")]
    assert all(s == [8] for s in sizes_off)
    at.toggle(key="sizes").set_value(True).run()
    no_errors(at)
    drawn = np.concatenate(
        [np.asarray(values(t["marker"]["size"])) for t in traces_of(main_chart(at), "points")]
    )
    X = make_dataset(DataSpec()).X
    probabilities = fit_gmm(X, ModelSpec()).probabilities
    expected = np.sqrt(50 * probabilities.max(axis=1) ** 2)
    # plotly sizes are diameters: the page draws sqrt(area), area = 50 * max p^2.
    assert sorted(drawn) == pytest.approx(sorted(expected), rel=1e-5)
    assert drawn.min() < 0.9 * math.sqrt(50)  # some boundary points really are smaller


@pytest.mark.parametrize("cov", ["tied", "diag", "spherical"])
def test_covariance_type_changes_the_shapes(cov):
    at = open_page(PAGE)
    at.selectbox(key="cov").set_value(cov).run()
    no_errors(at)
    ellipses = traces_of(main_chart(at), "ellipse")
    # The last point repeats the first to close the polygon.
    outline = np.column_stack([values(ellipses[0]["x"]), values(ellipses[0]["y"])])[:-1]
    radii = np.linalg.norm(outline - outline.mean(axis=0), axis=1)
    if cov == "spherical":
        assert radii.max() / radii.min() == pytest.approx(1, abs=1e-3)
    else:
        assert radii.max() / radii.min() > 1.01
    assert f"{cov} covariance" in main_chart(at)["layout"]["title"]["text"]


def test_probability_table_rows_sum_to_one():
    at = open_page(PAGE)
    table = at.dataframe[0].value
    probabilities = table[[c for c in table.columns if c.startswith("component")]]
    assert len(table) == 8
    assert np.allclose(probabilities.sum(axis=1), 1, atol=2e-3)


def test_kmeans_vs_mixture_reports_ari_on_stretched_blobs():
    at = open_page(PAGE, session={"data": "stretched blobs"})
    no_errors(at)
    sentence = next(m.value for m in at.markdown if "Adjusted Rand index" in m.value)
    k_ari, g_ari = (float(v) for v in re.findall(r"\*\*(-?[0-9.]+)\*\*", sentence))
    assert g_ari > k_ari
    assert len(figures(at)) == 3  # main chart + side-by-side comparison


def test_link_parameters_reproduce_the_view():
    at = open_page(PAGE, query={"k": "3", "cov": "diag", "data": "moons"})
    no_errors(at)
    fig = main_chart(at)
    assert len(traces_of(fig, "ellipse")) == 9
    assert "diag covariance" in fig["layout"]["title"]["text"]
    assert sum(len(values(t["x"])) for t in traces_of(fig, "points")) == 200
    link = at.sidebar.code[0].value
    assert "k=3" in link and "cov=diag" in link and "data=moons" in link


def test_out_of_range_link_values_are_ignored_with_a_warning():
    at = open_page(PAGE, query={"n": "999999", "data": "nonsense"})
    no_errors(at)
    assert any("Ignored link settings" in w.value for w in at.warning)
    assert sum(len(values(t["x"])) for t in traces_of(main_chart(at), "points")) == 400


def test_non_convergence_shows_a_badge():
    at = open_page(PAGE, query={"max_iter": "1"})
    no_errors(at)
    badges = [m.value for m in at.markdown if "did not converge" in m.value]
    assert badges, "a fit stopped after one iteration must say it did not converge"


def test_downloads_offer_csv_and_json():
    at = open_page(PAGE)
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("CSV" in label for label in labels) and any("JSON" in label for label in labels)
