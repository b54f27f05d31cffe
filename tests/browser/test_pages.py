"""Every page in a real browser: first deep link, one control, shareable links.

The page list is read from app.py's ``PAGES`` (parsed, not imported: importing app.py
would run Streamlit), so a new page is covered as soon as it is registered there.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import (
    APP_DIR,
    SLOW_IDLE_TIMEOUT_MS,
    assert_clean,
    chart_counts,
    count_kind,
    figure_of,
    launch_server,
    screenshot,
    wait_charts,
    wait_figure_change,
    wait_idle,
)

pytestmark = pytest.mark.browser


def registered_pages() -> list[tuple[str, str]]:
    """(file, navigation title) of every page in app.py's ``PAGES``."""
    tree = ast.parse((APP_DIR / "app.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "PAGES" for target in node.targets
        ):
            return [(entry[0], entry[1]) for entry in ast.literal_eval(node.value)]
    raise AssertionError("app.py defines no PAGES list")


PAGES = registered_pages()
#: URL path of each page ("" is home); st.Page derives it from the file name.
URL_PATHS = ["", *(Path(file).stem for file, _ in PAGES)]
NAV_TITLES = ["Home", *(title for _, title in PAGES)]
#: Pages whose first visit computes something long (digits: a 16-fit AIC sweep).
SLOW_PAGES = {"digits"}


def idle_timeout(url_path: str) -> int:
    return SLOW_IDLE_TIMEOUT_MS if url_path in SLOW_PAGES else 60_000


def open_path(page, base: str, url_path: str) -> None:
    page.goto(f"{base}/{url_path}")
    wait_idle(page, timeout=idle_timeout(url_path))


def sidebar(page):
    return page.get_by_test_id("stSidebar")


def test_pages_registered_with_existing_files():
    """Every page app.py registers has its file (st.Page fails the whole app otherwise)."""
    missing = [file for file, _ in PAGES if not (APP_DIR / file).is_file()]
    assert not missing, f"app.py registers pages whose files do not exist: {missing}"


# ------------------------------------------------------------------ one server per page


@pytest.fixture(scope="module")
def page_server(request, chromium_browser, _retired_servers):
    """A server started for one page (``request.param`` is its URL path).

    Module-scoped and parametrized indirectly, so pytest groups each page's tests on it:
    the first-deep-link test meets it fresh, then the control test reuses its warm
    caches (the digits sweep is fitted once, not twice).
    """
    server = launch_server()
    yield server
    server.terminate()
    _retired_servers.append(server)


def per_page(paths):
    return pytest.mark.parametrize(
        "page_server", paths, indirect=True, ids=[p or "home" for p in paths]
    )


def url_path_of(request) -> str:
    return request.node.callspec.params["page_server"]


# ------------------------------------------------------------------ first deep link


@pytest.mark.timeout(180)
@per_page(URL_PATHS)
def test_first_deep_link_on_fresh_server(page_server, request, start_server, new_page):
    """Open the page by URL as the very first request to a fresh server.

    Streamlit's legacy ``pages/`` mode can serve that first request without app.py (no
    navigation, no page config) or show a spurious "Page not found" dialog.
    """
    url_path = url_path_of(request)
    # Freshness must not depend on test order (-k, reruns): start another if need be.
    server = start_server() if page_server.visited else page_server
    server.visited = True
    page = new_page()
    open_path(page, server.url, url_path)
    assert urlsplit(page.url).path.strip("/") == url_path, f"redirected to {page.url}"

    heading = page.locator("h1").first
    heading.wait_for(state="visible")
    assert heading.inner_text().strip(), "the page title (h1) is empty"
    # The page ran through app.py (not Streamlit's legacy pages/ mode, which skips it
    # and lists file names): the navigation shows the titles app.py gives.
    links = sidebar(page).get_by_test_id("stSidebarNavLink").all_inner_texts()
    nav = [text.strip().splitlines()[-1] for text in links]  # drop the icon's ligature
    assert nav == NAV_TITLES, f"page did not run through app.py; navigation shows {nav}"
    if url_path:
        charts = wait_charts(page, 1, timeout=idle_timeout(url_path))
        total, drawn = chart_counts(page)
        assert drawn == total == charts >= 1
    else:
        assert chart_counts(page) == (0, 0)
    wait_idle(page)
    assert_clean(page)
    assert not page.errors, f"uncaught errors in the page: {page.errors}"
    screenshot(page, f"first-visit-{url_path or 'home'}")


# ------------------------------------------------------------------ one control per page


def nudge_slider(page, label: str, key: str = "ArrowRight") -> None:
    """Move a slider one step with the keyboard, as a user tabbing through would."""
    thumb = page.get_by_role("slider", name=label)
    thumb.focus()
    thumb.press(key)


def choose_option(page, label: str, option: str | re.Pattern) -> None:
    """Pick ``option`` in the selectbox labelled ``label``."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option).click()


def pick_radio(page, group: str, option: str) -> None:
    """Click the option of a radio group (labels compared case-insensitively)."""
    label = re.compile(rf"^\s*{re.escape(option)}\s*$", re.IGNORECASE)
    page.get_by_role("radiogroup", name=group).get_by_text(label).click()


def click_button(page, name: str) -> None:
    page.get_by_role("button", name=name).click()


@dataclass(frozen=True)
class Change:
    """One control changed through the browser, and how to recognise it.

    ``query``: URL parameters the change must set (None: any value); ``chart``: index of
    the chart (in page order) that must redraw.
    """

    act: Callable
    query: dict[str, str | None]
    chart: int = 0


CHANGES = {
    "data": Change(lambda page: pick_radio(page, "Data source", "moons"), {"data": "moons"}),
    "kmeans": Change(lambda page: nudge_slider(page, "Clusters (k)"), {"km_k": "5"}),
    "mixture": Change(lambda page: nudge_slider(page, "Components"), {"k": "5"}),
    "covariance": Change(lambda page: nudge_slider(page, "Components"), {"k": "5"}),
    "density": Change(lambda page: nudge_slider(page, "Components"), {"dens_k": "17"}),
    "components": Change(
        lambda page: choose_option(page, "Covariance type", re.compile(r"^tied")),
        {"sel_cov": "tied"},
    ),
    # The new digits are the third chart (real digits, AIC curve, new digits).
    "digits": Change(lambda page: click_button(page, "Resample"), {"dig_seed": "1"}, chart=2),
    "em": Change(lambda page: nudge_slider(page, "Components"), {"k": "5"}),
    "bayesian": Change(
        lambda page: nudge_slider(page, "Weight concentration prior"), {"bay_prior": None}
    ),
}


def test_every_page_has_a_control_test():
    assert set(URL_PATHS[1:]) <= set(CHANGES), set(URL_PATHS[1:]) - set(CHANGES)


def query_matches(url: str, expected: dict[str, str | None]) -> bool:
    found = {key: values[-1] for key, values in parse_qs(urlsplit(url).query).items()}
    return all(
        key in found and (value is None or found[key] == value) for key, value in expected.items()
    )


@pytest.mark.timeout(180)
@per_page(URL_PATHS)  # the same list as the first-visit test, so pytest pairs them up
def test_control_rerenders_chart(page_server, request, browser_page):
    """Change one control through the browser: the URL records it, the chart redraws.

    Home has no chart: its "control" is a page link, which must open the Data page.
    """
    url_path = url_path_of(request)
    page = browser_page
    page_server.visited = True
    open_path(page, page_server.url, url_path)
    if not url_path:
        page.get_by_test_id("stMain").get_by_role("link").filter(has_text="Data: ").click()
        page.wait_for_url(re.compile(r"/data(\?|$)"))
        wait_idle(page)
        wait_charts(page, 1)
        assert page.locator("h1").first.inner_text().strip() == "Data"
        return
    change = CHANGES[url_path]
    wait_charts(page, change.chart + 1, timeout=idle_timeout(url_path))
    assert_clean(page)
    before = figure_of(page, change.chart)

    change.act(page)
    after = wait_figure_change(page, before, change.chart, timeout=idle_timeout(url_path))
    page.wait_for_url(lambda url: query_matches(url, change.query))
    assert_clean(page)
    screenshot(page, f"control-{url_path}")

    if url_path in ("mixture", "covariance"):
        assert count_kind(after, "ellipse") == count_kind(before, "ellipse") + 3  # 1, 2, 3 σ
    elif url_path == "kmeans":
        assert count_kind(after, "circle") == count_kind(before, "circle") + 1
    elif url_path == "data":
        assert "200 points" in after["title"], after["title"]


# ------------------------------------------------------------------ shareable links


def main_chart_view(page) -> tuple[int, str]:
    figure = figure_of(page, 0)
    return count_kind(figure, "ellipse"), figure["title"]


@pytest.mark.timeout(180)
def test_shared_link_reopens_the_same_view(new_page, app_url):
    teacher = new_page()
    open_path(teacher, app_url, "mixture")
    wait_charts(teacher, 1)
    before = figure_of(teacher, 0)

    nudge_slider(teacher, "Components")
    changed = wait_figure_change(teacher, before)
    choose_option(teacher, "Covariance type", re.compile(r"^tied"))
    wait_figure_change(teacher, changed)
    view = {"k": "5", "cov": "tied"}
    teacher.wait_for_url(lambda url: query_matches(url, view))
    wait_charts(teacher, 1)
    assert_clean(teacher)
    ellipses, title = main_chart_view(teacher)
    assert ellipses == 15, ellipses
    assert "5 components" in title and "tied" in title, title

    code = sidebar(teacher).get_by_test_id("stCode")
    code.wait_for()
    copy_link = "".join(code.inner_text().split())  # the box wraps long links
    assert query_matches(copy_link, view), copy_link

    link = teacher.url
    student = new_page()  # a new browser context: a new session with nothing in it
    student.goto(link)
    wait_idle(student)
    wait_charts(student, 1)
    assert_clean(student)
    assert query_matches(student.url, view), student.url
    assert main_chart_view(student) == (ellipses, title)
    screenshot(student, "shared-link-mixture")

    # The sidebar's copy-link box reproduces the view too.
    other = new_page()
    other.goto(copy_link)
    wait_idle(other)
    wait_charts(other, 1)
    assert_clean(other)
    assert main_chart_view(other) == (ellipses, title)
