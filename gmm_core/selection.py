"""Model selection: AIC, BIC and held-out likelihood over component counts and types.

A sweep is a list of independent fits. Small sweeps run in this thread; sweeps that
would take more than about a second run as whole fits in the shared worker processes of
:mod:`gmm_core.workers` (one BLAS thread each, lower CPU priority), which scale with
cores and leave the server's own thread free for other visitors' reruns.
Results do not depend on how the sweep ran: every fit has its own seed.
"""

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold

from . import limits, workers
from .errors import GMMInputError
from .models import COVARIANCE_TYPES, ModelSpec, check_data, fit_gmm, fit_seconds, log_density

__all__ = ["CRITERIA", "SweepResult", "sweep"]

#: Criterion column -> how to read it.
CRITERIA = {
    "bic": "BIC (lower is better)",
    "aic": "AIC (lower is better)",
    "cv_loglik": "held-out log-likelihood per point (higher is better)",
}

#: A progress callback receives (fits done, fits in total, the row just finished).
Progress = Callable[[int, int, dict], None]


@dataclass(frozen=True)
class SweepResult:
    """One row per (covariance type, component count) that could be fitted.

    Attributes
    ----------
    table : pandas.DataFrame
        Columns ``covariance_type``, ``n_components``, ``aic``, ``bic``, ``cv_loglik``
        (NaN when cross-validation was off), ``converged``, ``n_parameters``.
    minima : dict
        ``{covariance_type: {criterion: n_components at its best}}``; best is the minimum
        for AIC/BIC and the maximum for ``cv_loglik``.
    skipped : tuple of int
        Component counts left out because the data has too few points for them.
    """

    table: pd.DataFrame
    minima: dict
    skipped: tuple[int, ...]

    def best(self, criterion: str, covariance_type: str | None = None) -> int:
        """Component count at the best value of ``criterion`` (overall or for one type)."""
        table = self.table
        if covariance_type is not None:
            table = table[table.covariance_type == covariance_type]
        values = table[criterion]
        row = values.idxmax() if criterion == "cv_loglik" else values.idxmin()
        return int(table.loc[row, "n_components"])


def _fit_one(X: np.ndarray, spec: ModelSpec, cv_folds: int) -> dict:
    """Fit one model and score it; runs in this process or a worker."""
    result = fit_gmm(X, spec)
    row = {
        "covariance_type": spec.covariance_type,
        "n_components": spec.n_components,
        "aic": result.aic,
        "bic": result.bic,
        "cv_loglik": np.nan,
        "converged": result.converged,
        "n_parameters": result.n_parameters,
    }
    if cv_folds >= 2:
        scores = []
        folds = KFold(cv_folds, shuffle=True, random_state=spec.seed)
        for train, test in folds.split(X):
            if spec.n_components > len(train):
                continue
            fold = fit_gmm(X[train], spec)
            held_out = log_density(X[test], fold.means, fold.covariances, fold.weights)
            scores.append(held_out.mean())
        row["cv_loglik"] = float(np.mean(scores)) if scores else np.nan
    return row


def _plan(
    X: np.ndarray, component_counts: Iterable[int], covariance_types: Sequence[str], seed: int
) -> tuple[list[ModelSpec], tuple[int, ...]]:
    counts = sorted({int(c) for c in component_counts})
    if not counts or counts[0] < 1:
        raise GMMInputError("Give at least one component count, each 1 or more.")
    unknown = [t for t in covariance_types if t not in COVARIANCE_TYPES]
    if unknown or not covariance_types:
        raise GMMInputError(
            f"Choose covariance types among {', '.join(COVARIANCE_TYPES)}; got {unknown or 'none'}."
        )
    n = X.shape[0]
    possible = [c for c in counts if c <= n]
    skipped = tuple(c for c in counts if c > n)
    if not possible:
        raise GMMInputError(
            f"The data has {n} points, fewer than every component count asked for; "
            f"use at most {n} components."
        )
    specs = [
        ModelSpec(n_components=c, covariance_type=t, seed=seed)
        for t in covariance_types
        for c in possible
    ]
    check_data(X, possible[-1])  # refuse an over-budget sweep before any fit starts
    if len(specs) > limits.MAX_SWEEP_FITS:
        raise GMMInputError(
            f"That sweep needs {len(specs)} fits; this server allows {limits.MAX_SWEEP_FITS}. "
            "Narrow the range, use a larger step, or fewer covariance types."
        )
    return specs, skipped


def estimated_seconds(X: np.ndarray, specs: Sequence[ModelSpec], cv_folds: int) -> float:
    """Rough single-thread time of a whole sweep (see :func:`gmm_core.models.fit_seconds`)."""
    folds = 1 + (cv_folds if cv_folds >= 2 else 0)
    return folds * sum(fit_seconds(X, spec) for spec in specs)


def _default_jobs(X: np.ndarray, specs: list[ModelSpec], cv_folds: int) -> int:
    if estimated_seconds(X, specs, cv_folds) < workers.IN_THREAD_SECONDS:
        return 1
    return max(1, min(limits.WORKERS, len(specs)))


def sweep(
    X: np.ndarray,
    component_counts: Iterable[int],
    covariance_types: Sequence[str] = ("full",),
    *,
    seed: int = 0,
    cv_folds: int = 0,
    n_jobs: int | None = None,
    progress: Progress | None = None,
) -> SweepResult:
    """Fit a mixture for every component count and covariance type, and score each.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    component_counts : iterable of int
        Counts larger than the number of points are skipped (listed in ``skipped``).
    covariance_types : sequence of str
    seed : int
        ``random_state`` of every fit (the chapter uses 0).
    cv_folds : int
        0 to skip cross-validation; otherwise the number of K-fold splits.
    n_jobs : int or None
        1 runs every fit in this thread; more runs up to that many at once in the shared
        worker processes. None picks 1 for sweeps estimated under
        ``workers.IN_THREAD_SECONDS``.
    progress : callable or None
        Called after each fit with (done, total, row). Raising from it (as Streamlit
        does when the user changes an input) abandons the remaining fits.
    """
    X = check_data(X, 1)
    if cv_folds and not 2 <= cv_folds <= X.shape[0] // 2:
        raise GMMInputError(
            f"Held-out scoring with {cv_folds} folds needs at least {2 * max(cv_folds, 2)} "
            f"points; the data has {X.shape[0]}. Turn held-out scoring off or add data."
        )
    specs, skipped = _plan(X, component_counts, covariance_types, seed)
    jobs = _default_jobs(X, specs, cv_folds) if n_jobs is None else n_jobs
    total = len(specs)
    if jobs <= 1:
        rows_iter = (_fit_one(X, spec, cv_folds) for spec in specs)
    else:
        # Largest fits first keeps the workers busy to the end, after one small fit so
        # that a first value reaches the screen quickly; results arrive as they finish.
        by_size = sorted(specs, key=lambda s: s.n_components)
        ordered = by_size[:1] + by_size[:0:-1]
        rows_iter = workers.map_unordered(
            _fit_one, ((X, spec, cv_folds) for spec in ordered), in_flight=jobs
        )
    rows = []
    with contextlib.closing(rows_iter):  # stopping early cancels the fits not started
        for done, row in enumerate(rows_iter, start=1):
            rows.append(row)
            if progress is not None:
                progress(done, total, row)
    table = (
        pd.DataFrame(rows)
        .sort_values(["covariance_type", "n_components"], key=_type_order)
        .reset_index(drop=True)
    )
    result = SweepResult(table=table, minima={}, skipped=skipped)
    for cov_type in dict.fromkeys(s.covariance_type for s in specs):
        result.minima[cov_type] = {
            c: result.best(c, cov_type)
            for c in CRITERIA
            if not table.loc[table.covariance_type == cov_type, c].isna().all()
        }
    return result


def _type_order(column: pd.Series) -> pd.Series:
    """Sort covariance types in the library's order (full, tied, diag, spherical)."""
    if column.name == "covariance_type":
        return column.map(list(COVARIANCE_TYPES).index)
    return column
