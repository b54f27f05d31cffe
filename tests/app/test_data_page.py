"""The Data page through AppTest: built-in sources, uploads good and bad, isolation."""

import numpy as np
import pytest

from tests.app.conftest import figures, no_errors, open_page, traces_of, values
from tests.unit.corpus import BAD_CASES, GOOD_CASES

PAGE = "pages/data.py"


def upload_page():
    """The Data page switched to 'your file' through its own control."""
    at = open_page(PAGE)
    at.radio(key="data").set_value("your file").run()
    return at


def upload(at, name: str, content: bytes):
    at.file_uploader(key="upload_file").set_value((name, content, "text/csv")).run()
    return at


def csv_of(columns: dict[str, np.ndarray]) -> bytes:
    names = list(columns)
    rows = np.column_stack([columns[c] for c in names])
    lines = [",".join(names)] + [",".join(f"{v:.6g}" for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def test_default_is_the_chapter_blobs():
    at = open_page(PAGE)
    no_errors(at)
    (fig,) = figures(at)
    points = traces_of(fig, "points")
    assert len(points) == 4  # coloured by the four true clusters
    assert sum(len(values(t["x"])) for t in points) == 400


def test_switching_to_moons_uses_the_chapters_moons():
    at = open_page(PAGE)
    at.radio(key="data").set_value("moons").run()
    no_errors(at)
    (fig,) = figures(at)
    assert sum(len(values(t["x"])) for t in traces_of(fig, "points")) == 200
    assert at.slider(key="n").value == 200


def test_sample_count_and_centres_change_the_data():
    at = open_page(PAGE)
    at.slider(key="n").set_value(1000).run()
    at.slider(key="centers").set_value(6).run()
    no_errors(at)
    (fig,) = figures(at)
    points = traces_of(fig, "points")
    assert len(points) == 6
    assert sum(len(values(t["x"])) for t in points) == 1000


def test_choice_survives_a_page_switch():
    at = open_page(PAGE)
    at.radio(key="data").set_value("stretched blobs").run()
    at.switch_page("pages/mixture.py").run()
    no_errors(at)
    at.switch_page(PAGE).run()
    assert at.radio(key="data").value == "stretched blobs"


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_files_get_a_specific_message_and_the_app_stays_usable(case):
    name, content, message = BAD_CASES[case]
    at = upload(upload_page(), name, content)
    assert not at.exception
    shown = " ".join(e.value for e in at.error).replace("\\", "")
    assert message.lower() in shown.lower(), shown
    # Raw file content is never echoed back in the message.
    if len(content) > 40:
        assert content[:40].decode("latin-1") not in shown
    # Still usable: a built-in source works right after.
    at.radio(key="data").set_value("moons").run()
    no_errors(at)
    assert figures(at)


GOOD_SAMPLE = sorted(GOOD_CASES)[::3]


@pytest.mark.parametrize("case", GOOD_SAMPLE)
def test_good_files_are_read_and_previewed(case):
    name, content, expected = GOOD_CASES[case]
    at = upload(upload_page(), name, content)
    kwargs = expected.get("kwargs", {})
    if "header" in kwargs:
        at.radio(key="upload_header").set_value("yes" if kwargs["header"] else "no").run()
    if kwargs.get("skip_bad_lines"):
        at.checkbox(key="upload_skip_bad").check().run()
    no_errors(at)
    rows, columns = expected["shape"]
    preview = next(c.value for c in at.caption if "first 100 rows shown" in c.value)
    assert f"{rows:,} rows x {columns} columns" in preview


def test_upload_feeds_the_model_pages():
    rng = np.random.default_rng(0)
    content = csv_of(
        {
            "height": rng.normal(0, 1, 300),
            "weight": rng.normal(5, 2, 300),
            "age": rng.normal(40, 9, 300),
        }
    )
    at = upload(upload_page(), "people.csv", content)
    no_errors(at)
    at.switch_page("pages/mixture.py").run()
    no_errors(at)
    fig = figures(at)[0]
    assert sum(len(values(t["x"])) for t in traces_of(fig, "points")) == 300
    assert fig["layout"]["xaxis"]["title"]["text"] == "principal component 1"
    assert len(traces_of(fig, "ellipse")) == 12


def test_column_names_with_markup_stay_plain_text():
    rng = np.random.default_rng(1)
    evil = "<script>alert(1)</script>"
    content = csv_of({evil: rng.normal(size=50), "=SUM(A1)": rng.normal(size=50)})
    at = upload(upload_page(), "evil.csv", content)
    no_errors(at)
    fig = figures(at)[0]
    assert "<script>" not in fig["layout"]["xaxis"]["title"]["text"]
    assert "&lt;script&gt;" in fig["layout"]["xaxis"]["title"]["text"]
    assert all("<script>" not in m.value for m in at.markdown)


def test_one_column_is_a_one_dimensional_mixture():
    rng = np.random.default_rng(2)
    content = csv_of({"x": np.concatenate([rng.normal(0, 1, 100), rng.normal(6, 1, 100)])})
    at = upload(upload_page(), "one.csv", content)
    no_errors(at)
    at.switch_page("pages/mixture.py").run()
    at.slider(key="k").set_value(2).run()
    no_errors(at)
    fig = figures(at)[0]
    assert traces_of(fig, "histogram")
    assert len(traces_of(fig, "component_density")) == 2


def test_two_sessions_never_see_each_others_columns():
    rng = np.random.default_rng(3)
    a = upload(
        upload_page(),
        "a.csv",
        csv_of({"alpha": rng.normal(size=80), "beta": rng.normal(size=80)}),
    )
    b = upload(
        upload_page(),
        "b.csv",
        csv_of({"gamma": rng.normal(size=90), "delta": rng.normal(size=90)}),
    )
    a.run()
    assert a.multiselect(key="upload_columns").value == ["alpha", "beta"]
    assert b.multiselect(key="upload_columns").value == ["gamma", "delta"]
    for session, names, n in ((a, ("alpha", "beta"), 80), (b, ("gamma", "delta"), 90)):
        session.switch_page("pages/mixture.py").run()
        fig = figures(session)[0]
        assert fig["layout"]["xaxis"]["title"]["text"] == names[0]
        assert sum(len(values(t["x"])) for t in traces_of(fig, "points")) == n
