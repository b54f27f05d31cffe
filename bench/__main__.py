"""Run the benchmark suite: ``python -m bench [--quick] [--only NAME ...]``.

Prints a JSON report (machine, every figure, targets with "met") and a summary table,
and writes the report to bench/results/latest.json.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

from . import common

RESULTS = Path(__file__).resolve().parent / "results"


def _sections():
    from . import browser, interaction, large, sweeps

    return {
        "interaction": interaction.run,
        "moons": sweeps.run_moons,
        "digits": sweeps.run_digits,
        "large": large.run,
        "memory": browser.memory,
        "cold_start": browser.cold_start,
    }


SECTION_NAMES = ("interaction", "moons", "digits", "large", "memory", "cold_start")


def _get(data, *keys):
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _row(section, name, tgt, measured, baseline="", correct=None, error=None):
    tgt = tgt or {}
    return {
        "section": section,
        "figure": name,
        "measured": measured,
        "target": tgt.get("target", ""),
        "met": tgt.get("met"),
        "baseline": baseline,
        "correct": correct,
        "error": error,
    }


def _s(d, key="median_s"):
    value = _get(d, key)
    return f"{value:.3f} s" if isinstance(value, int | float) else "-"


def summary(sections: dict) -> list[dict]:
    """One row per target, in the issue's order."""
    rows = []
    inter = sections.get("interaction")
    if inter is not None:
        a = inter.get("in_process") or {}
        err = a.get("error")
        rows.append(
            _row(
                "1a interaction",
                "mixture rerun, new k (fit not cached) / raw work (ratio)",
                _get(a, "targets", "a_rerun_ratio"),
                f"{_get(a, 'ratio_vs_raw_work')} ({_s(a.get('rerun_new_k'))})",
                f"raw fit+figure+to_json {_s(a.get('baseline_raw_work_main_thread'))}",
                a.get("correct"),
                err,
            )
        )
        rows.append(
            _row(
                "1b interaction",
                "mixture rerun, fit cached (400 points)",
                _get(a, "targets", "b_cached_rerun_s"),
                _s(a.get("rerun_cached_fit")),
                "",
                a.get("correct"),
                err,
            )
        )
        c = inter.get("browser") or {}
        rows.append(
            _row(
                "1c interaction",
                "browser: slider ArrowRight -> chart redrawn",
                c.get("target"),
                _s(c.get("redraw")),
                f"floor app {_s(c.get('baseline_floor_app_redraw'))}; chart message at "
                f"{_get(c, 'split_median_s', 'chart_message_s')} s, browser draws in "
                f"{_get(c, 'split_median_s', 'browser_render_s')} s; issue's reference app "
                f"{_get(c, 'reference_nearest_streamlit_clustering_app_s')} s",
                c.get("correct"),
                c.get("error"),
            )
        )
    moons = sections.get("moons")
    if moons is not None:
        rows.append(
            _row(
                "2 moons",
                "AIC/BIC sweep 1..20 / chapter loop (ratio, fresh threads)",
                moons.get("target"),
                f"{moons.get('ratio_vs_fresh_thread_baseline')} "
                f"({_s(moons.get('ours_sweep_fresh_thread'))})",
                f"chapter loop {_s(moons.get('baseline_chapter_loop_fresh_thread'))} thread, "
                f"{_s(moons.get('baseline_chapter_loop_main_thread'))} main; minima "
                f"{_get(moons, 'minima', 'ours')}",
                moons.get("correct"),
                moons.get("error"),
            )
        )
    digits = sections.get("digits")
    if digits is not None:
        err = digits.get("error")
        rows.append(
            _row(
                "3 digits",
                "AIC sweep 50..200 / chapter loop (ratio)",
                _get(digits, "targets", "sweep_ratio"),
                f"{digits.get('ratio')} ({_s(digits.get('ours_sweep_fresh_thread'))})",
                f"chapter loop {_s(digits.get('baseline_chapter_loop_main_thread'))}; "
                f"AIC minimum {_get(digits, 'minima', 'ours')}",
                digits.get("correct"),
                err,
            )
        )
        rows.append(
            _row(
                "3 digits",
                "time to first value (warm workers)",
                _get(digits, "targets", "first_value_s"),
                _s(digits.get("first_value")),
                f"cold (workers starting) {digits.get('cold_first_value_s')} s",
                digits.get("correct"),
                err,
            )
        )
        second = digits.get("second_visit") or {}
        rows.append(
            _row(
                "3 digits",
                "second visit: sweep from st.cache_data",
                second.get("target"),
                _second(second),
                f"first visit {_second(second, 0)}",
                second.get("correct"),
                second.get("reason"),
            )
        )
    big = sections.get("large")
    if big is not None:
        err = big.get("error") or big.get("reason")
        rows.append(
            _row(
                "4 large",
                "1M-row CSV bytes -> read -> fit -> figure -> JSON",
                _get(big, "targets", "end_to_end_s"),
                _s(big.get("ours_end_to_end")),
                f"same with pandas.read_csv {_s(big.get('baseline_same_pipeline_pandas_read_csv'))}"
                f"; {big.get('showing')}",
                big.get("correct"),
                err,
            )
        )
        rows.append(
            _row(
                "4 large",
                "chart JSON size",
                _get(big, "targets", "chart_json_mb"),
                f"{big.get('chart_json_mb')} MB",
                f"{big.get('points_drawn')} points drawn",
                big.get("correct"),
                err,
            )
        )
    mem = sections.get("memory")
    if mem is not None:
        after = mem.get("app_after_all_pages") or {}
        rows.append(
            _row(
                "5 memory",
                "server RSS after every page at defaults",
                mem.get("target"),
                f"{after.get('server_rss_mb')} MB",
                f"workers add {after.get('children_rss_mb')} MB; floor app "
                f"{_get(mem, 'baseline_floor_app', 'server_rss_mb')} MB",
                mem.get("correct"),
                mem.get("error"),
            )
        )
    cold = sections.get("cold_start")
    if cold is not None:
        rows.append(
            _row(
                "6 cold start",
                "spawn server -> /mixture chart drawn",
                cold.get("target"),
                _s(cold.get("ours_chart_drawn")),
                f"floor app {_s(cold.get('baseline_floor_app_chart_drawn'))}",
                cold.get("correct"),
                cold.get("error"),
            )
        )
    return rows


def _second(second: dict, index: int = 1) -> str:
    runs = second.get("runs") or []
    if len(runs) <= index:
        return "-"
    return f"{runs[index]['sweep_s']:.3f} s"


def table(rows: list[dict]) -> str:
    def met(row):
        if row["error"]:
            return "n/a"
        return {True: "yes", False: "NO", None: "n/a"}[row["met"]]

    header = ("section", "figure", "measured", "target", "met", "ok", "baseline / notes")
    lines = [
        (
            r["section"],
            r["figure"],
            str(r["measured"]),
            r["target"],
            met(r),
            {True: "yes", False: "NO", None: "-"}[r["correct"]],
            r["baseline"] + (f" [{r['error']}]" if r["error"] else ""),
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    widths[-1] = len(header[-1])
    out = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("-+-".join("-" * w for w in widths))
    out += [" | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"run only these sections (repeat or comma-separate): {', '.join(SECTION_NAMES)}",
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run every section in this process (default: each in a fresh subprocess, so "
        "no section inherits another's threads, caches or worker processes)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one section, JSON to --child-out
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child, args.quick, args.child_out)
    chosen = list(SECTION_NAMES)
    if args.only:
        chosen = [n.strip() for item in args.only for n in item.split(",") if n.strip()]
        unknown = [n for n in chosen if n not in SECTION_NAMES]
        if unknown:
            parser.error(f"unknown section(s) {unknown}; choose from {', '.join(SECTION_NAMES)}")

    os.chdir(common.ROOT)  # AppTest and streamlit run resolve app.py and pages/ from here
    if str(common.ROOT) not in sys.path:
        sys.path.insert(0, str(common.ROOT))
    log_dir = RESULTS / "logs"
    started = time.perf_counter()
    report = {
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "started_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": common.machine(),
        "load_average_at_start": common.load_average(),
        "sections": {},
    }
    for name in chosen:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        before = common.load_average()
        t0 = time.perf_counter()
        if args.in_process:
            result = _run_section(name, args.quick)
        else:
            result = _run_child(name, args.quick, log_dir)
        result["section_seconds"] = round(time.perf_counter() - t0, 1)
        result["load_average_before"] = before
        result["load_average_after"] = common.load_average()
        report["sections"][name] = result
        print(f"[bench] {name} done in {result['section_seconds']} s", file=sys.stderr, flush=True)
    report["duration_s"] = round(time.perf_counter() - started, 1)
    report["load_average_at_end"] = common.load_average()
    loads = [report["load_average_at_start"], report["load_average_at_end"]] + [
        s.get("load_average_before") for s in report["sections"].values()
    ]
    peak = max((load[0] for load in loads if load), default=0.0)
    cpus = report["machine"]["cpu_count"] or 1
    # The suite itself keeps about two CPUs busy (server, browser, this process).
    report["machine_busy"] = peak > 2 * cpus
    if report["machine_busy"]:
        report["machine_busy_note"] = (
            f"1-minute load average reached {peak:.1f} on {cpus} CPUs during the run: other "
            "processes competed for the CPUs. Absolute times are inflated, and the chapter's "
            "multithreaded baselines slow down far more than single-threaded code, which "
            "flatters the sweep ratios: compare with a run on a quiet machine."
        )
    report["summary"] = summary(report["sections"])

    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, default=_json_default)
    args.output.write_text(text + "\n")
    print(text)
    print()
    print(table(report["summary"]))
    if report.get("machine_busy_note"):
        print("\nNOTE: " + report["machine_busy_note"])
    print(f"\nReport written to {args.output} ({report['duration_s']} s).")
    return 0


def _run_section(name: str, quick: bool) -> dict:
    """One section in this process; a broken section is reported, not raised."""
    try:
        result = _sections()[name](quick, RESULTS / "logs")
    except Exception as exc:
        result = {
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(limit=8),
        }
    finally:
        _stop_workers()
    return result


def _child(name: str, quick: bool, out: Path) -> int:
    os.chdir(common.ROOT)
    result = _run_section(name, quick)
    out.write_text(json.dumps(result, default=_json_default))
    return 0


def _run_child(name: str, quick: bool, log_dir: Path) -> dict:
    """One section in a fresh ``python -m bench --child NAME``; its stderr goes to a log."""
    log_dir.mkdir(parents=True, exist_ok=True)
    out = log_dir / f"section-{name}.json"
    log = log_dir / f"section-{name}.log"
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench", "--child", name, "--child-out", str(out)]
    with open(log, "wb") as err:
        rc = subprocess.run(
            command + (["--quick"] if quick else []),
            cwd=common.ROOT,
            stdout=subprocess.DEVNULL,
            stderr=err,
            check=False,
        ).returncode
    if rc == 0 and out.exists():
        return json.loads(out.read_text())
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    return {"error": f"section process exited with code {rc}", "stderr_tail": tail}


def _stop_workers() -> None:
    """Stop the sweep workers the digits sweep started, so later sections start clean."""
    from gmm_core import workers

    workers.shutdown()


def _json_default(value):
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return value.tolist()
    except ImportError:
        pass
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
