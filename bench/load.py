"""Load test: a class of concurrent visitors, plus heavy requests, against a real server.

A documented command, not part of the test suite::

    python -m bench.load [--sessions 20] [--browsers 2] [--interactions 10] [--heavy 3]

(``make load``). It starts ``streamlit run app.py`` on 127.0.0.1 in its own process
group and warms it up: one visit per light page, then the heavy pages once on other
inputs than the load's (imports, the first-deep-link rerun, the sweep workers and the
digits' shared caches are one-time costs, not load). It waits for the sweep workers to
exit after their idle minute and records the baseline memory.

Then ``--sessions`` students (started ``--stagger`` seconds apart) each do
``--interactions`` timed interactions, ``--think`` seconds apart on average: open
/mixture by URL, move the Components slider, switch the covariance type, toggle
uncertainty sizing, switch pages in the sidebar (k-means, covariance, density) and move
their sliders. Each has its own data seed, so nobody is served from another's cache
(the worst case). These students speak Streamlit's websocket protocol
(:mod:`bench.protocol`): what a browser sends and receives, page download included,
without rendering. In class every student renders on a computer of their own, so this
is the load the server meets; twenty Chromium tabs on the server's two cores would
measure Chromium instead (the previous version of this script did: LOADTEST.md).
``--browsers`` more students do the same in real Chromium tabs on this machine, so the
figures also say what drawing the page adds. Alongside, ``--heavy`` visitors open the
heaviest pages: a 120-fit /components sweep over all four covariance types up to 40
components, /digits with its 16-fit sweep, a 40-count sweep with 3-fold held-out
likelihood.

Latencies:

- ``latency_s``: protocol students, from the request leaving until the run's final
  ``script_finished`` arrived (every element of the page received);
- ``browser_latency_s``: Chromium students, from the input until the page shows the
  rerun finished (connected, script not running, title and chart drawn);
- ``browser_received_s``: Chromium students, until the server's ``script_finished``
  reached the page's websocket handler, before rendering;
- ``server_latency_s``: inside the server, from a session receiving a rerun request to
  its script stopping (a ``sitecustomize`` on the server's PYTHONPATH logs both; the app
  and the command are unchanged), for every request of the load phase.

A failure is a timeout, an exception or error alert on the page, a dialog, a "page not
found", a page without its title or chart, or a dropped connection; each is classified.
Server memory (VmRSS of the server plus all its descendant processes, from /proc) is
sampled every 0.5 s; after the sessions close it is followed for up to ``--settle``
seconds. CPU use of the server, the browser and every other process on the machine is
reported, so a run on a busy machine says so. Chromium runs at a lower priority
(``--browser-nice``): it stands for the students' own computers.

Prints one JSON summary on stdout (progress on stderr). Exit status: 0 when every
interaction succeeded, 1 when some failed, 2 when the run could not start, 3 when the
hard time limit (``--time-limit``) had to kill it. Latency and memory targets are
reported, never turned into an exit status (machines differ). Only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from playwright.async_api import TimeoutError as PlaywrightTimeout

from bench.common import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    Server,
    command_line,
    descendants,
    free_port,
    machine,
    rss_mb,
    start_streamlit,
    stop_server,
)
from bench.protocol import ProtocolError, Run, StreamlitVisitor
from gmm_core.workers import WORKER_IDLE_SECONDS

HOST = "127.0.0.1"
TARGET_P95_S = 3.0
TARGET_PEAK_MB = 2048.0
TARGET_SETTLED_RATIO = 1.2

#: Pages the light sessions use; the ones missing from pages/ are left out (and reported).
LIGHT_PAGES = ("mixture", "kmeans", "covariance", "density", "data")
#: Heavy requests: (name, page, query); ``{seed}`` gets a data seed nobody else uses.
HEAVY_REQUESTS = (
    (
        "components: all four covariance types, 11..40 components (120 fits)",
        "components",
        "sel_cov=all+four&sel_range=11&sel_range=40&dseed={seed}",
    ),
    ("digits: first visit (PCA + 16-fit AIC sweep + 150-component fit)", "digits", ""),
    (
        "components: full, 1..40 components, 3-fold held-out likelihood (160 fits)",
        "components",
        "sel_cov=full&sel_range=1&sel_range=40&sel_cv=true&dseed={seed}",
    ),
)
COVARIANCE_CYCLE = ("diag", "spherical", "tied", "full")


def _forward_msg_field(name: str) -> int:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    return ForwardMsg.DESCRIPTOR.fields_by_name[name].number


# In every page, before the app's own code: log each change of the app's script state
# (page clock), and each "script finished" / "page not found" message the server sends,
# read off the websocket by the field number of the ForwardMsg protobuf. The messages
# matter because a busy browser can apply "running" and "finished" in one render, so the
# DOM never shows "running".
INIT_JS = """
(() => {
  window.__stLog = [];
  window.__stMsgs = [];
  new MutationObserver((records) => {
    for (const r of records) {
      window.__stLog.push([performance.now(), r.target.getAttribute('data-test-script-state')]);
    }
  }).observe(document, {subtree: true, attributes: true,
                        attributeFilter: ['data-test-script-state']});
  const KINDS = {__FINISHED__: 'finished', __NOT_FOUND__: 'notFound'};
  const topField = (b) => {  // the ForwardMsg's field that is set (the message type)
    let i = 0;
    const varint = () => {
      let x = 0, shift = 1, c;
      do { c = b[i++]; x += (c & 0x7f) * shift; shift *= 128; } while (c & 0x80 && i < b.length);
      return x;
    };
    while (i < b.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
      if (KINDS[field]) return KINDS[field];
      if (wire === 0) varint(); else if (wire === 1) i += 8;
      else if (wire === 2) i += varint(); else if (wire === 5) i += 4; else return null;
    }
    return null;
  };
  const Native = window.WebSocket;
  const Patched = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener('message', (event) => {
      const t = performance.now();
      if (event.data instanceof ArrayBuffer && event.data.byteLength < 400) {
        const kind = topField(new Uint8Array(event.data));
        if (kind) window.__stMsgs.push([t, kind]);
      }
    });
    return ws;
  };
  Patched.prototype = Native.prototype;
  Object.assign(Patched, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Patched;
})();
""".replace("__FINISHED__", str(_forward_msg_field("script_finished"))).replace(
    "__NOT_FOUND__", str(_forward_msg_field("page_not_found"))
)
# Waits inside the page (one call per interaction, checks every 50 ms) until the app is
# connected and idle, a run started after page time t0 has finished (any run for a fresh
# document; "finished" seen in the DOM or on the websocket), the main area has its title
# and, if asked, a drawn chart; two frames later, and still idle 0.3 s later (a page that
# reruns itself is waited out). Returns epoch times (ms): when it was done and when the
# server's last "finished" message arrived; or, on a timeout, what the page looked like.
WAIT_JS = """
async ([t0, needRun, chart, timeoutMs]) => {
  const begin = performance.now();
  const sleep = (ms) => new Promise(r => setTimeout(r, ms));
  const frame = () => Promise.race([new Promise(r => requestAnimationFrame(r)), sleep(250)]);
  const state = () => {
    const app = document.querySelector('[data-testid=stApp]');
    return app && app.getAttribute('data-test-connection-state') === 'CONNECTED'
      ? app.getAttribute('data-test-script-state') : null;
  };
  const ranSince = (t) => (window.__stLog || []).some(e => e[0] >= t && e[1] === 'running');
  const msgs = (t, kind) => (window.__stMsgs || []).filter(e => e[0] >= t && e[1] === kind);
  const drawn = () => {
    const main = document.querySelector('[data-testid=stMain]') || document;
    return !!main.querySelector('h1')
      && (!chart || !!main.querySelector('[data-testid=stPlotlyChart] .main-svg'));
  };
  const epoch = (t) => t === null ? null : performance.timeOrigin + t;
  const lastFinished = () => {
    const f = msgs(t0, 'finished');
    return f.length ? epoch(f[f.length - 1][0]) : null;
  };
  let since = t0, need = needRun;
  while (performance.now() - begin < timeoutMs) {
    const ran = ranSince(since) || msgs(since, 'finished').length > 0;
    if (state() === 'notRunning' && (!need || ran) && drawn()) {
      await frame(); await frame();  // let the app render what the last messages changed
      const done = performance.now();
      await sleep(300);
      const again = ranSince(done) || msgs(done, 'finished').length > 0;
      if (state() === 'notRunning' && !again && drawn()) {
        return {doneEpoch: epoch(done), finishedEpoch: lastFinished(),
                notFound: msgs(t0, 'notFound').length > 0};
      }
      since = done; need = true;  // it ran again: wait for that run
      continue;
    }
    await sleep(50);
  }
  return {timeout: true, finishedEpoch: lastFinished(), state: state(),
          ranInDom: ranSince(t0), drawn: drawn(), notFound: msgs(t0, 'notFound').length > 0};
}
"""
PROBLEMS_JS = """
() => {
  const out = [];
  const text = (e, n) => (e.innerText || '').replace(/\\s+/g, ' ').trim().slice(0, n);
  for (const e of document.querySelectorAll('[data-testid=stException]'))
    out.push('exception: ' + text(e, 500));
  for (const e of document.querySelectorAll('[data-testid=stAlertContentError]'))
    out.push('error alert: ' + text(e, 500));
  for (const e of document.querySelectorAll('[role=dialog]'))
    out.push('dialog: ' + text(e, 300));
  return out;
}
"""
NOW_JS = "() => performance.now()"


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- measuring the server


def memory(pid: int) -> dict:
    """VmRSS of the server and of all its descendant processes, in MB."""
    server = rss_mb(pid) or 0.0
    kids = descendants(pid)
    children = sum(rss_mb(child) or 0.0 for child in kids)
    return {
        "server_mb": round(server, 1),
        "children_mb": round(children, 1),
        "total_mb": round(server + children, 1),
        "n_children": len(kids),
    }


def _short(command: str) -> str:
    for name in ("LokyProcess", "resource_tracker", "ForkServer", "multiprocessing"):
        if name in command:
            return name + ("" if name != "LokyProcess" else " (joblib worker)")
    return command[:80]


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids) -> float:
    """User + system CPU of processes (with their reaped children), in seconds."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return total / _TICK


def tree_cpu(server_pid: int) -> tuple[float, float]:
    """CPU seconds so far of the server's process tree and of ours (Playwright, Chromium)."""
    server = {server_pid, *descendants(server_pid)}
    ours = [p for p in descendants(os.getpid()) if p not in server]
    return cpu_seconds(server), cpu_seconds(ours)


def harness_cpu() -> float:
    """CPU seconds of this Python process (the asyncio driver of every session)."""
    times = os.times()
    return times.user + times.system


def machine_cpu() -> float:
    """Busy CPU seconds of the whole machine so far (all processes, from /proc/stat)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return (sum(fields[:8]) - fields[3] - fields[4]) / _TICK  # minus idle and iowait
    return 0.0


def load_average() -> float | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        return float(Path("/proc/loadavg").read_text().split()[0])
    return None


def renice_browser(server_pid: int, niceness: int) -> None:
    """Lower the priority of our own Playwright driver and Chromium processes.

    The 20 "students" share this machine's cores with the server; in class each has a
    computer of their own. A lower priority lets the server take the CPU it needs first,
    so server-side figures are not those of a server starved by its own clients.
    Playwright starts Chromium in a session of its own, and with the kernel's autogroup
    scheduling a session competes as a whole: so the niceness is also set on Chromium's
    autogroup (it holds only our browser's processes; nobody else's priority changes).
    """
    if niceness <= 0:
        return
    server = {server_pid, *descendants(server_pid)}
    server_group = _autogroup(server_pid)
    for pid in descendants(os.getpid()):
        if pid in server:
            continue
        with contextlib.suppress(OSError):
            if os.getpriority(os.PRIO_PROCESS, pid) < niceness:
                os.setpriority(os.PRIO_PROCESS, pid, niceness)
        group = _autogroup(pid)
        if group and group[0] != (server_group or ("",))[0] and group[1] < niceness:
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/autogroup").write_text(str(niceness))


def _autogroup(pid: int) -> tuple[str, int] | None:
    """(name, nice) of a process's scheduling autogroup, None without autogroups."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        name, _, nice = Path(f"/proc/{pid}/autogroup").read_text().split()
        return name, int(nice)
    return None


def active_sessions(url: str) -> int | None:
    """Streamlit's own count of connected sessions (/_stcore/metrics)."""
    with (
        contextlib.suppress(OSError, ValueError),
        urllib.request.urlopen(url + "/_stcore/metrics", timeout=2) as reply,
    ):
        for line in reply.read().decode().splitlines():
            if line.startswith("active_sessions "):
                return int(float(line.split()[1]))
    return None


# Loaded by the server's interpreter (a ``sitecustomize`` on its PYTHONPATH, nothing in the
# app changes): logs when each rerun request reaches a session and when its script stops,
# so server time can be told apart from the time the browsers take. The variable is
# removed at once: the server's worker processes import the hook but it stays inactive.
SERVER_HOOK = """
import os, threading, time

_path = os.environ.pop("GMM_LOAD_TIMING_FILE", None)
if _path:
    _out = open(_path, "a", buffering=1)
    _lock = threading.Lock()

    def _write(kind, sid, page=""):
        with _lock:
            _out.write(f"{time.time():.4f} {kind} {sid} {page or '-'}\\n")

    try:
        from streamlit.runtime import app_session as _app_session

        _request = _app_session.AppSession.request_rerun
        _event = _app_session.AppSession._on_scriptrunner_event

        def request_rerun(self, client_state, *args, **kwargs):
            _write("request", self.id, getattr(client_state, "page_name", ""))
            return _request(self, client_state, *args, **kwargs)

        def _on_scriptrunner_event(self, sender, event, *args, **kwargs):
            name = getattr(event, "name", "")
            if name.startswith("SCRIPT_"):
                _write(name, self.id)
            return _event(self, sender, event, *args, **kwargs)

        _app_session.AppSession.request_rerun = request_rerun
        _app_session.AppSession._on_scriptrunner_event = _on_scriptrunner_event
    except Exception as error:
        _write("hook-failed", "-", type(error).__name__)
"""


def server_timings(path: Path, since: float, until: float) -> dict:
    """Rerun requests (from ``since`` to ``until``, epoch) and when their script stopped.

    Returns latency percentiles per kind of page (light, heavy) and the requests the
    server never finished.
    """
    if not path.exists():
        return {"available": False}
    events: dict[str, list[tuple[float, str, str]]] = {}
    for line in path.read_text().splitlines():
        with contextlib.suppress(ValueError):
            stamp, kind, sid, page = line.split(" ", 3)
            if kind == "hook-failed":
                return {"available": False, "reason": f"hook failed: {page}"}
            events.setdefault(sid, []).append((float(stamp), kind, page))
    heavy_pages = {page for _, page, _ in HEAVY_REQUESTS}
    latencies: dict[str, list[float]] = {"light": [], "heavy": []}
    unanswered = 0
    for session_events in events.values():
        page = "-"
        for i, (stamp, kind, name) in enumerate(session_events):
            if kind != "request" or not since <= stamp <= until:
                continue
            page = name if name != "-" else page  # an empty page_name: same page as before
            done = next(
                (t for t, k, _ in session_events[i + 1 :] if k.startswith("SCRIPT_STOPPED_WITH")),
                None,
            )
            if done is None:
                unanswered += 1
                continue
            kind_of_page = "heavy" if page in heavy_pages else "light"
            latencies[kind_of_page].append(done - stamp)
    return {
        "available": True,
        "light": percentiles(latencies["light"]),
        "heavy": percentiles(latencies["heavy"]),
        "unanswered_requests": unanswered,
    }


def start_server(app: Path, port: int, log_dir: Path, timeout: float) -> Server:
    """The server under load, with the timing hook on its PYTHONPATH, in our session (so
    ``--browser-nice`` ranks it above the Chromium students)."""
    hook_dir = log_dir / "server-hook"
    hook_dir.mkdir(parents=True, exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(SERVER_HOOK)
    timing_file = log_dir / f"load-timings-{port}.txt"
    timing_file.unlink(missing_ok=True)
    env = dict(os.environ, GMM_LOAD_TIMING_FILE=str(timing_file))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(hook_dir), env.get("PYTHONPATH")]))
    server = start_streamlit(
        log_dir, script=app, port=port, env=env, own_session=False, cwd=app.parent, timeout=timeout
    )
    server.extra["timings"] = timing_file
    return server


def server_errors(log_file: Path) -> list[dict]:
    """The distinct exceptions the server logged, with counts (last line of each traceback)."""
    with contextlib.suppress(OSError):
        lines = log_file.read_text(errors="replace").splitlines()
        counts: dict[str, int] = {}
        in_traceback = False
        for i, line in enumerate(lines):
            if line.startswith("Traceback (most recent call last)"):
                in_traceback = True
                continue
            if in_traceback and line and not line.startswith(" "):
                message = line.strip()
                # a wrapped exception message continues on the next unindented lines
                nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
                if nxt and not nxt[:4].isdigit() and len(message) < 200:
                    message += " " + nxt
                counts[message[:300]] = counts.get(message[:300], 0) + 1
                in_traceback = False
        return [{"error": k, "count": v} for k, v in sorted(counts.items(), key=lambda x: -x[1])]
    return []


class Sampler:
    """Server memory every ``interval`` seconds, and Streamlit's session count now and then."""

    def __init__(self, server: Server, interval: float = 0.5, niceness: int = 0):
        self.server, self.interval, self.niceness = server, interval, niceness
        self.samples: list[dict] = []
        self.sessions: list[int] = []
        self.sched: dict[tuple[int, str], tuple[int, int]] = {}
        self.sched_start: dict[tuple[int, str], tuple[int, int]] = {}
        self._stop = asyncio.Event()

    async def run(self) -> None:
        start, n = time.perf_counter(), 0
        while not self._stop.is_set():
            sample = memory(self.server.pid)
            sample["t_s"] = round(time.perf_counter() - start, 2)
            self._schedstat()
            self.samples.append(sample)
            if n % 4 == 0:
                renice_browser(self.server.pid, self.niceness)  # renderers come and go
                count = await asyncio.to_thread(active_sessions, self.server.url)
                if count is not None:
                    self.sessions.append(count)
            n += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)

    def stop(self) -> None:
        self._stop.set()

    def _schedstat(self) -> None:
        """Per-thread CPU time and run-queue wait of the server and its children."""
        first = not self.sched_start
        for pid in [self.server.pid, *descendants(self.server.pid)]:
            with contextlib.suppress(OSError):
                for tid in os.listdir(f"/proc/{pid}/task"):
                    with contextlib.suppress(OSError, ValueError, IndexError):
                        stat = Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()
                        now = (int(stat[0]), int(stat[1]))
                        # threads born after the first sample count from their birth
                        self.sched_start.setdefault((pid, tid), now if first else (0, 0))
                        self.sched[(pid, tid)] = now

    def cpu_wait(self) -> dict:
        """Seconds the server's threads ran, and waited runnable for a CPU (threads seen)."""
        run = sum(v[0] - self.sched_start[k][0] for k, v in self.sched.items())
        wait = sum(v[1] - self.sched_start[k][1] for k, v in self.sched.items())
        return {"on_cpu_s": round(run / 1e9, 1), "waiting_for_cpu_s": round(wait / 1e9, 1)}

    def peak(self) -> dict:
        if not self.samples:
            return {}
        top = max(self.samples, key=lambda s: s["total_mb"])
        return {
            "server_mb": max(s["server_mb"] for s in self.samples),
            "children_mb": max(s["children_mb"] for s in self.samples),
            "total_mb": top["total_mb"],
            "total_at_s": top["t_s"],
            "max_children": max(s["n_children"] for s in self.samples),
            "samples": len(self.samples),
        }


# ---------------------------------------------------------------- driving one page


class Timeout(Exception):
    def __init__(self, message: str, page_state: dict | None = None):
        super().__init__(message)
        self.page_state = page_state or {}


class Deadline:
    def __init__(self, at: float):
        self.at = at

    def left(self) -> float:
        return self.at - time.perf_counter()

    def cap(self, seconds: float) -> float:
        left = self.left()
        if left <= 0:
            raise Timeout("the run's time limit was reached")
        return min(seconds, left)


async def wait_done(page, t0: float | None, chart: bool, timeout: float, deadline: Deadline):
    """Wait until the rerun started after page time ``t0`` has finished and is drawn.

    ``t0=None``: a freshly opened document, any finished run counts. Returns WAIT_JS's
    answer (epoch times in ms); raises Timeout with what the page looked like.
    """
    limit = deadline.cap(timeout)
    args = [t0 or 0.0, t0 is not None, chart, limit * 1000]
    try:
        result = await asyncio.wait_for(page.evaluate(WAIT_JS, args), limit + 15)
    except TimeoutError:
        result = {"timeout": True}
    if result.get("timeout"):
        if deadline.left() <= 0:
            raise Timeout("the run's time limit was reached", result)
        raise Timeout(f"not done after {timeout:.0f} s", result)
    return result


def page_url(base: str, path: str, query: str = "") -> str:
    return f"{base}/{path}" + (f"?{query}" if query else "")


@dataclass
class Student:
    """What every simulated student has, whichever way it is driven."""

    index: int
    base: str
    data_seed: int
    cov_index: int = 0
    heavy: bool = False
    round: int = 0
    started: float = field(default_factory=time.time)  # the round's start (epoch seconds)
    results: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def next_covariance(self) -> str:
        option = COVARIANCE_CYCLE[self.cov_index % len(COVARIANCE_CYCLE)]
        self.cov_index += 1
        return option

    def listen(self) -> None:
        """Start collecting what the page reports by itself (nothing, by default)."""

    def new_record(self, step: str) -> dict:
        """The record of one interaction, stamped with its time in the round."""
        return {
            "session": self.index,
            "round": self.round + 1,
            "step": step,
            "at_s": round(time.time() - self.started, 1),
        }

    @staticmethod
    def note_problems(record: dict, problems: list[str]) -> None:
        """What the student saw go wrong makes the interaction a failure of the app."""
        if problems:
            record["error"] = "; ".join(problems)
            record["cause"] = "app error"


@dataclass
class ProtocolSession(Student):
    """A student whose tab speaks Streamlit's websocket protocol and renders nothing.

    In class every student draws the page on a computer of their own; what reaches the
    server is this traffic (a new visitor's page download included), so twenty of these
    measure the server as twenty visitors see it, without twenty renderers on its cores.
    """

    visitor: StreamlitVisitor | None = None
    driver: str = "protocol"

    async def fresh_page(self) -> None:
        """After a failure: drop the connection; the next step opens the page again."""
        await self.visitor.close()

    async def slider(self, label: str, step: int) -> Run:
        return await self.visitor.slider(label, step)

    async def select_covariance(self) -> Run:
        return await self.visitor.select("Covariance type", self.next_covariance())

    async def toggle(self, label: str) -> Run:
        return await self.visitor.toggle(label)

    async def nav(self, path: str) -> Run:
        return await self.visitor.navigate(path)

    async def step(self, name, action, *, chart, timeout, deadline, expect_path=None) -> dict:
        """One timed request (``action=None``: open ``expect_path`` as a new tab)."""
        record = self.new_record(name)
        try:
            limit = deadline.cap(timeout)
            if action is None:
                path, _, query = expect_path.removeprefix(self.base + "/").partition("?")
                run = await asyncio.wait_for(self.visitor.open(path, query), limit)
            else:
                run = await asyncio.wait_for(action(), limit)
            record["latency_s"] = round(run.seconds, 3)
            record["received_kb"] = round(run.bytes_received / 1024, 1)
            problems = run.problems
            if not run.title:
                problems.append("the page has no title")
            if chart and not run.of_kind("plotly_chart"):
                problems.append("the page has no chart")
            self.note_problems(record, problems)
        except Timeout as error:
            record["error"] = f"timeout: {error}"
            record["cause"] = "timeout, the run's time limit"
        except TimeoutError:
            record["error"] = f"timeout: no finished run within {timeout:.0f} s"
            record["cause"] = "timeout, the server did not finish the run"
        except (ProtocolError, OSError, websockets.WebSocketException) as error:
            record["error"] = f"{type(error).__name__}: {str(error)[:300]}"
            record["cause"] = "connection or page: " + type(error).__name__
        record["url"] = "/" + self.visitor.path
        self.results.append(record)
        return record


@dataclass
class BrowserSession(Student):
    """One browser context: a student clicking through the lesson, drawn by Chromium."""

    context: object = None
    page: object = None
    driver: str = "browser"

    def listen(self) -> None:
        self.page.on("pageerror", lambda e: self.notes.append(f"page error: {e}"[:300]))

    async def fresh_page(self) -> None:
        """After a failure: drop the (possibly still busy) page for a new one."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.page.close(), 15)
        self.page = await asyncio.wait_for(self.context.new_page(), 30)
        self.listen()

    # -- inputs

    async def slider(self, label: str, step: int) -> None:
        slider = (
            self.page.locator("[data-testid=stSlider]")
            .filter(has=self.page.get_by_text(label, exact=True))
            .locator("input[type=range]")
            .first
        )
        value, low, high = await slider.evaluate(
            "e => [Number(e.value), Number(e.min), Number(e.max)]"
        )
        if not low <= value + step <= high:
            step = -step
        await slider.focus()
        await self.page.keyboard.press("ArrowRight" if step > 0 else "ArrowLeft")

    async def select_covariance(self) -> None:
        option = self.next_covariance()
        box = self.page.locator("[data-testid=stSelectbox]").filter(
            has=self.page.get_by_text("Covariance type", exact=True)
        )
        await box.first.click()
        choice = self.page.locator("[role=option]").filter(has_text=re.compile(rf"^\s*{option}"))
        await choice.first.click()

    async def toggle(self, label: str) -> None:
        await self.page.get_by_text(label, exact=True).first.click()

    async def nav(self, path: str) -> None:
        link = self.page.locator(f'[data-testid=stSidebarNavLink][href$="/{path}"]').first
        if not await link.is_visible():
            more = self.page.locator("[data-testid=stSidebarNavViewButton]")
            if await more.count() and "more" in (await more.first.inner_text()).lower():
                await more.first.click()
        await link.click()

    # -- one timed interaction

    async def step(self, name, action, *, chart, timeout, deadline, expect_path=None) -> dict:
        """One timed interaction (``action=None``: open ``expect_path`` by URL)."""
        record = self.new_record(name)
        start = time.time()
        try:
            if action is None:  # a new document: any finished run counts
                await self.page.goto(expect_path, wait_until="commit", timeout=timeout * 1000)
                done = await wait_done(self.page, None, chart, timeout, deadline)
            else:
                t0 = await self.page.evaluate(NOW_JS)
                start = time.time()
                await asyncio.wait_for(action(), deadline.cap(timeout))
                await asyncio.sleep(0.1)
                done = await wait_done(self.page, t0, chart, timeout, deadline)
            record["latency_s"] = round(done["doneEpoch"] / 1000 - start, 3)
            self._received(record, start, done)
            problems = await self.page.evaluate(PROBLEMS_JS)
            if done.get("notFound"):
                problems.append("the server answered 'page not found'")
            self.note_problems(record, problems)
        except Timeout as error:
            record["error"] = f"timeout: {error}"
            record["cause"] = "timeout, no answer reached the page"
            seen = error.page_state
            if self._received(record, start, seen):
                record["cause"] = "timeout, server finished but page not drawn"
                record["error"] += (
                    f" (the server's 'finished' reached the page after {record['received_s']} s;"
                    f" then: script state {seen.get('state')}, chart drawn {seen.get('drawn')})"
                )
            with contextlib.suppress(Exception):
                problems = await self.page.evaluate(PROBLEMS_JS)
                if problems:
                    record["error"] += "; " + "; ".join(problems)
                    record["cause"] = "app error"
        except (TimeoutError, PlaywrightTimeout) as error:  # the page ignored the input
            detail = (str(error).splitlines() or [f"no answer in {timeout:.0f} s"])[0][:300]
            record["error"] = f"timeout: {detail}"
            record["cause"] = "timeout, page did not take the input"
        except Exception as error:  # a locator that found nothing, a closed page...
            record["error"] = f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"
            record["cause"] = "harness: " + type(error).__name__
        record["url"] = self.page.url.replace(self.base, "")
        self.results.append(record)
        return record

    @staticmethod
    def _received(record: dict, start: float, page_answer: dict) -> bool:
        """When the server's last "script finished" reached the page, from the input."""
        finished = page_answer.get("finishedEpoch")
        if finished:
            record["received_s"] = round(finished / 1000 - start, 3)
        return bool(finished)


def light_plan(session: Student, pages: set[str]):
    """The session's interactions, in order, repeating after the first tour."""
    first_k = 3 + session.index % 5
    opening = (
        "open /mixture by URL",
        None,
        page_url(session.base, "mixture", f"k={first_k}&dseed={session.data_seed}"),
    )
    tour = [
        ("mixture: Components +1", lambda: session.slider("Components", +1), None),
        ("mixture: covariance type", session.select_covariance, None),
        ("mixture: Components -1", lambda: session.slider("Components", -1), None),
        ("mixture: size by certainty", lambda: session.toggle("Size points by certainty"), None),
    ]
    if "kmeans" in pages:
        tour += [
            ("sidebar -> /kmeans", lambda: session.nav("kmeans"), "kmeans"),
            ("kmeans: Clusters +1", lambda: session.slider("Clusters (k)", +1), None),
        ]
    if "covariance" in pages:
        tour.append(("sidebar -> /covariance", lambda: session.nav("covariance"), "covariance"))
    if "density" in pages:
        tour += [
            ("sidebar -> /density", lambda: session.nav("density"), "density"),
            ("density: Components -1", lambda: session.slider("Components", -1), None),
        ]
    if len(tour) > 4:
        tour.append(("sidebar -> /mixture", lambda: session.nav("mixture"), "mixture"))
    yield opening
    while True:
        yield from tour


async def run_light(session: Student, pages, n: int, args, deadline: Deadline, rng) -> None:
    plan = light_plan(session, pages)
    for _ in range(n):
        if deadline.left() <= 0:
            break
        name, action, target = next(plan)
        if action is None:
            record = await session.step(
                name, None, chart=True, timeout=args.timeout, deadline=deadline, expect_path=target
            )
        else:
            record = await session.step(
                name, action, chart=True, timeout=args.timeout, deadline=deadline
            )
            if target and "error" not in record and not record["url"].startswith(f"/{target}"):
                record["error"] = f"expected /{target}, the page is at {record['url']}"
        if "error" in record:
            log(f"session {session.index}: {name} failed: {record['error'][:200]}")
            # start over from a known state: the next interaction opens the page again
            plan = light_plan(session, pages)
            try:
                await session.fresh_page()
            except Exception as error:  # the browser itself is stuck: this session stops
                log(f"session {session.index}: no new page ({type(error).__name__}); stopping")
                break
        await asyncio.sleep(rng.uniform(0.5, 1.5) * args.think)


async def run_heavy(session: Student, spec, delay: float, args, deadline: Deadline) -> None:
    name, path, query = spec
    await asyncio.sleep(delay)
    url = page_url(session.base, path, query.format(seed=session.data_seed))
    log(f"heavy {session.index}: {name}")
    record = await session.step(
        name, None, chart=True, timeout=args.heavy_timeout, deadline=deadline, expect_path=url
    )
    log(f"heavy {session.index}: done in {record.get('latency_s')} s {record.get('error', '')}")


#: The heavy pages' warm-up: the same code paths as HEAVY_REQUESTS (imports, the worker
#: pool, the digits' shared caches) on other inputs, so the load's requests still compute.
HEAVY_WARM_UP = (
    ("components", "sel_range=1&sel_range=40&dseed=999"),
    ("digits", "dig_var=0.95"),
)


async def warm_up(base: str, paths, deadline: Deadline) -> list[dict]:
    """Open each of ``paths`` ((page, query) pairs) once, as one visitor, then leave."""
    session = ProtocolSession(-1, base, 0, visitor=StreamlitVisitor(base, timeout=240))
    for path, query in paths:
        await session.step(
            f"warm-up /{path}", None, chart=True, timeout=240, deadline=deadline,
            expect_path=page_url(base, path, query),
        )  # fmt: skip
    await session.fresh_page()
    return session.results


async def idle_workers_gone(server: Server, timeout: float) -> float:
    """Wait until the server's sweep workers have exited after their idle minute."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if not any("LokyProcess" in command_line(pid) for pid in descendants(server.pid)):
            break
        await asyncio.sleep(1.0)
    return round(time.perf_counter() - started, 1)


# ---------------------------------------------------------------- the whole run


def percentiles(values) -> dict:
    import numpy as np

    if not values:
        return {"n": 0}
    a = np.asarray(values, dtype=float)
    return {
        "n": len(values),
        "p50": round(float(np.percentile(a, 50)), 3),
        "p95": round(float(np.percentile(a, 95)), 3),
        "max": round(float(a.max()), 3),
        "mean": round(float(a.mean()), 3),
    }


def target(text: str, value, met) -> dict:
    return {"target": text, "value": value, "met": met}


async def drive(server: Server, args, pages: set[str], deadline: Deadline, out: dict) -> None:
    base = server.url
    reserve = args.settle + 20  # per round: closing the sessions and following memory
    async with contextlib.AsyncExitStack() as stack:
        browser = await stack.enter_async_context(chromium_browser()) if args.browsers else None
        warm_deadline = Deadline(deadline.at - reserve * args.rounds)
        log("warm-up: one visit per light page")
        light_pages = ["mixture", *[p for p in LIGHT_PAGES if p in pages and p != "mixture"]]
        warm = await warm_up(base, [(p, "") for p in light_pages], warm_deadline)
        await asyncio.sleep(3)
        out["memory_mb"]["baseline_light_pages"] = memory(server.pid)
        log("warm-up: the heavy pages once, on other inputs than the load's")
        warm += await warm_up(base, [h for h in HEAVY_WARM_UP if h[0] in pages], warm_deadline)
        out["warm_up"] = [{k: r.get(k) for k in ("step", "latency_s", "error")} for r in warm]
        waited = await idle_workers_gone(server, WORKER_IDLE_SECONDS + 30)
        await asyncio.sleep(3)
        out["memory_mb"]["baseline"] = memory(server.pid)
        out["memory_mb"]["baseline"]["workers_idle_exit_after_s"] = waited
        out["active_sessions"]["baseline"] = active_sessions(base)
        log(f"baseline memory {out['memory_mb']['baseline']}")

        sampler = Sampler(server, niceness=args.browser_nice)
        sampler_task = asyncio.create_task(sampler.run())
        load_before = load_average()
        out["load_epoch"] = [time.time(), None]
        sessions: list[Student] = []
        rounds = []
        used = [0.0] * 5  # CPU of server, browser, machine, harness; wall time (load phases)
        for number in range(args.rounds):
            left = args.rounds - number
            round_deadline = Deadline(
                time.perf_counter() + (deadline.left() - reserve * left) / left
            )
            before = (*tree_cpu(server.pid), machine_cpu(), harness_cpu(), time.perf_counter())
            mine = await run_round(browser, server, args, pages, number, round_deadline, out)
            after = (*tree_cpu(server.pid), machine_cpu(), harness_cpu(), time.perf_counter())
            used = [u + b - a for u, a, b in zip(used, before, after, strict=True)]
            sessions += mine
            if browser is not None and number == args.rounds - 1:  # not part of the settling
                await stack.aclose()
            rounds.append(await settle(server, args, out, deadline))
    sampler.stop()
    await sampler_task
    out["load_phase"] = {
        "wall_s": round(used[4], 1),
        "cores": os.cpu_count(),
        "cpu_available_s": round(used[4] * (os.cpu_count() or 1), 1),
        "server_cpu_s": round(used[0], 1),
        "browser_cpu_s": round(used[1], 1),
        "harness_cpu_s": round(used[3], 1),
        # other people's processes on the same machine skew every figure: say how much
        "other_processes_cpu_s": round(max(0.0, used[2] - used[0] - used[1] - used[3]), 1),
        "load_average_1min": [load_before, load_average()],
    }
    out["memory_mb"]["peak"] = sampler.peak()
    out["memory_mb"]["settled"] = rounds[-1]
    if len(rounds) > 1:
        out["memory_mb"]["settled_by_round"] = [
            {k: r[k] for k in ("server_mb", "children_mb", "total_mb", "after_s")} for r in rounds
        ]
    out["server_scheduling"] = sampler.cpu_wait()
    out["active_sessions"]["max_during_run"] = max(sampler.sessions, default=None)
    out["active_sessions"]["settled"] = active_sessions(base)
    for student in sessions:
        for record in student.results:
            record["driver"] = student.driver
    out["_records"] = (
        [r for s in sessions if not s.heavy and s.driver == "protocol" for r in s.results],
        [r for s in sessions if not s.heavy and s.driver == "browser" for r in s.results],
        [r for s in sessions if s.heavy for r in s.results],
    )
    notes = [n for s in sessions for n in s.notes]
    out["browser_page_errors"] = {"count": len(notes), "first": notes[:5]}


@contextlib.asynccontextmanager
async def chromium_browser():
    """The system Chromium under Playwright, for the sessions drawn by a real browser."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(browser.close(), 20)


async def new_students(browser, base: str, args, number: int) -> list[Student]:
    """This round's students: ``--sessions`` light and ``--heavy`` heavy protocol sessions,
    then ``--browsers`` light sessions drawn by Chromium. Every student of every round gets
    data of its own (``dseed``), so nothing is served from another's cache."""
    students: list[Student] = []
    for i in range(args.sessions + args.heavy):
        visitor = StreamlitVisitor(base, timeout=args.heavy_timeout)
        student = ProtocolSession(i, base, 1000 + 100 * number + i, visitor=visitor)
        student.heavy = i >= args.sessions
        students.append(student)
    for j in range(args.browsers):
        i = args.sessions + args.heavy + j
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(args.timeout * 1000)
        await context.add_init_script(INIT_JS)
        page = await context.new_page()
        seed = 1000 + 100 * number + i
        students.append(BrowserSession(i, base, seed, context=context, page=page))
    started = time.time()
    for student in students:
        student.round, student.started = number, started
        student.listen()
    return students


async def run_round(browser, server, args, pages, number: int, deadline: Deadline, out: dict):
    """One round: the light sessions and the heavy requests at once, then close them all."""
    rng = random.Random(args.seed + number)
    students = await new_students(browser, server.url, args, number)
    renice_browser(server.pid, args.browser_nice)
    log(
        f"round {number + 1}/{args.rounds}: {args.sessions} light sessions and {args.browsers} "
        f"in Chromium, {args.interactions} interactions each; {args.heavy} heavy requests"
    )
    light_students = [s for s in students if not s.heavy]
    tasks = []
    for order, student in enumerate(light_students):

        async def light(student=student, delay=order * args.stagger):
            await asyncio.sleep(delay)
            await run_light(student, pages, args.interactions, args, deadline, rng)

        tasks.append(asyncio.create_task(light()))
    heavy_specs = [s for s in HEAVY_REQUESTS if s[1] in pages]
    for j, student in enumerate(s for s in students if s.heavy):
        if heavy_specs:
            spec = heavy_specs[j % len(heavy_specs)]
            delay = args.heavy_delay + j * 1.0
            tasks.append(asyncio.create_task(run_heavy(student, spec, delay, args, deadline)))
    done, pending = await asyncio.wait(tasks, timeout=max(1.0, deadline.left()))
    for task in pending:
        task.cancel()
    if pending:
        out["timed_out"] = True
    for task in done:
        if task.exception() is not None:
            out.setdefault("harness_errors", []).append(repr(task.exception())[:300])
    out["load_epoch"][1] = time.time()
    log("closing the sessions")
    for student in students:
        with contextlib.suppress(Exception):
            if isinstance(student, BrowserSession):
                await asyncio.wait_for(student.context.close(), 10)
            else:
                await student.fresh_page()
    return students


async def settle(server: Server, args, out: dict, deadline: Deadline) -> dict:
    """Follow memory for ``--settle`` seconds after the sessions closed (every 10 s in the
    timeline) and measure it at the end: no early stop, so rounds compare like for like."""
    closed_at = time.perf_counter()
    settle_end = min(closed_at + args.settle, deadline.at - 5)
    timeline = []
    while time.perf_counter() < settle_end:
        if len(timeline) * 10 <= time.perf_counter() - closed_at:
            now = memory(server.pid)
            timeline.append([round(time.perf_counter() - closed_at), now["total_mb"]])
        await asyncio.sleep(min(1.0, max(0.0, settle_end - time.perf_counter())))
    settled = memory(server.pid)
    settled["after_s"] = round(time.perf_counter() - closed_at, 1)
    settled["children"] = [
        {"process": _short(command_line(pid)), "mb": round(rss_mb(pid) or 0.0, 1)}
        for pid in descendants(server.pid)
    ]
    settled["timeline_s_mb"] = timeline
    log(f"settled memory {settled['total_mb']} MB after {settled['after_s']} s")
    return settled


def latency_report(records: list[dict], field_name: str = "latency_s") -> dict:
    """Percentiles of one latency over the successful interactions: all of them, the ones
    inside a page (no open by URL) and each kind of step."""
    ok = [r for r in records if "error" not in r and field_name in r]
    by_step: dict[str, list[float]] = {}
    for r in ok:
        by_step.setdefault(r["step"], []).append(r[field_name])
    return {
        "all": percentiles([r[field_name] for r in ok]),
        "in_page": percentiles([r[field_name] for r in ok if not r["step"].startswith("open")]),
        "by_step": {k: percentiles(v) for k, v in by_step.items()},
    }


def while_heavy(light: list[dict], heavy: list[dict]) -> dict:
    """Light latencies split by whether a heavy request of the same round was running."""
    busy = [
        (r["round"], r["at_s"], r["at_s"] + r.get("latency_s", 0.0)) for r in heavy if "at_s" in r
    ]

    def during(r: dict) -> bool:
        return any(n == r["round"] and lo <= r["at_s"] <= hi for n, lo, hi in busy)

    return {
        "while_heavy_requests_ran": latency_report([r for r in light if during(r)])["all"],
        "otherwise": latency_report([r for r in light if not during(r)])["all"],
    }


def summarise(args, pages, missing, out: dict, server: Server | None) -> dict:
    light, drawn, heavy = out.pop("_records", ([], [], []))
    planned = {
        "protocol": args.sessions * args.interactions * args.rounds,
        "browser": args.browsers * args.interactions * args.rounds,
    }
    failed = [r for r in light + drawn + heavy if "error" in r]
    not_run = planned["protocol"] - len(light) + planned["browser"] - len(drawn)
    causes: dict[str, int] = {}
    for r in failed:
        causes[r.get("cause", "?")] = causes.get(r.get("cause", "?"), 0) + 1
    if out.get("timed_out") and not_run:
        causes["not run: time limit"] = not_run
    n_fail = len(failed) + (not_run if out.get("timed_out") else 0)
    stats = latency_report(light)["all"]
    epoch = out.get("load_epoch") or [0.0, None]
    server_side = (
        server_timings(server.extra["timings"], epoch[0], epoch[1] or time.time())
        if server is not None
        else {"available": False}
    )
    mem = out["memory_mb"]
    baseline = mem.get("baseline", {}).get("total_mb")
    peak = mem.get("peak", {}).get("total_mb")
    settled = mem.get("settled", {}).get("total_mb")
    ratio = round(settled / baseline, 3) if baseline and settled else None
    light_baseline = mem.get("baseline_light_pages", {}).get("total_mb")
    light_ratio = round(settled / light_baseline, 3) if light_baseline and settled else None
    summary = {
        "command": "python -m bench.load " + " ".join(sys.argv[1:]),
        "machine": out["machine"],
        "config": {
            "sessions": args.sessions,
            "browsers": args.browsers,
            "interactions_per_session": args.interactions,
            "heavy": args.heavy,
            "think_s": args.think,
            "browser_nice": args.browser_nice,
            "stagger_s": args.stagger,
            "timeout_s": args.timeout,
            "heavy_timeout_s": args.heavy_timeout,
            "time_limit_s": args.time_limit,
            "settle_max_s": args.settle,
            "rounds": args.rounds,
            "data": "each session its own data seed (dseed=1000+i): no shared cache hits",
        },
        "pages_used": sorted(pages),
        "pages_missing": missing,
        "server": {
            "url": server.url if server else None,
            "healthy_after_s": round(server.healthy_after_s, 2) if server else None,
            "log": str(server.log) if server else None,
        },
        "warm_up": out.get("warm_up"),
        "measures": {
            "latency_s": "protocol sessions: request sent -> the run's final script_finished "
            "received (a new visitor's page download included), as each student's tab "
            "receives it; drawing it happens on the student's own computer",
            "browser_latency_s": "Chromium sessions on this machine: input -> rerun finished "
            "and chart drawn in the page; the rendering shares the server's two cores",
            "browser_received_s": "Chromium sessions: input -> the server's script_finished "
            "reaching the page's websocket handler, before rendering",
            "server_latency_s": "inside the server: rerun request received by the session -> "
            "its script stopped (every request of the load phase, light and heavy pages)",
        },
        "interactions": {
            "planned": planned["protocol"],
            "done": len(light),
            "failed": sum("error" in r for r in light),
        },
        "browser_interactions": {
            "planned": planned["browser"],
            "done": len(drawn),
            "failed": sum("error" in r for r in drawn),
        },
        "failures": n_fail,
        "failures_by_cause": causes,
        "failure_details": [
            {k: r.get(k) for k in ("driver", "session", "at_s", "step", "url", "error")}
            for r in failed[:40]
        ],
        "latency_s": latency_report(light),
        "latency_by_heavy_s": while_heavy(light, heavy),
        "browser_latency_s": latency_report(drawn),
        "browser_received_s": latency_report(drawn, "received_s"),
        "server_latency_s": server_side,
        "heavy": [
            {k: r.get(k) for k in ("step", "url", "latency_s", "error") if k in r} for r in heavy
        ],
        "memory_mb": mem,
        "active_sessions": out["active_sessions"],
        "load_phase": out.get("load_phase"),
        "server_scheduling": out.get("server_scheduling"),
        "browser_page_errors": out.get("browser_page_errors"),
        "server_errors": server_errors(server.log) if server else [],
        "timed_out": out.get("timed_out", False),
        "harness_errors": out.get("harness_errors", []),
        "duration_s": round(time.perf_counter() - out["t_start"], 1),
    }
    phase = out.get("load_phase") or {}
    if phase.get("cpu_available_s"):
        share = phase["other_processes_cpu_s"] / phase["cpu_available_s"]
        if share > 0.1:
            summary["warning"] = (
                f"other processes on this machine used {share:.0%} of its CPU during the load "
                "phase: every latency here is pessimistic; rerun on a quiet machine"
            )
    light_server = server_side.get("light") or {}
    summary["targets"] = {
        "no_failures": target("0 failures", n_fail, n_fail == 0),
        "p95_under_3s": target(
            f"p95 < {TARGET_P95_S} s (the {args.sessions} protocol sessions)",
            stats.get("p95"),
            None if "p95" not in stats else stats["p95"] < TARGET_P95_S,
        ),
        "server_side_p95_under_3s": {
            **target(
                f"light pages' server-side p95 < {TARGET_P95_S} s",
                light_server.get("p95"),
                None if "p95" not in light_server else light_server["p95"] < TARGET_P95_S,
            ),
            "note": "for diagnosis: the server's own part of p95_under_3s",
        },
        "peak_under_2gb": target(
            f"peak < {TARGET_PEAK_MB:.0f} MB (server + children)",
            peak,
            None if peak is None else peak < TARGET_PEAK_MB,
        ),
        "settled_within_20pct": {
            **target(
                f"settled <= {TARGET_SETTLED_RATIO} x baseline (server + children; baseline: "
                "every page served once, the sweep workers gone after their idle minute)",
                ratio,
                None if ratio is None else ratio <= TARGET_SETTLED_RATIO,
            ),
            "against_light_pages_baseline": light_ratio,
            "note": "for diagnosis: against the memory after the light pages only, before the "
            "heavy pages' one-time costs (their imports, the worker pool's resource trackers)",
        },
    }
    return summary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n\n")[0]
    )
    add = parser.add_argument
    add(
        "--sessions",
        type=int,
        default=20,
        help="concurrent light sessions speaking the websocket protocol (default 20)",
    )
    add(
        "--browsers",
        type=int,
        default=2,
        help="more light sessions, drawn by Chromium on this machine (default 2; 0: no browser)",
    )
    add("--interactions", type=int, default=10, help="timed interactions per session")
    add("--heavy", type=int, default=3, help="heavy requests alongside (default 3)")
    add("--port", type=int, default=0, help="server port on 127.0.0.1 (default: a free one)")
    add("--app", type=Path, default=ROOT / "app.py", help="the app to serve (default app.py)")
    add("--think", type=float, default=2.0, help="mean pause between interactions, s")
    add("--stagger", type=float, default=1.0, help="delay between session starts, s")
    add(
        "--browser-nice",
        type=int,
        default=5,
        help="niceness of Chromium and the Playwright driver (0: same priority as the server)",
    )
    add("--heavy-delay", type=float, default=3.0, help="when the heavy requests start, s")
    add("--timeout", type=float, default=60.0, help="one light interaction at most, s")
    add("--heavy-timeout", type=float, default=240.0, help="one heavy request at most, s")
    add("--settle", type=float, default=60.0, help="follow memory after the run, s at most")
    add(
        "--rounds",
        type=int,
        default=1,
        help="repeat the whole load on the same server (settled memory after each: a leak "
        "grows round after round, a one-time cost does not)",
    )
    add("--time-limit", type=float, default=480.0, help="hard limit for the whole run, s")
    add("--log-dir", type=Path, default=ROOT / "test-artifacts" / "load")
    add("--seed", type=int, default=0, help="seed of the think-time pauses")
    add("--json-out", type=Path, default=None, help="also write the summary to this file")
    args = parser.parse_args(argv)
    if min(args.sessions, args.browsers, args.heavy) < 0 or args.interactions < 1:
        parser.error("--sessions, --browsers, --heavy >= 0; --interactions >= 1")
    if not 1 <= args.rounds <= 5:
        parser.error("--rounds must be 1 to 5")
    if not 60 <= args.time_limit <= 3600:
        parser.error("--time-limit must be between 60 and 3600 s")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    t_start = time.perf_counter()
    deadline = Deadline(t_start + args.time_limit)
    app = args.app.resolve()
    present = {p.stem for p in (app.parent / "pages").glob("*.py")}
    wanted = set(LIGHT_PAGES) | {h[1] for h in HEAVY_REQUESTS}
    pages = wanted & present
    missing = sorted(wanted - present)
    if "mixture" not in pages:
        print(json.dumps({"error": "pages/mixture.py is missing: nothing to load"}))
        return 2
    out: dict = {
        "t_start": t_start,
        "machine": {
            k: v
            for k, v in machine().items()
            if k in ("cpu_count", "cpus_usable", "cpu_model", "memory_gb", "python", "libraries")
        },
        "memory_mb": {},
        "active_sessions": {},
    }
    server: Server | None = None
    state = {"server": None}

    def hard_stop() -> None:  # the watchdog: the asyncio run did not stop by itself
        log("hard time limit reached: stopping the server and the browser")
        if state["server"] is not None:
            with contextlib.suppress(Exception):
                stop_server(state["server"])
        for pid in descendants(os.getpid()):  # playwright's driver and Chromium, ours only
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        print(json.dumps({"error": "hard time limit reached", "time_limit_s": args.time_limit}))
        sys.stdout.flush()
        os._exit(3)

    watchdog = threading.Timer(args.time_limit + 30, hard_stop)
    watchdog.daemon = True
    watchdog.start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        port = args.port or free_port()
        log(f"starting streamlit on {HOST}:{port}")
        server = start_server(app, port, args.log_dir, timeout=min(90, deadline.left()))
        state["server"] = server
        out["memory_mb"]["baseline_cold"] = memory(server.pid)
        log(f"healthy after {server.healthy_after_s:.1f} s; cold memory {memory(server.pid)}")
        asyncio.run(drive(server, args, pages, deadline, out))
    except (RuntimeError, TimeoutError, OSError) as error:
        print(json.dumps({"error": f"{type(error).__name__}: {error}"[:2000]}))
        return 2
    finally:
        if server is not None:
            stop_server(server)
        watchdog.cancel()
    summary = summarise(args, pages, missing, out, server)
    text = json.dumps(summary, indent=2)
    print(text)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(text + "\n")
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
