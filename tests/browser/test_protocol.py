"""A real server, visited the way the load test visits it: Streamlit's websocket protocol.

These check two things a class notices: that the load test's visitor (bench/protocol.py)
drives the app as a browser does, so its figures mean something; and that visitors
sharing the server's sweep workers cannot break each other's sweeps.
"""

import asyncio
import contextlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from bench.protocol import StreamlitVisitor

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def run_visit(visit):
    """Run ``visit()`` (a coroutine function) to the end in a thread of its own: the
    session's Playwright already runs an event loop in this one."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, visit()).result()


def view_link(run) -> dict:
    """The page's "Copy link to this view" query, parsed."""
    (link,) = [e.proto.code_text for e in run.of_kind("code") if e.proto.code_text.startswith("?")]
    return {key: values[0] for key, values in parse_qs(link[1:]).items()}


def test_a_protocol_visitor_drives_the_app_as_a_browser_does(app_url):
    async def visit():
        visitor = StreamlitVisitor(app_url)
        try:
            opened = await visitor.open("mixture", "k=3&dseed=41")
            more = await visitor.slider("Components", +1)
            diag = await visitor.select("Covariance type", "diag")
            kmeans = await visitor.navigate("kmeans")
            back = await visitor.navigate("mixture")
            return opened, more, diag, kmeans, back
        finally:
            await visitor.close()

    opened, more, diag, kmeans, back = run_visit(visit)
    for run in (opened, more, diag, kmeans, back):
        assert run.problems == []
        assert run.of_kind("plotly_chart")
    assert opened.title == "Gaussian mixture clustering"
    assert opened.bytes_received > 100_000  # the frontend's scripts came with the first open
    assert view_link(opened)["k"] == "3"
    assert view_link(more)["k"] == "4"
    assert (view_link(diag)["k"], view_link(diag)["cov"]) == ("4", "diag")
    assert kmeans.title == "k-means and its limits"
    assert view_link(kmeans)["dseed"] == "41"  # the data follows the visitor across pages
    assert (view_link(back)["k"], view_link(back)["cov"]) == ("4", "diag")


def worker_processes(server_pid: int) -> list[int]:
    """The server's sweep workers (loky names them in their command line)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if parent == server_pid and b"LokyProcess" in (stat.parent / "cmdline").read_bytes():
                found.append(int(stat.parent.name))
    return found


def test_a_visitor_changing_inputs_mid_sweep_does_not_break_anothers_sweep(shared_server):
    """Both sweeps are big enough for the shared worker processes. The second visitor
    widens its range (a sweep starts) and, a second later, changes the covariance type,
    which abandons that sweep while the first visitor's is still running."""
    app_url = shared_server.url
    small = "sel_cov=all+four&sel_range=11&sel_range=12&dseed=52"

    async def visit():
        staying, leaving = StreamlitVisitor(app_url, timeout=200), StreamlitVisitor(app_url)
        try:
            await leaving.open("components", small)  # quick: fitted in the server's thread
            sweep = asyncio.create_task(
                staying.open("components", "sel_cov=all+four&sel_range=11&sel_range=30&dseed=51")
            )
            await asyncio.sleep(1.0)
            abandoned = asyncio.create_task(leaving.slider("Component counts", 18, handle=1))
            await asyncio.sleep(1.5)
            abandoned.cancel()  # stop waiting for it; the next input interrupts it
            with contextlib.suppress(asyncio.CancelledError):
                await abandoned
            changed = await leaving.select("Covariance type", "full")
            return await sweep, changed
        finally:
            await staying.close()
            await leaving.close()

    done, changed = run_visit(visit)
    assert done.problems == []
    assert worker_processes(shared_server.process.pid), "the sweeps did not use the workers"
    assert done.title == "How many components?"
    assert done.of_kind("plotly_chart")
    assert changed.problems == []
    assert view_link(changed)["sel_cov"] == "full"
