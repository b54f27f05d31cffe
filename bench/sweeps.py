"""Targets 2 and 3: model-selection sweeps against the chapter's own loops.

Moons: AIC/BIC over 1..20 full-covariance components on ``make_moons(200, noise=.05,
random_state=0)``. Digits: AIC over 50..200 (step 10) on the whitened 99 % PCA of
``load_digits``. The baselines are the chapter's list comprehensions, run as written
(default threading); ours is :func:`gmm_core.selection.sweep`. Both must find the same
minima (computed here, never hard-coded) and the same values.
"""

import time

import numpy as np

from . import common

MOONS_COUNTS = range(1, 21)
TARGET_MOONS_RATIO = 0.5
TARGET_DIGITS_RATIO = 0.3
TARGET_FIRST_VALUE_S = 2.0
TARGET_SECOND_VISIT_S = 0.2
DIGITS_RTOL = 0.005


def chapter_loop(X, counts, criteria=("aic", "bic")):
    """The chapter's code: fit every model, then score each (sequential, default threads)."""
    from sklearn.mixture import GaussianMixture

    models = [GaussianMixture(n, covariance_type="full", random_state=0).fit(X) for n in counts]
    return {c: [getattr(m, c)(X) for m in models] for c in criteria}


def argmin_count(values, counts) -> int:
    return int(list(counts)[int(np.argmin(values))])


# ---------------------------------------------------------------- moons


def _moons_in_script():
    """AppTest script: both loops timed inside Streamlit's own script thread."""
    import time

    import streamlit as st
    from sklearn.datasets import make_moons

    from bench.sweeps import MOONS_COUNTS, chapter_loop
    from gmm_core.selection import sweep

    X, _ = make_moons(200, noise=0.05, random_state=0)
    start = time.perf_counter()
    chapter_loop(X, list(MOONS_COUNTS))
    st.session_state["baseline_s"] = time.perf_counter() - start
    start = time.perf_counter()
    sweep(X, list(MOONS_COUNTS))
    st.session_state["ours_s"] = time.perf_counter() - start


def moons(quick: bool) -> dict:
    from sklearn.datasets import make_moons
    from streamlit.testing.v1 import AppTest

    from gmm_core.selection import sweep

    repeats = 2 if quick else 7
    X, _ = make_moons(200, noise=0.05, random_state=0)
    counts = list(MOONS_COUNTS)
    # Warm-up, untimed: imports and first-call costs of both.
    chapter_loop(X, counts[:3])
    sweep(X, counts[:3])
    at = AppTest.from_function(_moons_in_script, default_timeout=300)
    at.run()

    base_thread, base_main, ours, app_base, app_ours = [], [], [], [], []
    for _ in range(repeats):  # interleaved, so drift in the load hits all alike
        seconds, base_values = common.in_fresh_thread(chapter_loop, X, counts)
        base_thread.append(seconds)
        base_main.append(common.timed(chapter_loop, X, counts)[0])
        seconds, result = common.in_fresh_thread(sweep, X, counts)
        ours.append(seconds)
        at.run()
        app_base.append(at.session_state["baseline_s"])
        app_ours.append(at.session_state["ours_s"])

    table = result.table.set_index("n_components").loc[counts]
    minima = {
        "baseline": {c: argmin_count(base_values[c], counts) for c in ("bic", "aic")},
        "ours": {c: int(result.minima["full"][c]) for c in ("bic", "aic")},
    }
    max_rel = {
        c: float(np.max(np.abs(table[c].to_numpy() - base_values[c]) / np.abs(base_values[c])))
        for c in ("aic", "bic")
    }
    same = minima["baseline"] == minima["ours"] and max(max_rel.values()) < 1e-6
    ratio = common.median(ours) / common.median(base_thread)
    app_ratio = common.median(app_ours) / common.median(app_base)
    return {
        "what": "AIC+BIC, 1..20 components, full covariance, make_moons(200, noise=.05, "
        "random_state=0); each repeat in a fresh threading.Thread, in the main thread, and "
        "inside a real Streamlit script run (AppTest.from_function)",
        "baseline_chapter_loop_fresh_thread": common.seconds(base_thread),
        "baseline_chapter_loop_main_thread": common.seconds(base_main),
        "baseline_chapter_loop_streamlit_script": common.seconds(app_base),
        "ours_sweep_fresh_thread": common.seconds(ours),
        "ours_sweep_streamlit_script": common.seconds(app_ours),
        "ratio_vs_fresh_thread_baseline": round(ratio, 3),
        "ratio_vs_main_thread_baseline": round(common.median(ours) / common.median(base_main), 3),
        "ratio_inside_streamlit_script": round(app_ratio, 3),
        "minima": minima,
        "max_relative_difference": max_rel,
        "target": common.target(TARGET_MOONS_RATIO, ratio),
        "target_inside_streamlit_script": common.target(TARGET_MOONS_RATIO, app_ratio),
        "correct": bool(same),
    }


# ---------------------------------------------------------------- digits


def digits_data():
    """The chapter's reduced digits: PCA(0.99, whiten=True) on load_digits."""
    from sklearn.datasets import load_digits
    from sklearn.decomposition import PCA

    images = load_digits().data
    return PCA(0.99, whiten=True).fit_transform(images)


def ours_with_first_value(reduced, counts):
    """Our sweep, with the time at which the progress callback first fired."""
    from gmm_core.selection import sweep

    marks = []
    start = time.perf_counter()

    def progress(done, total, row):
        marks.append(time.perf_counter() - start)

    result = sweep(reduced, counts, progress=progress)
    return result, marks


def digits(quick: bool) -> dict:
    from gmm_core import selection
    from gmm_core.digits import SWEEP_COUNTS

    repeats = 1 if quick else 3
    counts = list(SWEEP_COUNTS)
    reduced = digits_data()
    n, d = reduced.shape
    jobs = selection._default_jobs(
        reduced, [selection.ModelSpec(n_components=c) for c in counts], 0
    )

    # The very first sweep in a process also starts the worker processes: that is what
    # the first visitor after a server start waits for. Reported apart, not in the median.
    cold_s, (cold_result, cold_marks) = common.in_fresh_thread(
        ours_with_first_value, reduced, counts
    )

    base, ours, firsts = [], [], []
    for _ in range(repeats):
        seconds, base_values = common.timed(chapter_loop, reduced, counts, ("aic",))
        base.append(seconds)
        seconds, (result, marks) = common.in_fresh_thread(ours_with_first_value, reduced, counts)
        ours.append(seconds)
        firsts.append(marks[0])

    ours_aic = result.table.set_index("n_components").loc[counts, "aic"].to_numpy()
    base_aic = np.asarray(base_values["aic"])
    rel = np.abs(ours_aic - base_aic) / np.abs(base_aic)
    minima = {"baseline": argmin_count(base_aic, counts), "ours": int(result.minima["full"]["aic"])}
    same = bool(rel.max() <= DIGITS_RTOL and minima["baseline"] == minima["ours"])
    cold_same = bool(
        np.allclose(cold_result.table["aic"].to_numpy(), result.table["aic"].to_numpy(), rtol=1e-9)
    )
    ratio = common.median(ours) / common.median(base)
    return {
        "what": f"AIC, {counts[0]}..{counts[-1]} step 10 components, full covariance, on the "
        f"whitened 99 % PCA of load_digits ({n} x {d})",
        "worker_processes": jobs,
        "baseline_chapter_loop_main_thread": common.seconds(base),
        "ours_sweep_fresh_thread": common.seconds(ours),
        "ratio": round(ratio, 3),
        "first_value": common.seconds(firsts),
        "cold_first_sweep_in_process_s": round(cold_s, 3),
        "cold_first_value_s": round(cold_marks[0], 3),
        "cold_result_identical": cold_same,
        "minima": minima,
        "max_relative_aic_difference": float(rel.max()),
        "targets": {
            "sweep_ratio": common.target(TARGET_DIGITS_RATIO, ratio),
            "first_value_s": common.target(
                TARGET_FIRST_VALUE_S, common.median(firsts), kind="<", unit=" s"
            ),
        },
        "correct": bool(same and cold_same),
        "second_visit": second_visit(quick),
    }


# ---------------------------------------------------------------- second visit (cache)


def second_visit(quick: bool) -> dict:
    """pages/digits.py twice, in two new AppTest sessions of one process.

    ``st.cache_data`` is process-global, so the second session should get the sweep from
    the cache. The time spent inside ``ui.compute.sweep`` is measured by wrapping it.
    """
    if not (common.ROOT / "pages" / "digits.py").exists():
        return {"status": "pending", "reason": "pages/digits.py does not exist yet"}
    from streamlit.testing.v1 import AppTest

    import ui.compute as compute

    original = compute.sweep
    calls: list[float] = []

    def timed_sweep(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            calls.append(time.perf_counter() - start)

    runs = []
    compute.sweep = timed_sweep
    try:
        for visit in ("first", "second"):
            calls.clear()
            at = AppTest.from_file(str(common.APP), default_timeout=300)
            at.switch_page("pages/digits.py")
            start = time.perf_counter()
            at.run()
            total = time.perf_counter() - start
            problems = [str(e.value)[:300] for e in at.exception]
            runs.append(
                {
                    "visit": visit,
                    "page_run_s": round(total, 4),
                    "sweep_calls": len(calls),
                    "sweep_s": round(sum(calls), 4),
                    "problems": problems,
                    "charts": len(at.get("plotly_chart")),
                }
            )
    finally:
        compute.sweep = original
    first, second = runs
    if first["sweep_calls"] == 0:
        return {
            "status": "pending",
            "reason": "pages/digits.py did not call ui.compute.sweep at its defaults",
            "runs": runs,
        }
    return {
        "what": "pages/digits.py run in a new AppTest session twice in one process; the "
        "second session's time inside ui.compute.sweep (st.cache_data)",
        "runs": runs,
        "target": common.target(TARGET_SECOND_VISIT_S, second["sweep_s"], kind="<", unit=" s"),
        "correct": not first["problems"] and not second["problems"],
    }


def run_moons(quick: bool, log_dir) -> dict:
    return moons(quick)


def run_digits(quick: bool, log_dir) -> dict:
    return digits(quick)
