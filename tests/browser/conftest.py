"""Browser layer: a real ``streamlit run`` of app.py driven by Debian's Chromium.

Fixtures
--------
``app_url``            base URL of one server shared by the whole session (``shared_server``)
``start_server``       factory: a FRESH server (nothing visited yet), stopped at teardown
                       (test_pages.py also has ``page_server``: one fresh server per page)
``chromium_browser``   one headless Chromium for the session (see the missing-browser policy)
``new_page``           factory: a page in a new, isolated browser context (own session)
``browser_page``       one such page

Helpers (import with ``from .conftest import ...``): ``wait_idle``, ``wait_charts``,
``assert_clean``, ``screenshot``, plus readers of the plotly figures in the page.

Missing browser: without /usr/bin/chromium (or when Playwright cannot launch it) the tests
are skipped on a developer machine, and FAIL when ``CI`` is set or ``GMM_REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.common import CHROMIUM, CHROMIUM_ARGS

REPO = Path(__file__).resolve().parents[2]
#: Where ``streamlit run app.py`` runs; override to test another checkout of the app.
APP_DIR = Path(os.environ.get("GMM_APP_DIR") or REPO)
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
SERVER_LOGS = ARTIFACTS / "server-logs"

VIEWPORT = {"width": 1400, "height": 1000}
INSTALL_HINT = (
    "Install Chromium with `apt-get install -y chromium` (Debian/Ubuntu; it lands in "
    f"{CHROMIUM}) and Playwright with `pip install -r requirements-dev.txt`. Do not use "
    "`playwright install`: these tests drive the system Chromium."
)

SERVER_START_TIMEOUT = 60.0  # seconds
IDLE_TIMEOUT_MS = 60_000
SLOW_IDLE_TIMEOUT_MS = 150_000  # first visit of the digits page fits a 16-model sweep

APP_CONNECTED = "[data-testid=stApp][data-test-connection-state=CONNECTED]"
APP_NOT_RUNNING = "[data-testid=stApp][data-test-script-state=notRunning]"


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class StreamlitServer:
    """One ``streamlit run app.py`` in its own process group."""

    port: int
    process: subprocess.Popen
    log_path: Path
    _log: object = field(repr=False, default=None)
    #: Set by tests that open a page on it: the server is no longer "fresh".
    visited: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def terminate(self) -> None:
        """Ask the server and every child it started (its process group) to exit."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)

    def stop(self, grace: float = 5.0) -> None:
        """Terminate, wait up to ``grace`` seconds, then kill what is left of the group."""
        self.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=grace)
        # Also reaps children the leader left behind in the group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def _launch_server(timeout: float = SERVER_START_TIMEOUT) -> StreamlitServer:
    port = free_port()
    SERVER_LOGS.mkdir(parents=True, exist_ok=True)
    log_path = SERVER_LOGS / f"server-{port}.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed by StreamlitServer.stop
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        command,
        cwd=APP_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # own process group: teardown kills the children too
    )
    server = StreamlitServer(port, process, log_path, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            server.stop()
            raise RuntimeError(
                f"streamlit exited with code {process.returncode} before it was healthy:\n"
                + server.log_tail()
            )
        if _healthy(server.url):
            return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"streamlit was not healthy after {timeout:.0f} s:\n" + server.log_tail())


def launch_server() -> StreamlitServer:
    """Start a server; retry once (a free port can be taken between probe and bind)."""
    try:
        return _launch_server()
    except RuntimeError as first:
        if "already in use" not in str(first).lower():
            raise
        return _launch_server()


@pytest.fixture(scope="session", autouse=True)
def _clean_artifacts():
    """Drop the previous run's server logs and failure screenshots (the rest is overwritten)."""
    shutil.rmtree(SERVER_LOGS, ignore_errors=True)
    for old in SCREENSHOTS.glob("FAILED-*.png"):
        old.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def shared_server(chromium_browser):
    # Servers depend on the browser fixture so a missing browser skips (or fails) the
    # tests before any server starts.
    server = launch_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app_url(shared_server) -> str:
    """Base URL (no trailing slash) of the server shared by the session."""
    return shared_server.url


@pytest.fixture(scope="session")
def _retired_servers():
    """Fresh servers are told to exit at their test's end and reaped at the session's end,
    so their shutdown overlaps the next tests."""
    servers: list[StreamlitServer] = []
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def start_server(chromium_browser, _retired_servers):
    """Factory for a fresh server nobody has visited: ``server = start_server(); server.url``.

    Request it before the page fixtures, so the pages close before the server stops.
    """
    servers: list[StreamlitServer] = []

    def start() -> StreamlitServer:
        server = launch_server()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.terminate()
        _retired_servers.append(server)


# --------------------------------------------------------------------------- browser


def _browser_missing(reason: str):
    message = f"Browser tests need Chromium: {reason}. {INSTALL_HINT}"
    if os.environ.get("CI") or os.environ.get("GMM_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (CI / GMM_REQUIRE_BROWSER=1: failing, not skipping)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_browser():
    if not os.path.exists(CHROMIUM):
        _browser_missing(f"{CHROMIUM} does not exist")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        _browser_missing(f"Playwright is not importable ({error})")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as error:
        playwright.stop()
        _browser_missing(f"Playwright could not launch {CHROMIUM} ({error})")
    yield browser
    browser.close()
    playwright.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


@pytest.fixture
def new_page(chromium_browser, request):
    """Factory: a page in a new browser context (a new Streamlit session, empty storage).

    Pages still open when a test fails are saved as ``FAILED-<test>-<i>.png``.
    """
    contexts = []
    pages = []

    def make():
        context = chromium_browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []  # uncaught page errors, for diagnosis
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        pages.append(page)
        return page

    yield make
    report = getattr(request.node, "_report_call", None)
    if report is not None and report.failed:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        for i, page in enumerate(pages):
            # The page may be gone; the failure itself matters more than its picture.
            with contextlib.suppress(Exception):
                screenshot(page, f"FAILED-{name}-{i}")
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(new_page):
    return new_page()


# --------------------------------------------------------------------------- helpers


def wait_idle(page, timeout: int = IDLE_TIMEOUT_MS) -> None:
    """Wait for the app to be connected and its script to have finished running."""
    page.wait_for_timeout(200)  # let a rerun that was just triggered start
    page.wait_for_selector(APP_CONNECTED, timeout=timeout)
    page.wait_for_selector(APP_NOT_RUNNING, timeout=timeout)


_CHART_COUNTS_JS = """
() => {
  const charts = [...document.querySelectorAll('[data-testid=stPlotlyChart]')];
  const drawn = charts.filter(c => c.querySelector('.js-plotly-plot .main-svg'));
  return [charts.length, drawn.length];
}
"""


def chart_counts(page) -> tuple[int, int]:
    """(charts on the page, charts plotly has drawn)."""
    total, drawn = page.evaluate(_CHART_COUNTS_JS)
    return total, drawn


def wait_charts(page, n: int = 1, timeout: int = IDLE_TIMEOUT_MS) -> int:
    """Wait until at least ``n`` charts exist and every chart on the page has drawn.

    Plotly draws lazily after the rerun ends. Stops early (failing through
    :func:`assert_clean`) when the page shows an exception instead. Returns the number
    of charts.
    """
    page.wait_for_function(
        """n => {
          if (document.querySelector('[data-testid=stException]')) return true;
          const charts = [...document.querySelectorAll('[data-testid=stPlotlyChart]')];
          return charts.length >= n
            && charts.every(c => c.querySelector('.js-plotly-plot .main-svg'));
        }""",
        arg=n,
        timeout=timeout,
        polling=100,
    )
    assert_clean(page)
    return chart_counts(page)[0]


def assert_clean(page) -> None:
    """No exception box and no "Page not found" dialog."""
    exceptions = page.locator("[data-testid=stException]")
    assert exceptions.count() == 0, "exception on the page:\n" + "\n".join(
        exceptions.all_inner_texts()
    )
    dialogs = [t for t in page.locator("[role=dialog]").all_inner_texts() if "Page not found" in t]
    assert not dialogs, f"'Page not found' dialog: {dialogs}"


def error_alerts(page) -> list[str]:
    return page.locator("[data-testid=stAlertContentError]").all_inner_texts()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


_FIGURES_JS = """
() => [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')].map(gd => {
  const traces = (gd.data || []).map((t, i) => ({
    type: t.type || 'scatter',
    name: t.name || '',
    kind: (t.meta && t.meta.kind) || null,
    points: ((gd._fullData || [])[i] || {})._length || 0,
  }));
  const title = (gd.layout && gd.layout.title && gd.layout.title.text) || '';
  return {
    title, traces, drawn: !!gd.querySelector('.main-svg'),
    // The whole figure as sent (typed arrays stay base64 strings): any change shows.
    signature: JSON.stringify(
      [gd.data, gd.layout && gd.layout.title], (key, value) => key === 'uid' ? undefined : value
    ),
  };
})
"""


def figures(page) -> list[dict]:
    """Every plotly figure in the page, in page order, as the browser holds it.

    Each is ``{title, traces: [{type, name, kind, points}], drawn, signature}``; ``kind`` is
    the trace's ``meta.kind`` set by gmm_core.figures (e.g. "ellipse", "points").
    """
    return page.evaluate(_FIGURES_JS)


def figure_of(page, index: int = 0) -> dict:
    found = figures(page)
    assert len(found) > index, f"only {len(found)} charts on the page, wanted chart {index}"
    return found[index]


def count_kind(figure: dict, kind: str) -> int:
    return sum(1 for trace in figure["traces"] if trace["kind"] == kind)


def wait_figure_change(page, before: dict, index: int = 0, timeout: int = IDLE_TIMEOUT_MS):
    """Wait until chart ``index`` is drawn and differs from ``before``; return it."""
    page.wait_for_function(
        f"""([i, before]) => {{
          if (document.querySelector('[data-testid=stException]')) return true;
          const figure = ({_FIGURES_JS.strip()})()[i];
          return !!figure && figure.drawn && figure.signature !== before;
        }}""",
        arg=[index, before["signature"]],
        timeout=timeout,
        polling=100,
    )
    assert_clean(page)
    wait_idle(page)
    wait_charts(page)
    return figure_of(page, index)
