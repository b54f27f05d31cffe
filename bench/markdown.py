"""Render a saved report's summary as a Markdown table (for BENCHMARKS.md).

``python -m bench.markdown [bench/results/latest.json]``
"""

import json
import sys
from pathlib import Path

from .__main__ import RESULTS


def render(report: dict) -> str:
    machine = report["machine"]
    libs = ", ".join(f"{k} {v}" for k, v in machine["libraries"].items() if v)
    lines = [
        f"Run `{report['command'].strip()}` at {report['started_utc']} "
        f"({report['duration_s']} s{', quick' if report.get('quick') else ''}).",
        "",
        f"Machine: {machine['cpu_count']} CPUs ({machine.get('cpu_model')}), "
        f"{machine.get('memory_gb')} GB, {machine['platform']}, Python {machine['python']}; "
        f"{libs}; {machine.get('chromium', '')}.",
        "",
        f"Load average at start {report.get('load_average_at_start')}, "
        f"at end {report.get('load_average_at_end')}."
        + (f" **{report['machine_busy_note']}**" if report.get("machine_busy_note") else ""),
        "",
        "| # | figure | measured | target | met | correct | baseline / notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in report["summary"]:
        met = "n/a" if row["error"] else {True: "yes", False: "**no**", None: "n/a"}[row["met"]]
        ok = {True: "yes", False: "**no**", None: "-"}[row["correct"]]
        notes = row["baseline"] + (f" ({row['error']})" if row["error"] else "")
        cells = (row["section"], row["figure"], str(row["measured"]), row["target"], met, ok, notes)
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else RESULTS / "latest.json"
    print(render(json.loads(path.read_text())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
