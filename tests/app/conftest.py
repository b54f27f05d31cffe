"""AppTest helpers: run pages of the real app and read their figures."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_page(page: str | None = None, query: dict | None = None, session: dict | None = None):
    """A fresh app session on ``page`` (e.g. "pages/mixture.py"), already run once.

    ``query`` seeds the URL query parameters (as a shared link would), ``session``
    seeds session state before the first run.
    """
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in (session or {}).items():
        at.session_state[key] = value
    if page is not None:
        at.switch_page(page)
    at.run()
    return at


def figures(at) -> list[dict]:
    """Every plotly figure on the page, as the JSON the browser receives."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def traces_of(figure: dict, kind: str) -> list[dict]:
    """Traces whose ``meta.kind`` is ``kind`` (see gmm_core.figures)."""
    return [t for t in figure["data"] if (t.get("meta") or {}).get("kind") == kind]


def no_errors(at) -> None:
    """The page raised nothing and showed no error box."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.fixture
def page():
    return open_page


def values(array) -> list:
    """Numbers of a trace attribute; plotly sends numpy arrays as base64 typed arrays."""
    import base64

    import numpy as np

    if isinstance(array, dict) and "bdata" in array:
        data = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        if "shape" in array:  # sent as a string such as "120, 120"
            shape = [int(n) for n in str(array["shape"]).split(",")]
            return data.reshape(shape).tolist()
        return data.tolist()
    return list(array) if isinstance(array, list | tuple) else [array]
