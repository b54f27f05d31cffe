"""Downloads: tables as CSV safe to open in a spreadsheet, fitted parameters as JSON."""

import json
from importlib.metadata import version

import numpy as np
import pandas as pd

from .models import GMMResult

__all__ = ["assignments_table", "csv_bytes", "library_versions", "neutralise", "parameters_json"]

#: A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Make a text cell inert in spreadsheets by prefixing a quote when it looks like a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV of ``frame`` with text cells and headers neutralised; numbers stay numbers."""
    safe = frame.copy()
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return safe.to_csv(index=False).encode("utf-8")


def assignments_table(
    X: np.ndarray, feature_names: tuple[str, ...], result: GMMResult
) -> pd.DataFrame:
    """One row per point: its coordinates, label and membership probabilities.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    """
    frame = pd.DataFrame(X, columns=list(feature_names))
    frame["label"] = result.labels
    for j in range(result.n_components):
        frame[f"p(component {j})"] = result.probabilities[:, j]
    return frame


def library_versions() -> dict[str, str]:
    return {name: version(name) for name in ("numpy", "scikit-learn", "pandas", "plotly")}


def parameters_json(result: GMMResult, feature_names: tuple[str, ...]) -> str:
    """Everything needed to rebuild the fitted mixture, as indented JSON."""
    payload = {
        "covariance_type": result.covariance_type,
        "n_components": result.n_components,
        "features": list(feature_names),
        "weights": result.weights.tolist(),
        "means": result.means.tolist(),
        "covariances_full": result.covariances.tolist(),
        "converged": result.converged,
        "n_iter": result.n_iter,
        "log_likelihood": result.log_likelihood,
        "aic": None if np.isnan(result.aic) else result.aic,
        "bic": None if np.isnan(result.bic) else result.bic,
        "seed": result.spec.seed,
        "settings": {
            "n_init": result.spec.n_init,
            "init_params": result.spec.init_params,
            "max_iter": result.spec.max_iter,
            "tol": result.spec.tol,
            "reg_covar": result.spec.reg_covar,
        },
        "library_versions": library_versions(),
    }
    return json.dumps(payload, indent=2)
