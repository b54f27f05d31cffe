"""Uploading a file in the browser: a clear refusal for a bad file, and a good file
that feeds the other pages of the same session."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from .conftest import (
    assert_clean,
    error_alerts,
    figure_of,
    screenshot,
    wait_charts,
    wait_idle,
)

pytestmark = pytest.mark.browser

UPLOAD_INPUT = "[data-testid=stFileUploaderDropzoneInput]"


def good_csv(rows: int = 300) -> bytes:
    rng = np.random.default_rng(7)
    centres = np.array([[0.0, 0.0, 0.0], [6.0, 6.0, 0.0], [0.0, 6.0, 6.0]])
    points = centres[rng.integers(0, 3, rows)] + rng.normal(size=(rows, 3))
    lines = ["a,b,c", *(",".join(f"{v:.4f}" for v in row) for row in points)]
    return ("\n".join(lines) + "\n").encode()


def choose_own_file(page) -> None:
    source = re.compile(r"^\s*your file\s*$", re.IGNORECASE)
    page.get_by_role("radiogroup", name="Data source").get_by_text(source).click()
    page.locator(UPLOAD_INPUT).wait_for(state="attached")
    wait_idle(page)


def upload(page, name: str, mime: str, content: bytes) -> None:
    page.set_input_files(UPLOAD_INPUT, files=[{"name": name, "mimeType": mime, "buffer": content}])
    # The upload itself, then the rerun it triggers.
    page.get_by_test_id("stFileUploader").get_by_text(name).first.wait_for()
    wait_idle(page)


@pytest.mark.timeout(180)
def test_bad_upload_is_refused_and_good_upload_feeds_other_pages(browser_page, app_url):
    page = browser_page
    page.goto(f"{app_url}/data")
    wait_idle(page)
    choose_own_file(page)
    source = parse_qs(urlsplit(page.url).query).get("data", [""])[-1]
    assert source.lower() in ("upload", "your file"), page.url  # the choice is in the link

    # A PNG with a .csv name: refused with a message that says what it is.
    upload(page, "bad.csv", "text/csv", b"\x89PNG\r\n\x1a\n" + bytes(100))
    page.get_by_test_id("stAlertContentError").first.wait_for()
    errors = error_alerts(page)
    assert any("PNG" in text for text in errors), errors
    assert_clean(page)
    screenshot(page, "upload-bad-file")

    # A good CSV replaces it: preview with every row, no error left.
    upload(page, "good.csv", "text/csv", good_csv(300))
    page.get_by_text(re.compile(r"300 rows")).first.wait_for()
    assert not error_alerts(page), error_alerts(page)
    assert_clean(page)
    preview = page.get_by_test_id("stCaptionContainer").filter(has_text="first 100 rows shown")
    assert "300 rows x 3 columns" in preview.inner_text()
    screenshot(page, "upload-good-file")

    # Another page of the same session models the uploaded points.
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Gaussian mixture").click()
    page.wait_for_url(re.compile(r"/mixture(\?|$)"))
    wait_idle(page)
    wait_charts(page, 1)
    assert_clean(page)
    assert not error_alerts(page), error_alerts(page)
    assert page.get_by_text("none is loaded in this session").count() == 0
    figure = figure_of(page, 0)
    assert figure["drawn"]
    points = sum(t["points"] for t in figure["traces"] if t["kind"] == "points")
    assert points == 300, figure["traces"]
    screenshot(page, "upload-mixture")
