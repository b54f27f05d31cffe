"""The "How many components?" page, through AppTest: curves, minima, ranges and notes."""

import re

import numpy as np
import pytest
from sklearn.datasets import make_moons
from sklearn.mixture import GaussianMixture

from tests.app.conftest import figures, no_errors, open_page, traces_of, values

PAGE = "pages/components.py"


def page_text(at) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def curve(fig: dict, criterion: str, covariance_type: str | None = None) -> tuple[list, list]:
    """(x, y) of one criterion curve."""
    [trace] = [
        t
        for t in traces_of(fig, "criterion")
        if t["meta"]["criterion"] == criterion
        and (covariance_type is None or t["meta"].get("covariance_type") == covariance_type)
    ]
    return values(trace["x"]), values(trace["y"])


def marked_minima(fig: dict) -> dict:
    """{(criterion, covariance type or None): n_components} of the star markers."""
    return {
        (t["meta"]["criterion"], t["meta"].get("covariance_type")): t["meta"]["n_components"]
        for t in traces_of(fig, "minimum")
    }


def best_of(x: list, y: list, criterion: str) -> int:
    return int(x[int(np.argmax(y) if criterion == "cv_loglik" else np.argmin(y))])


def test_default_view_marks_each_minimum_and_reports_it():
    at = open_page(PAGE)
    no_errors(at)
    fig = figures(at)[0]
    minima = marked_minima(fig)
    assert set(minima) == {("bic", None), ("aic", None)}
    for criterion in ("bic", "aic"):
        x, y = curve(fig, criterion)
        assert x == list(range(1, 21))
        assert minima[(criterion, None)] == best_of(x, y, criterion)
    text = page_text(at)
    assert (
        f"BIC is lowest at {minima[('bic', None)]} components, AIC at {minima[('aic', None)]}"
        in text
    )
    # The caveat: this scores density estimation, not clustering.
    assert any("density" in str(i.value) for i in at.info)
    assert not at.get("progress")  # the bar is cleared once the sweep is done


def test_chapter_moons_button_gives_todays_minima():
    # Start from a shared link that names other data: the button must still win.
    at = open_page(PAGE, query={"data": "blobs", "n": "60"})
    at.button(key="sel_moons").click().run()
    no_errors(at)
    assert at.session_state["data"] == "moons"
    assert at.session_state["n"] == 200
    assert any("moons (200 points" in str(c.value).replace("\\", "") for c in at.caption)

    # Independent reference: scikit-learn's own bic()/aic() on the chapter's data.
    X, _ = make_moons(200, noise=0.05, random_state=0)
    models = [
        GaussianMixture(k, covariance_type="full", random_state=0).fit(X) for k in range(1, 21)
    ]
    expected_bic = 1 + int(np.argmin([m.bic(X) for m in models]))
    expected_aic = 1 + int(np.argmin([m.aic(X) for m in models]))

    fig = figures(at)[0]
    assert marked_minima(fig) == {("bic", None): expected_bic, ("aic", None): expected_aic}
    _, y = curve(fig, "bic")
    assert y == pytest.approx([m.bic(X) for m in models], rel=1e-6)
    assert f"BIC is lowest at {expected_bic} components, AIC at {expected_aic}" in page_text(at)
    assert at.button(key="sel_moons").disabled  # already on the chapter's moons


def test_range_slider_changes_the_counts_fitted():
    at = open_page(PAGE)
    at.slider(key="sel_range").set_value((5, 12)).run()
    no_errors(at)
    fig = figures(at)[0]
    for criterion in ("bic", "aic"):
        x, y = curve(fig, criterion)
        assert x == list(range(5, 13))
        assert marked_minima(fig)[(criterion, None)] == best_of(x, y, criterion)
    at.select_slider(key="sel_step").set_value(2).run()
    no_errors(at)
    assert curve(figures(at)[0], "bic")[0] == [5, 7, 9, 11]


def test_all_four_types_give_four_curves_four_minima_and_a_table():
    at = open_page(PAGE)
    at.selectbox(key="sel_cov").set_value("all four").run()
    no_errors(at)
    fig = figures(at)[0]
    curves = traces_of(fig, "criterion")
    assert {t["meta"]["covariance_type"] for t in curves} == {"full", "tied", "diag", "spherical"}
    assert len(curves) == 4
    minima = marked_minima(fig)
    assert len(minima) == 4
    for (criterion, cov_type), best in minima.items():
        assert criterion == "bic"
        assert best == best_of(*curve(fig, "bic", cov_type), "bic")
        assert f"**{best}** ({cov_type})" in page_text(at)
    [table] = at.dataframe
    frame = table.value
    assert list(frame.columns) == ["full", "tied", "diag", "spherical"]
    assert list(frame.index) == list(range(1, 21))
    overall = frame.stack().idxmin()  # (components, type) of the lowest BIC
    assert f"Overall best: **{overall[1]} covariance with {overall[0]} components**" in page_text(
        at
    )

    at.radio(key="sel_crit").set_value("aic").run()
    no_errors(at)
    assert {c for c, _ in marked_minima(figures(at)[0])} == {"aic"}


def test_held_out_likelihood_adds_its_curve_with_its_best_marked():
    at = open_page(PAGE)
    assert len(figures(at)) == 1
    at.checkbox(key="sel_cv").check().run()
    no_errors(at)
    assert len(figures(at)) == 2
    held_out = figures(at)[1]
    x, y = curve(held_out, "cv_loglik")
    assert x == list(range(1, 21))
    [(key, best)] = marked_minima(held_out).items()
    assert key == ("cv_loglik", None)
    assert best == best_of(x, y, "cv_loglik")  # the *highest* value
    assert "higher is better" in held_out["layout"]["yaxis"]["title"]["text"]
    assert f"highest at {best} components" in page_text(at)


def test_counts_above_the_number_of_points_are_skipped_with_a_note():
    at = open_page(PAGE, session={"data": "blobs", "n": 20})
    at.slider(key="sel_range").set_value((1, 40)).run()
    no_errors(at)
    x, _ = curve(figures(at)[0], "bic")
    assert x == list(range(1, 21))
    notes = " ".join(str(i.value) for i in at.info)
    assert re.search(r"Skipped 20 component count", notes)
    assert "21, 22" in notes and "40" in notes


def test_too_many_fits_is_an_error_message_not_a_traceback():
    at = open_page(PAGE)
    at.slider(key="sel_range").set_value((1, 40)).run()
    at.selectbox(key="sel_cov").set_value("all four").run()
    assert not at.exception
    assert at.error and "160 fits" in at.error[0].value
    assert not at.get("plotly_chart")


def test_held_out_scoring_on_too_few_points_is_explained_not_a_crash():
    at = open_page("pages/components.py", session={"data": "blobs", "n": 20})
    at.slider(key="sel_range").set_value((15, 20))
    at.checkbox(key="sel_cv").check().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("No held-out score" in i.value.replace("\\", "") for i in at.info)
