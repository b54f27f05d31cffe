"""The Bayesian mixture page, through AppTest: prior, weights, and the BIC comparison.

What the prior does was measured on the chapter's blobs (400 points, scikit-learn 1.9.1,
upper bound 10, seed 0): with full covariance 4 components keep at least 1% of the
weight at every prior from 0.0001 to 1000, and only the spare components' weights grow
with the prior (from about 0.003 to about 0.015 in all); with tied covariance the count
goes from 4 to 5. So the tests assert that direction: a small prior never keeps more
components than a large one.
"""

import numpy as np
import pytest

from gmm_core.data import dataset_from_array
from tests.app.conftest import figures, no_errors, open_page, traces_of, values
from ui import state

PAGE = "pages/bayesian.py"


def source_option(source: str) -> str:
    """What the Data page's source control stores for a core source name."""
    options = getattr(state, "SOURCE_OPTIONS", {})
    return next((label for label, name in options.items() if name == source), source)


def chart(at, kind: str) -> dict:
    """The figure holding a trace of ``kind``."""
    return next(fig for fig in figures(at) if traces_of(fig, kind))


def weights_bar(at) -> dict:
    return traces_of(chart(at, "weights"), "weights")[0]


def active_components(at) -> int:
    return weights_bar(at)["meta"]["active"]


def metric(at, start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(start))


@pytest.fixture(scope="module")
def default_page():
    return open_page(PAGE)


def test_default_view(default_page):
    at = default_page
    no_errors(at)
    assert at.select_slider(key="bay_prior").value == 0.01
    bars = values(weights_bar(at)["y"])
    assert len(bars) == 10
    assert sum(bars) == pytest.approx(1.0)
    clusters = chart(at, "ellipse")
    assert len(traces_of(clusters, "ellipse")) == 3 * 10  # switched-off ones fade by weight
    assert metric(at, "Active components") == f"{active_components(at)} of 10"


def test_the_bic_choice_is_reported(default_page):
    at = default_page
    bic = chart(at, "criterion")
    curve = traces_of(bic, "criterion")[0]
    assert curve["meta"]["criterion"] == "bic"
    assert values(curve["x"]) == list(range(1, 11))
    best = traces_of(bic, "minimum")[0]["meta"]["n_components"]
    assert metric(at, "BIC's choice") == str(best)
    assert best == 4  # the chapter's four blobs
    assert any(f"picks **{best}**" in m.value for m in at.markdown)


@pytest.mark.parametrize("bay_k", [3, 6])
def test_weights_bar_has_one_bar_per_allowed_component(bay_k):
    at = open_page(PAGE, query={"bay_k": str(bay_k)})
    no_errors(at)
    assert len(values(weights_bar(at)["y"])) == bay_k
    assert metric(at, "Active components").endswith(f"of {bay_k}")
    curve = traces_of(chart(at, "criterion"), "criterion")[0]
    assert values(curve["x"]) == list(range(1, bay_k + 1))


def test_prior_moves_the_spare_weight_but_keeps_the_blobs():
    at = open_page(PAGE)
    at.select_slider(key="bay_prior").set_value(0.0001).run()
    no_errors(at)
    small_active = active_components(at)
    small = np.sort(values(weights_bar(at)["y"]))[::-1]
    at.select_slider(key="bay_prior").set_value(1000).run()
    no_errors(at)
    large_active = active_components(at)
    large = np.sort(values(weights_bar(at)["y"]))[::-1]
    assert small_active <= large_active
    assert small_active == 4  # well-separated blobs: the data outweigh the prior
    # A large prior leaves more weight on the components the data do not need.
    assert large[4:].sum() > 2 * small[4:].sum()
    assert metric(at, "Weight concentration prior") == "1000"


def test_prior_changes_the_count_with_tied_covariance():
    counts = {}
    for prior in ("0.0001", "1000"):
        at = open_page(PAGE, query={"bay_prior": prior, "cov": "tied"})
        no_errors(at)
        counts[prior] = active_components(at)
    assert counts["0.0001"] < counts["1000"]


def test_scan_lists_every_prior(default_page):
    at = open_page(PAGE)
    at.toggle(key="bay_scan").set_value(True).run()
    no_errors(at)
    table = at.dataframe[0].value
    assert list(table["prior"]) == ["0.0001", "0.001", "0.01", "0.1", "1", "10", "100", "1000"]
    assert (np.diff(table["active components"].to_numpy()) >= 0).all()


def test_one_column_data_draws_a_histogram():
    x = np.concatenate([np.random.default_rng(0).normal(m, 0.5, 100) for m in (0, 5)])
    dataset = dataset_from_array(x[:, None], ("value",), "two bumps")
    at = open_page(
        PAGE,
        session={"data": source_option(state.UPLOAD), "upload_dataset": (dataset, "bumps")},
    )
    no_errors(at)
    assert traces_of(chart(at, "histogram"), "mixture_density")
    assert metric(at, "BIC's choice") == "2"
