"""Caps that keep a shared server usable. One place, read by core and pages alike.

Each cap can be lowered (or raised on a private machine) with an environment
variable of the same name, e.g. ``GMM_MAX_ROWS_FIT=200000 streamlit run app.py``.
The upload size itself is capped by ``server.maxUploadSize`` in
``.streamlit/config.toml``; ``MAX_UPLOAD_MB`` must agree with it.
"""

import os

__all__ = [
    "MAX_COLUMNS",
    "MAX_COMPONENTS",
    "MAX_HEADER_COLUMNS",
    "MAX_POINTS_DRAWN",
    "MAX_ROWS_FIT",
    "MAX_ROWS_READ",
    "MAX_SWEEP_FITS",
    "MAX_UPLOAD_MB",
    "MAX_WORK",
    "WORKERS",
]


def _int_env(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


#: Largest accepted upload, in megabytes (mirrors server.maxUploadSize).
MAX_UPLOAD_MB = _int_env("GMM_MAX_UPLOAD_MB", 50)
#: A header line with more fields than this is refused before parsing.
MAX_HEADER_COLUMNS = _int_env("GMM_MAX_HEADER_COLUMNS", 1000)
#: Numeric columns offered for fitting.
MAX_COLUMNS = _int_env("GMM_MAX_COLUMNS", 50)
#: Rows read from a file; the rest is ignored with a note.
MAX_ROWS_READ = _int_env("GMM_MAX_ROWS_READ", 2_000_000)
#: Rows a model is fitted on; above this a seeded random subset is used, with a note.
MAX_ROWS_FIT = _int_env("GMM_MAX_ROWS_FIT", 200_000)
#: Points sent to the browser in one scatter; above this a stratified subset is drawn.
MAX_POINTS_DRAWN = _int_env("GMM_MAX_POINTS_DRAWN", 5_000)
#: Largest number of mixture components any control offers.
MAX_COMPONENTS = _int_env("GMM_MAX_COMPONENTS", 250)
#: Largest number of fits one sweep may run.
MAX_SWEEP_FITS = _int_env("GMM_MAX_SWEEP_FITS", 120)
#: Budget for one fit: rows x components x dimensions^2 (full covariance cost scale).
MAX_WORK = _int_env("GMM_MAX_WORK", 1_500_000_000)
#: Worker processes shared by every visitor's big sweeps (default: one per core).
WORKERS = _int_env("GMM_WORKERS", os.cpu_count() or 1)
