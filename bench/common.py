"""Shared helpers: timing, the machine, a real ``streamlit run`` server, Chromium, RSS.

Every figure is a median over repeats, and every target figure is reported next to a
baseline measured in the same run, so a slow or busy machine shifts both together.
"""

import contextlib
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
FLOOR_APP = Path(__file__).resolve().parent / "floor_app.py"
CHROMIUM = "/usr/bin/chromium"
#: Debian's Chromium, headless, as root, on a machine whose network is closed: without the
#: background-networking flags it keeps trying to reach Google's hosts. The browser tests
#: use the same list.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


# ---------------------------------------------------------------- timing


def median(values) -> float:
    return float(statistics.median(values))


def seconds(values) -> dict:
    """Median, min and max of a list of durations, rounded for the report."""
    values = list(values)
    return {
        "median_s": round(median(values), 4),
        "min_s": round(min(values), 4),
        "max_s": round(max(values), 4),
        "n": len(values),
    }


def timed(fn: Callable, *args, **kwargs):
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def in_fresh_thread(fn: Callable, *args, **kwargs):
    """(seconds, result) of one call in a new thread, as Streamlit runs every rerun.

    The clock runs inside the thread, so thread start-up is not counted, but any
    per-thread cost inside the call (such as a new OpenMP team) is.
    """
    box: dict = {}

    def body():
        try:
            box["out"] = timed(fn, *args, **kwargs)
        except BaseException as exc:  # re-raised in the caller
            box["error"] = exc

    thread = threading.Thread(target=body, name="bench-script-thread")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["out"]


def target(value: float, measured: float | None, *, kind: str = "<=", unit: str = "") -> dict:
    """A target, the measured figure and whether it is met (no pass/fail on time)."""
    if measured is None:
        return {"target": f"{kind} {value}{unit}", "value": None, "met": None}
    met = measured <= value if kind == "<=" else measured < value
    return {"target": f"{kind} {value}{unit}", "value": round(measured, 4), "met": bool(met)}


def pending(reason: str) -> dict:
    return {"status": "pending", "reason": reason}


# ---------------------------------------------------------------- the machine


def _version(module: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return None


def _cpu_model() -> str | None:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return None


def _memory_gb() -> float | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 1024**2, 1)
    return None


def machine() -> dict:
    libraries = (
        "streamlit",
        "scikit-learn",
        "numpy",
        "scipy",
        "pandas",
        "plotly",
        "joblib",
        "threadpoolctl",
        "playwright",
    )
    info = {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": _cpu_model(),
        "memory_gb": _memory_gb(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "libraries": {name: _version(name) for name in libraries},
    }
    with contextlib.suppress(Exception):
        import sklearn.mixture  # noqa: F401  (loads the BLAS and OpenMP runtimes it uses)
        from threadpoolctl import threadpool_info

        info["threadpools"] = [
            {k: pool.get(k) for k in ("user_api", "internal_api", "num_threads")}
            for pool in threadpool_info()
        ]
    with contextlib.suppress(Exception):
        info["chromium"] = subprocess.run(
            [CHROMIUM, "--version"], capture_output=True, text=True, timeout=20
        ).stdout.strip()
    return info


# ---------------------------------------------------------------- memory


def rss_mb(pid: int, field: str = "VmRSS") -> float | None:
    """Resident set size of one process (``VmRSS``, or its peak ``VmHWM``) in MB.

    None if the process is gone.
    """
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return None


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, grandchildren, ...), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def command_line(pid: int) -> str:
    with contextlib.suppress(OSError):
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        return raw.replace(b"\0", b" ").decode(errors="replace").strip()
    return ""


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path
    started: float  # perf_counter at spawn
    healthy_after_s: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid


def _wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"streamlit exited: {server.log.read_text()[-2000:]}")
        health = server.url + "/_stcore/health"
        with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=1) as reply:
            if reply.read().strip() == b"ok":
                server.healthy_after_s = time.perf_counter() - server.started
                return
        time.sleep(0.02)
    raise TimeoutError(f"streamlit not healthy after {timeout} s")


def start_streamlit(
    log_dir: Path,
    *,
    script: Path = APP,
    port: int = 0,
    env: dict | None = None,
    own_session: bool = True,
    cwd: Path = ROOT,
    timeout: float = 60,
) -> Server:
    """Start ``streamlit run script`` on 127.0.0.1 (a free port unless given) and wait until
    it is healthy. The working directory (``cwd``, the project root by default) decides
    which .streamlit/config.toml applies; the output goes to ``log_dir/streamlit-PORT.log``.

    The server gets a process group of its own (stopped as one by :func:`stop_server`).
    ``own_session=False`` keeps it in our session: with the kernel's autogroup scheduling,
    nice values only rank processes of the same session, and the load test ranks the
    server above its own simulated clients that way.
    """
    port = port or free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"streamlit-{port}.log"
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with open(log, "wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            **({"start_new_session": True} if own_session else {"process_group": 0}),
        )
    server = Server(process, port, log, started)
    try:
        _wait_healthy(server, timeout)
    except BaseException:
        stop_server(server)
        raise
    return server


@contextlib.contextmanager
def streamlit_server(log_dir: Path, *, script: Path = APP, timeout: float = 60) -> Iterator[Server]:
    """:func:`start_streamlit` for a ``with`` block: stopped (with its children) after."""
    server = start_streamlit(log_dir, script=script, timeout=timeout)
    try:
        yield server
    finally:
        stop_server(server)


def stop_server(server: Server) -> None:
    """Stop the server and the processes it started (its own process group only)."""
    children = descendants(server.pid)
    if server.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, 15)
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, 9)
            server.process.wait(10)
    for pid in children:  # workers that left the group (loky keeps it, but be sure)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, 15)


# ---------------------------------------------------------------- the browser


@contextlib.contextmanager
def chromium() -> Iterator:
    """A headless Chromium (the system one), yielding the playwright Browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


APP_IDLE = (
    "[data-testid=stApp][data-test-connection-state=CONNECTED][data-test-script-state=notRunning]"
)


def wait_idle(page, timeout_s: float = 120, settle_s: float = 0.2) -> None:
    """Wait for a rerun to finish (connected, script not running) after a short settle."""
    page.wait_for_timeout(settle_s * 1000)
    page.wait_for_selector(APP_IDLE, timeout=timeout_s * 1000)


def wait_settled(page, timeout_s: float = 300) -> None:
    """Idle, and still idle a moment later (a page may rerun itself once on arrival)."""
    for _ in range(20):
        wait_idle(page, timeout_s, settle_s=0.3)
        page.wait_for_timeout(400)
        if page.query_selector(APP_IDLE) is not None:
            return


def load_average() -> list[float] | None:
    with contextlib.suppress(OSError, ValueError):
        return [float(v) for v in Path("/proc/loadavg").read_text().split()[:3]]
    return None


def page_errors(page) -> list[str]:
    return [e.inner_text()[:300] for e in page.query_selector_all("[data-testid=stException]")]
