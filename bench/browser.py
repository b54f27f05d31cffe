"""Targets measured through a real ``streamlit run`` and headless Chromium.

- the slider-to-redraw time of the mixture page (used by :mod:`bench.interaction`);
- memory: server RSS (and its worker processes) after visiting every page at defaults;
- cold start: from spawning the server to the first chart drawn on /mixture.

Each is measured next to :mod:`bench.floor_app`, the smallest Streamlit app with the same
chart and slider and no model: the baseline the framework itself sets on this machine.
"""

import ast
import time

from . import common

TARGET_RSS_MB = 400
TARGET_COLD_S = 5.0

TRACE_COUNT = (
    "() => { const g = document.querySelector('.js-plotly-plot');"
    " return g ? g.querySelectorAll('.scatterlayer .trace').length : -1; }"
)
CHART_DRAWN = ".js-plotly-plot .main-svg"
#: Installed before the app loads: the page-side clock of key presses and of every
#: websocket message (time, bytes), to split a redraw into server and browser time.
PAGE_CLOCK = """
window.__frames = [];
const NativeSocket = window.WebSocket;
window.WebSocket = class extends NativeSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (e) => {
      const d = e.data;
      const n = d.byteLength ?? d.size ?? d.length;
      window.__frames.push([performance.now(), n]);
    });
  }
};
document.addEventListener("keydown", () => { window.__pressAt = performance.now(); }, true);
"""
CHART_FRAME_BYTES = 10_000  # a message at least this big after a press carries a chart


def app_pages() -> list[tuple[str, str]]:
    """(file, title) of every page in app.py's PAGES, read without running app.py."""
    tree = ast.parse(common.APP.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "PAGES" for t in node.targets
        ):
            return [(entry[0], entry[1]) for entry in ast.literal_eval(node.value)]
    raise LookupError("no PAGES list in app.py")


def url_path(file: str) -> str:
    """Streamlit's URL path of a page file: its stem (pages/mixture.py -> mixture)."""
    return file.rsplit("/", 1)[-1].removesuffix(".py")


# ---------------------------------------------------------------- slider -> redraw


class SliderPage:
    """A page with a "Components" slider whose first chart gains traces as k grows."""

    def __init__(self, server: common.Server, browser, path: str):
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.add_init_script(PAGE_CLOCK)
        self.page.goto(server.url + path)
        self.page.wait_for_selector(CHART_DRAWN, timeout=120_000)
        common.wait_settled(self.page)
        self.errors = common.page_errors(self.page)
        self.slider = self.page.locator("[data-testid=stSlider]").filter(has_text="Components")
        self.thumb = self.slider.first.locator("[role=slider], input[type=range]").first
        self.redraw_s: list[float] = []
        self.finished_s: list[float] = []
        self.counts: list[tuple[int, int]] = []
        self.split: list[dict] = []

    def change(self, record: bool = True) -> None:
        """ArrowRight once; time until the first chart's trace count changes (redrawn),
        and until the script run is over."""
        page = self.page
        self.thumb.focus()
        before = page.evaluate(TRACE_COUNT)
        start = time.perf_counter()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            f"(b) => {{ if (({TRACE_COUNT})() === b) return false;"
            " window.__drawnAt = performance.now(); return true; }",
            arg=before,
            polling="raf",
            timeout=60_000,
        )
        redrawn = time.perf_counter() - start
        common.wait_idle(page, settle_s=0.0)
        finished = time.perf_counter() - start
        if record:
            self.redraw_s.append(redrawn)
            self.finished_s.append(finished)
            self.counts.append((before, page.evaluate(TRACE_COUNT)))
            self.split.append(self._split())
        common.wait_settled(page)

    def _split(self) -> dict:
        """Page-side times (s) from the key press: first server message, the message with
        the chart, and the chart drawn (so drawn - chart message = browser render)."""
        press, drawn, frames = self.page.evaluate(
            "[window.__pressAt, window.__drawnAt, window.__frames.splice(0)]"
        )
        after = [(t, n) for t, n in frames if t >= press]
        chart = next((t for t, n in after if n >= CHART_FRAME_BYTES), None)
        return {
            "first_message_s": (after[0][0] - press) / 1000 if after else None,
            "chart_message_s": (chart - press) / 1000 if chart is not None else None,
            "drawn_s": (drawn - press) / 1000,
            "browser_render_s": (drawn - chart) / 1000 if chart is not None else None,
        }

    def close(self) -> dict:
        final_k = self.slider.first.locator("[data-testid=stSliderThumbValue]").inner_text()
        errors = self.errors + common.page_errors(self.page)
        self.page.close()
        return {
            "redraw_s": self.redraw_s,
            "rerun_finished_s": self.finished_s,
            "trace_counts": self.counts,
            "split": self.split,
            "final_k": final_k.strip(),
            "errors": errors,
        }


def redraws(pages: list[SliderPage], changes: int) -> list[dict]:
    """``changes`` timed slider changes on each page, taking turns so that any change in
    the machine's load hits every page alike. One untimed change first on each: the
    browser's first redraw pays for lazily loaded code."""
    for page in pages:
        page.change(record=False)
    for _ in range(changes):
        for page in pages:
            page.change()
    return [page.close() for page in pages]


# ---------------------------------------------------------------- memory


def process_memory(pid: int) -> dict:
    children = []
    for child in common.descendants(pid):
        rss = common.rss_mb(child)
        if rss is None:
            continue
        cmd = common.command_line(child)
        kind = (
            "loky worker"
            if "popen_loky" in cmd
            else "resource tracker"
            if "resource_tracker" in cmd
            else cmd[:80]
        )
        children.append({"pid": child, "kind": kind, "rss_mb": round(rss, 1)})
    return {
        "server_rss_mb": round(common.rss_mb(pid) or 0, 1),
        "server_peak_rss_mb": round(common.rss_mb(pid, "VmHWM") or 0, 1),
        "children": children,
        "children_rss_mb": round(sum(c["rss_mb"] for c in children), 1),
    }


def visit_all(server: common.Server, browser) -> list[dict]:
    """Open the home page, then every page by its sidebar link (one session, like a user)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server.url + "/")
    common.wait_settled(page)
    visits = []
    for file, _title in app_pages():
        path = url_path(file)
        start = time.perf_counter()
        link = page.locator(f"[data-testid=stSidebarNav] a[href$='/{path}']")
        how = "sidebar link"
        if link.count():
            link.first.click()
        else:
            how = "url"
            page.goto(f"{server.url}/{path}")
        page.wait_for_timeout(300)
        common.wait_settled(page, timeout_s=600)
        visits.append(
            {
                "page": path,
                "how": how,
                "seconds": round(time.perf_counter() - start, 2),
                "errors": common.page_errors(page),
                "server_rss_mb": round(common.rss_mb(server.pid) or 0, 1),
            }
        )
    page.close()
    return visits


def memory(quick: bool, log_dir) -> dict:
    out = {}
    with common.chromium() as browser:
        with common.streamlit_server(log_dir, script=common.FLOOR_APP) as floor:
            page = browser.new_page()
            page.goto(floor.url + "/")
            page.wait_for_selector(CHART_DRAWN, timeout=120_000)
            common.wait_settled(page)
            page.close()
            out["baseline_floor_app"] = process_memory(floor.pid)
        with common.streamlit_server(log_dir) as server:
            out["app_at_start"] = process_memory(server.pid)
            visits = visit_all(server, browser)
            out["visits"] = visits
            out["app_after_all_pages"] = process_memory(server.pid)
    after = out["app_after_all_pages"]
    base = out["baseline_floor_app"]["server_rss_mb"]
    errors = {v["page"]: v["errors"] for v in visits if v["errors"]}
    out.update(
        {
            "what": "VmRSS of the `streamlit run app.py` process and of its child processes "
            "(loky workers of the process-parallel sweeps) after visiting the home page and "
            "then every page of app.py PAGES at its defaults in one Chromium session",
            "ratio_server_vs_floor_app": round(after["server_rss_mb"] / base, 3),
            "workers_add_mb": after["children_rss_mb"],
            "target": common.target(TARGET_RSS_MB, after["server_rss_mb"], kind="<", unit=" MB"),
            "page_errors": errors,
            "correct": not errors and len(visits) == len(app_pages()),
        }
    )
    return out


# ---------------------------------------------------------------- cold start


def cold_start_once(browser, log_dir, script, path: str) -> dict:
    """Spawn a server, open ``path`` as soon as it is healthy, stop at the first chart."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script(PAGE_CLOCK)
    with common.streamlit_server(log_dir, script=script) as server:
        opened = time.perf_counter() - server.started
        page.goto(server.url + path, wait_until="commit")
        page.wait_for_selector(
            "[data-testid=stApp][data-test-connection-state=CONNECTED]",
            state="attached",
            timeout=120_000,
        )
        connected = time.perf_counter() - server.started
        page.wait_for_selector(CHART_DRAWN, timeout=120_000)
        drawn = time.perf_counter() - server.started
        frames = page.evaluate("window.__frames.slice()")  # page clock: ms since navigation
        common.wait_settled(page)
        settled = time.perf_counter() - server.started
        errors = common.page_errors(page)
        dialog = page.query_selector("[role=dialog]") is not None
        page.close()
    return {
        "healthy_s": server.healthy_after_s,
        "frontend_connected_s": connected,
        "first_message_s": opened + frames[0][0] / 1000 if frames else None,
        "chart_message_s": next(
            (opened + t / 1000 for t, n in frames if n >= CHART_FRAME_BYTES), None
        ),
        "chart_drawn_s": drawn,
        "settled_s": settled,
        "errors": errors,
        "dialog": dialog,
    }


def _maybe_seconds(values):
    values = [v for v in values if v is not None]
    return common.seconds(values) if values else None


def cold_start(quick: bool, log_dir) -> dict:
    repeats = 1 if quick else 3
    ours, floor = [], []
    with common.chromium() as browser:
        # The browser is started first and not timed: a visitor's browser is running.
        for _ in range(repeats):  # interleaved so drift in load hits both alike
            floor.append(cold_start_once(browser, log_dir, common.FLOOR_APP, "/"))
            ours.append(cold_start_once(browser, log_dir, common.APP, "/mixture"))
    drawn = common.median(o["chart_drawn_s"] for o in ours)
    floor_drawn = common.median(f["chart_drawn_s"] for f in floor)
    problems = [o["errors"] for o in ours if o["errors"]] + [
        "dialog shown" for o in ours if o["dialog"]
    ]
    return {
        "what": "spawn `streamlit run app.py` -> /_stcore/health ok -> open /mixture in "
        "headless Chromium (already running) -> first plotly chart drawn (.main-svg); "
        "times from the spawn (first server message and chart message on the page's clock)",
        "ours_chart_drawn": common.seconds(o["chart_drawn_s"] for o in ours),
        "ours_server_healthy": common.seconds(o["healthy_s"] for o in ours),
        "ours_frontend_connected": common.seconds(o["frontend_connected_s"] for o in ours),
        "ours_first_server_message": _maybe_seconds(o["first_message_s"] for o in ours),
        "ours_chart_message": _maybe_seconds(o["chart_message_s"] for o in ours),
        "ours_page_settled": common.seconds(o["settled_s"] for o in ours),
        "baseline_floor_app_chart_drawn": common.seconds(f["chart_drawn_s"] for f in floor),
        "baseline_floor_app_healthy": common.seconds(f["healthy_s"] for f in floor),
        "baseline_floor_app_chart_message": _maybe_seconds(f["chart_message_s"] for f in floor),
        "baseline_floor_app_frontend_connected": common.seconds(
            f["frontend_connected_s"] for f in floor
        ),
        "ratio_vs_floor_app": round(drawn / floor_drawn, 3),
        "problems": problems,
        "target": common.target(TARGET_COLD_S, drawn, kind="<", unit=" s"),
        "correct": not problems,
    }
