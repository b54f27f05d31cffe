"""Inspecting points: a box drawn on the mixture chart lists the selected memberships."""

import re

import pytest

from .conftest import assert_clean, screenshot, wait_charts, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def test_box_selection_shows_the_selected_points_memberships(browser_page, app_url):
    page = browser_page
    page.goto(f"{app_url}/mixture")
    wait_idle(page)
    wait_charts(page, 1)
    chart = page.locator(".js-plotly-plot").first
    drag = chart.locator(".nsewdrag").first
    box = drag.bounding_box()
    assert box is not None
    # A box over the middle of the plot: the chapter's blobs meet there.
    x0, y0 = box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25
    x1, y1 = box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.75
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
    heading = page.get_by_text(re.compile(r"^Selected points \(\d+\)$"))
    heading.wait_for(timeout=60_000)
    wait_idle(page)
    assert_clean(page)
    selected = int(re.search(r"\d+", heading.inner_text()).group())
    assert 0 < selected < 400
    assert page.get_by_text(re.compile(r"Mean entropy \d\.\d{3} bits")).is_visible()
    screenshot(page, "inspect-selection")
