"""The covariance page: four types side by side, their shapes and what they cost."""

import re

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

from gmm_core.data import DataSpec, dataset_from_array, make_dataset
from gmm_core.models import COVARIANCE_TYPES, n_parameters
from tests.app.conftest import figures, no_errors, open_page, traces_of, values
from ui import state

PAGE = "pages/covariance.py"
TITLE = re.compile(r"^(\w+): (\d+) free parameters, BIC ([-\d,.]+)")


def source_option(source: str) -> str:
    """What the Data page's source control stores for a core source name."""
    options = getattr(state, "SOURCE_OPTIONS", {})
    return next((label for label, name in options.items() if name == source), source)


def charts(at) -> dict[str, tuple[dict, int, float]]:
    """Covariance type -> (figure, parameters in its title, BIC in its title)."""
    found = {}
    for fig in figures(at):
        match = TITLE.match(fig["layout"]["title"]["text"])
        assert match, fig["layout"]["title"]["text"]
        found[match[1]] = (fig, int(match[2]), float(match[3].replace(",", "")))
    return found


def outline(trace) -> np.ndarray:
    points = np.column_stack([values(trace["x"]), values(trace["y"])])
    assert np.allclose(points[0], points[-1])  # closed polygon
    return points[:-1]


def correlation(points: np.ndarray) -> float:
    """Correlation of an outline's coordinates: 0 exactly when the ellipse is axis-aligned."""
    return float(np.corrcoef(points.T)[0, 1])


@pytest.fixture(scope="module")
def stretched():
    return open_page(PAGE, session={"data": source_option("stretched")})


def test_four_charts_with_three_ellipses_per_component(stretched):
    no_errors(stretched)
    found = charts(stretched)
    assert list(found) == list(COVARIANCE_TYPES)
    for fig, _, _ in found.values():
        assert len(traces_of(fig, "ellipse")) == 3 * 4
        assert {t["meta"]["sigma"] for t in traces_of(fig, "ellipse")} == {1, 2, 3}


def test_titles_and_table_show_parameter_counts(stretched):
    found = charts(stretched)
    table = stretched.dataframe[0].value.set_index("covariance type")
    for cov_type, (_, params, bic) in found.items():
        assert params == n_parameters(4, 2, cov_type)
        assert table.loc[cov_type, "free parameters"] == params
        assert table.loc[cov_type, "BIC"] == pytest.approx(bic, abs=0.06)
    # Degrees of freedom for k=4 in 2-D, counted by hand: means 8 + weights 3 + covariances.
    assert {t: p for t, (_, p, _) in found.items()} == {
        "full": 23,
        "tied": 14,
        "diag": 19,
        "spherical": 15,
    }
    # AIC and BIC are the log-likelihood charged 2 and ln(400) per parameter.
    for _, row in table.iterrows():
        p = row["free parameters"]
        assert row["AIC"] == pytest.approx(-2 * row["log-likelihood"] + 2 * p)
        assert row["BIC"] == pytest.approx(-2 * row["log-likelihood"] + np.log(400) * p)


def test_log_likelihoods_are_scikit_learns(stretched):
    X = make_dataset(DataSpec.chapter("stretched")).X
    table = stretched.dataframe[0].value.set_index("covariance type")
    for cov_type in COVARIANCE_TYPES:
        model = GaussianMixture(4, covariance_type=cov_type, random_state=0).fit(X)
        assert table.loc[cov_type, "log-likelihood"] == pytest.approx(
            model.score(X) * len(X), rel=1e-6
        )


def test_spherical_ellipses_are_circles_and_full_ones_are_not(stretched):
    found = charts(stretched)
    for trace in traces_of(found["spherical"][0], "ellipse"):
        points = outline(trace)
        radius = np.linalg.norm(points - points.mean(axis=0), axis=1)
        assert radius == pytest.approx(radius.mean(), rel=1e-6)
    full_ratios = []
    for trace in traces_of(found["full"][0], "ellipse"):
        radius = np.linalg.norm(outline(trace) - outline(trace).mean(axis=0), axis=1)
        full_ratios.append(radius.max() / radius.min())
    assert max(full_ratios) > 2  # the stretched blobs are long ellipses


def test_diag_ellipses_are_axis_aligned_and_full_ones_are_tilted(stretched):
    found = charts(stretched)
    for trace in traces_of(found["diag"][0], "ellipse"):
        assert abs(correlation(outline(trace))) < 1e-6
    tilts = [abs(correlation(outline(t))) for t in traces_of(found["full"][0], "ellipse")]
    assert max(tilts) > 0.5


def test_tied_ellipses_share_one_shape(stretched):
    shapes = {}
    for trace in traces_of(charts(stretched)["tied"][0], "ellipse"):
        if trace["meta"]["sigma"] == 1:
            points = outline(trace)
            shapes[trace["meta"]["component"]] = points - points.mean(axis=0)
    first = shapes.pop(0)
    for shape in shapes.values():
        assert shape == pytest.approx(first, abs=1e-9)


def test_changing_k_refits_all_four():
    at = open_page(PAGE, session={"data": source_option("stretched")})
    at.slider(key="k").set_value(2).run()
    no_errors(at)
    found = charts(at)
    for cov_type, (fig, params, _) in found.items():
        assert len(traces_of(fig, "ellipse")) == 3 * 2
        assert params == n_parameters(2, 2, cov_type)
    assert at.dataframe[0].value["free parameters"].tolist() == [
        n_parameters(2, 2, t) for t in COVARIANCE_TYPES
    ]


def test_changing_the_seed_reaches_the_fits():
    base = open_page(PAGE, session={"data": "moons", "k": 6})
    other = open_page(PAGE, session={"data": "moons", "k": 6, "seed": 5})
    no_errors(other)
    bics = [b for _, _, b in charts(base).values()]
    assert bics != [b for _, _, b in charts(other).values()]


def test_one_column_data_draws_histograms():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, 150), rng.normal(6, 1, 150)])[:, None]
    upload = (dataset_from_array(X, ("v",), "one.csv (v)"), "upload:test-cov-1d")
    at = open_page(
        PAGE, session={"data": source_option(state.UPLOAD), "upload_dataset": upload, "k": 2}
    )
    no_errors(at)
    found = charts(at)
    assert list(found) == list(COVARIANCE_TYPES)
    for cov_type, (fig, params, _) in found.items():
        assert traces_of(fig, "histogram")
        assert params == n_parameters(2, 1, cov_type)
