"""EM for Gaussian mixtures (and Lloyd's k-means), made visible one iteration at a time.

scikit-learn's ``GaussianMixture.fit`` keeps only the final parameters. For teaching we
want every intermediate step, so this module re-implements the E- and M-steps as small
numpy functions and records each iteration. It reproduces scikit-learn exactly:

* the initial responsibilities are drawn the way ``GaussianMixture._initialize_parameters``
  draws them, from ``np.random.RandomState(seed)`` (what ``check_random_state(seed)``
  returns), using scikit-learn's own ``KMeans`` / ``kmeans_plusplus`` where it does;
* the M-step uses scikit-learn's formulas, including the ``10 * eps`` added to the
  component masses and ``reg_covar`` added to every covariance diagonal;
* the loop order and the convergence test match ``BaseMixture.fit_predict`` (see
  :func:`run_gmm_em`).

So ``run_gmm_em(X, k, seed=s).means[-1]`` equals
``GaussianMixture(k, random_state=s, n_init=1).fit(X).means_`` to rounding error.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, fields
from numbers import Integral, Real
from typing import Any

import numpy as np
from scipy.special import logsumexp
from sklearn.cluster import KMeans, kmeans_plusplus

from gmm_core.errors import GMMInputError
from gmm_core.models import _log_weighted_components

__all__ = [
    "COVARIANCE_TYPES",
    "GMM_INIT_METHODS",
    "KMEANS_INIT_METHODS",
    "MAX_TRACE_VALUES",
    "EMTrace",
    "KMeansTrace",
    "e_step",
    "m_step",
    "restarts",
    "run_gmm_em",
    "run_kmeans_steps",
]

#: Covariance structures, as scikit-learn names them.
COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
#: ``init_params`` values accepted by ``GaussianMixture``.
GMM_INIT_METHODS = ("kmeans", "k-means++", "random", "random_from_data")
#: Initialisations offered for the step-by-step k-means.
KMEANS_INIT_METHODS = ("k-means++", "random")
#: Most values one recorded run may hold in its largest per-iteration history
#: (responsibilities for EM, labels for k-means). 20 million float32 is 80 MB.
MAX_TRACE_VALUES = 20_000_000

_MAX_SEED = 2**32 - 1  # np.random.RandomState accepts seeds in [0, 2**32 - 1]


# --------------------------------------------------------------------------------------
# Results


def _freeze_arrays(obj: object) -> None:
    # A frozen dataclass stops attribute rebinding but not writes into its arrays; a
    # trace is shared between reruns of a page, so make accidental edits fail loudly.
    for field in fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, field.name)
        if isinstance(value, np.ndarray):
            value.setflags(write=False)


@dataclass(frozen=True, eq=False)
class EMTrace:
    """Every iteration of one EM run of a Gaussian mixture.

    ``T = n_iter`` is the number of EM iterations (M-steps after the initial one).

    Attributes
    ----------
    means : ndarray of shape (T + 1, k, d)
        Component means. Index 0 is the initialisation (the M-step scikit-learn runs on
        the initial responsibilities); index ``t`` the parameters after EM iteration ``t``.
        ``means[-1]`` is scikit-learn's ``means_``.
    covariances : ndarray of shape (T + 1, k, d, d)
        Full covariance matrices for every covariance type (a tied matrix repeated ``k``
        times, diagonal and spherical ones expanded), ``reg_covar`` included.
    weights : ndarray of shape (T + 1, k)
        Mixing weights.
    responsibilities : ndarray of shape (T + 1, n, k), float32
        ``responsibilities[t]`` is the E-step computed from the parameters at index ``t``;
        the last one is scikit-learn's final E-step, so its row-wise argmax equals
        ``fit_predict(X)``. Stored as float32 to keep memory bounded.
    lower_bounds : ndarray of shape (T + 1,)
        Mean log-likelihood per sample of the data under the parameters at index ``t``.
        ``lower_bounds[:-1]`` is scikit-learn's ``lower_bounds_``; ``lower_bounds[-1]``
        is ``score(X)`` of the fitted model.
    converged : bool
        Whether ``|lower_bounds[t] - lower_bounds[t - 1]| < tol`` was reached.
    n_iter : int
        ``T``, scikit-learn's ``n_iter_``.
    covariance_type : str
        One of :data:`COVARIANCE_TYPES`.
    init_params : str
        One of :data:`GMM_INIT_METHODS`.
    seed : int
        The ``random_state`` that produced the initialisation.
    """

    means: np.ndarray
    covariances: np.ndarray
    weights: np.ndarray
    responsibilities: np.ndarray
    lower_bounds: np.ndarray
    converged: bool
    n_iter: int
    covariance_type: str
    init_params: str
    seed: int

    def __post_init__(self) -> None:
        _freeze_arrays(self)

    @property
    def lower_bound(self) -> float:
        """scikit-learn's ``lower_bound_``: the bound that ended the run.

        scikit-learn computes the bound in the E-step *before* the last M-step, so this
        is the log-likelihood under the parameters at index ``T - 1``, not ``T``.
        """
        return float(self.lower_bounds[-2])

    @property
    def labels(self) -> np.ndarray:
        """Hard assignments of shape (n,) from the final E-step, as ``fit_predict``."""
        return np.argmax(self.responsibilities[-1], axis=1)


@dataclass(frozen=True, eq=False)
class KMeansTrace:
    """Every iteration of one run of Lloyd's k-means algorithm.

    ``T = n_iter`` is the number of centre updates.

    Attributes
    ----------
    centers : ndarray of shape (T + 1, k, d)
        Index 0 is the initialisation, index ``t`` the centres after update ``t``.
        ``centers[-1]`` is scikit-learn's ``cluster_centers_``.
    labels : ndarray of shape (T + 1, n), int32
        ``labels[t]`` assigns every point to its nearest centre in ``centers[t]``;
        ``labels[-1]`` is scikit-learn's ``labels_``.
    inertia : ndarray of shape (T + 1,)
        Sum of squared distances from each point to its centre for ``(centers[t],
        labels[t])``; never increases. ``inertia[-1]`` is scikit-learn's ``inertia_``.
    converged : bool
        True if the labels stopped changing or the squared centre shift fell to the
        tolerance before ``max_iter``.
    n_iter : int
        ``T``, scikit-learn's ``n_iter_``.
    init : str
        One of :data:`KMEANS_INIT_METHODS`.
    seed : int
        Seed of the initialisation.
    """

    centers: np.ndarray
    labels: np.ndarray
    inertia: np.ndarray
    converged: bool
    n_iter: int
    init: str
    seed: int

    def __post_init__(self) -> None:
        _freeze_arrays(self)


# --------------------------------------------------------------------------------------
# Input checks (every message says what is wrong and what to do)


def _as_data_matrix(X: Any) -> np.ndarray:
    if np.iscomplexobj(X):
        raise GMMInputError("The data contain complex numbers. Use real-valued columns only.")
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise GMMInputError(
            "The data could not be read as numbers. Keep only numeric columns "
            "(drop text or date columns) and try again."
        ) from exc
    if arr.ndim != 2:
        raise GMMInputError(
            f"The data must be a 2-D table (rows = points, columns = features), but it "
            f"has {arr.ndim} dimension(s). Reshape it, e.g. a single feature as one column."
        )
    n, d = arr.shape
    if n < 2 or d < 1:
        raise GMMInputError(
            f"The data have {n} row(s) and {d} column(s); fitting needs at least 2 rows "
            "and 1 column. Supply more data."
        )
    bad = int(np.count_nonzero(~np.isfinite(arr)))
    if bad:
        raise GMMInputError(
            f"The data contain {bad} missing or infinite value(s). Drop or fill those "
            "rows before fitting."
        )
    return np.ascontiguousarray(arr)


def _check_int(name: str, value: Any, minimum: int, hint: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise GMMInputError(
            f"{name} must be a whole number of at least {minimum}, got {value!r}. {hint}"
        )
    return int(value)


def _check_nonnegative(name: str, value: Any, hint: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not value >= 0:
        raise GMMInputError(f"{name} must be a number >= 0, got {value!r}. {hint}")
    if not math.isfinite(value):
        raise GMMInputError(f"{name} must be finite, got {value!r}. {hint}")
    return float(value)


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, Integral) or not 0 <= seed <= _MAX_SEED:
        raise GMMInputError(
            f"The seed must be a whole number from 0 to {_MAX_SEED}, got {seed!r}. "
            "Pick another seed."
        )
    return int(seed)


def _check_choice(name: str, value: Any, options: tuple[str, ...]) -> str:
    if value not in options:
        raise GMMInputError(f"Unknown {name} {value!r}. Choose one of: {', '.join(options)}.")
    return str(value)


def _check_count(name: str, value: Any, n_samples: int) -> int:
    count = _check_int(name, value, 1, "Use at least one.")
    if count > n_samples:
        raise GMMInputError(
            f"{name}={count} is more than the {n_samples} data points. Choose at most "
            f"{n_samples}, or supply more data."
        )
    return count


def _check_trace_budget(n: int, k: int, d: int, max_iter: int, runs: int = 1) -> None:
    # The trace grows with the iterations actually run, but we cannot know those in
    # advance, so refuse up front anything that could outgrow the budget.
    per_iteration = max(n * k, k * d * d)
    needed = runs * (max_iter + 1) * per_iteration
    if needed <= MAX_TRACE_VALUES:
        return
    what = f"{runs} runs of " if runs > 1 else ""
    allowed_iter = MAX_TRACE_VALUES // (runs * per_iteration) - 1
    advice = (
        f"Lower max_iter to at most {allowed_iter}" if allowed_iter >= 1 else "Use fewer components"
    )
    allowed_rows = MAX_TRACE_VALUES // (runs * (max_iter + 1) * k)
    if n * k >= k * d * d and allowed_rows >= 2:
        advice += f", or record a smaller sample (at most {allowed_rows} rows)"
    raise GMMInputError(
        f"Recording {what}{max_iter} iterations for {n} points, {k} components and "
        f"{d} features would store about {needed:,} values, over the limit of "
        f"{MAX_TRACE_VALUES:,}. {advice}."
    )


# --------------------------------------------------------------------------------------
# Gaussian mixture: M-step


def _diagonal_matrices(variances: np.ndarray) -> np.ndarray:
    """Stack rows of ``variances`` (k, d) into diagonal matrices (k, d, d)."""
    k, d = variances.shape
    out = np.zeros((k, d, d))
    idx = np.arange(d)
    out[:, idx, idx] = variances
    return out


def _full_covariances(X, resp, nk, means, reg_covar):
    k, d = means.shape
    cov = np.empty((k, d, d))
    for j in range(k):
        diff = X - means[j]
        cov[j] = (resp[:, j] * diff.T) @ diff / nk[j]
        cov[j].flat[:: d + 1] += reg_covar
    return cov


def _tied_covariances(X, resp, nk, means, reg_covar):
    # scikit-learn's shortcut: sum_k sum_i r_ik (x_i - mu_k)(x_i - mu_k)^T equals
    # X^T X - sum_k n_k mu_k mu_k^T when every row of resp sums to one.
    k, d = means.shape
    cov = (X.T @ X - (nk * means.T) @ means) / nk.sum()
    cov.flat[:: d + 1] += reg_covar
    return np.repeat(cov[np.newaxis], k, axis=0)


def _diag_variances(X, resp, nk, means, reg_covar):
    # E[x^2] - E[x]^2 per feature, the form scikit-learn uses (kept for exact agreement).
    return (resp.T @ (X * X)) / nk[:, np.newaxis] - means**2 + reg_covar


def _diag_covariances(X, resp, nk, means, reg_covar):
    return _diagonal_matrices(_diag_variances(X, resp, nk, means, reg_covar))


def _spherical_covariances(X, resp, nk, means, reg_covar):
    # One variance per component: the average of its per-feature variances.
    variances = _diag_variances(X, resp, nk, means, reg_covar).mean(axis=1)
    d = means.shape[1]
    return variances[:, np.newaxis, np.newaxis] * np.eye(d)


_COVARIANCE_ESTIMATORS = {
    "full": _full_covariances,
    "tied": _tied_covariances,
    "diag": _diag_covariances,
    "spherical": _spherical_covariances,
}


def _estimate_gaussian_parameters(
    X: np.ndarray, resp: np.ndarray, covariance_type: str, reg_covar: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Component masses (k,), means (k, d) and full covariances (k, d, d) from resp (n, k)."""
    # scikit-learn adds 10 machine epsilons so a component nobody is responsible for
    # divides by a tiny number instead of zero (its mean becomes 0, not NaN).
    nk = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps
    means = (resp.T @ X) / nk[:, np.newaxis]
    covariances = _COVARIANCE_ESTIMATORS[covariance_type](X, resp, nk, means, reg_covar)
    return nk, means, covariances


def m_step(
    X: np.ndarray, resp: np.ndarray, covariance_type: str, reg_covar: float = 1e-6
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """M-step: the mixture parameters that best explain ``X`` given soft assignments.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    resp : ndarray of shape (n, k)
        Responsibilities; each row sums to one. Use float64 for exact agreement with
        scikit-learn.
    covariance_type : {"full", "tied", "diag", "spherical"}
    reg_covar : float
        Added to every covariance diagonal so collapsed components stay invertible.

    Returns
    -------
    weights : ndarray of shape (k,)
    means : ndarray of shape (k, d)
    covariances : ndarray of shape (k, d, d)
        Full matrices whatever the covariance type.
    """
    nk, means, covariances = _estimate_gaussian_parameters(X, resp, covariance_type, reg_covar)
    return nk / nk.sum(), means, covariances


# --------------------------------------------------------------------------------------
# Gaussian mixture: E-step


def _collapsed_component_error() -> GMMInputError:
    return GMMInputError(
        "A component's covariance became singular: it collapsed onto too few "
        "distinct points. Increase reg_covar (e.g. to 1e-4), use fewer components, "
        "or rescale the data."
    )


def e_step(
    X: np.ndarray, weights: np.ndarray, means: np.ndarray, covariances: np.ndarray
) -> tuple[np.ndarray, float]:
    """E-step: how responsible each component is for each point.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    weights : ndarray of shape (k,)
    means : ndarray of shape (k, d)
    covariances : ndarray of shape (k, d, d)

    Returns
    -------
    responsibilities : ndarray of shape (n, k), float64
        Posterior probability of each component for each point; rows sum to one.
    mean_log_likelihood : float
        Mean over points of log p(x_i), the quantity EM never decreases.

    Raises
    ------
    GMMInputError
        A covariance is not positive definite or not finite (a collapsed component).
    """
    # A covariance that overflowed to inf or NaN, like one that is not positive definite,
    # means a collapsed component. (Non-finite points are refused before any E-step.)
    if not np.all(np.isfinite(covariances)):
        raise _collapsed_component_error()
    try:
        weighted = _log_weighted_components(X, means, covariances, weights)
    except np.linalg.LinAlgError as exc:
        raise _collapsed_component_error() from exc
    # Normalise in log space: densities of far-away points underflow to 0 otherwise.
    log_norm = logsumexp(weighted, axis=1)
    resp = np.exp(weighted - log_norm[:, np.newaxis])
    return resp, float(np.mean(log_norm))


# --------------------------------------------------------------------------------------
# Gaussian mixture: initialisation and the recorded loop


def _initial_responsibilities(
    X: np.ndarray, n_components: int, init_params: str, random_state: np.random.RandomState
) -> np.ndarray:
    """Responsibilities (n, k) exactly as ``BaseMixture._initialize_parameters`` makes them."""
    n = X.shape[0]
    resp = np.zeros((n, n_components))
    if init_params == "kmeans":
        labels = KMeans(n_clusters=n_components, n_init=1, random_state=random_state).fit(X).labels_
        resp[np.arange(n), labels] = 1.0
    elif init_params == "random":
        resp = random_state.uniform(size=(n, n_components))
        resp /= resp.sum(axis=1)[:, np.newaxis]
    elif init_params == "random_from_data":
        # One randomly chosen point per component, fully owned by it; nobody else.
        indices = random_state.choice(n, size=n_components, replace=False)
        resp[indices, np.arange(n_components)] = 1.0
    else:  # "k-means++": the k-means++ seeds, without running k-means
        _, indices = kmeans_plusplus(X, n_components, random_state=random_state)
        resp[indices, np.arange(n_components)] = 1.0
    return resp


def run_gmm_em(
    X: Any,
    n_components: int,
    *,
    covariance_type: str = "full",
    init_params: str = "kmeans",
    seed: int = 0,
    max_iter: int = 100,
    tol: float = 1e-3,
    reg_covar: float = 1e-6,
) -> EMTrace:
    """Fit a Gaussian mixture with EM, recording every iteration.

    Matches ``GaussianMixture(n_components, covariance_type=covariance_type,
    init_params=init_params, random_state=seed, max_iter=max_iter, tol=tol,
    reg_covar=reg_covar, n_init=1).fit(X)``. The loop is scikit-learn's::

        parameters[0] = M-step(initial responsibilities)     # weights = n_k / n
        for t in 1..max_iter:
            resp, bound = E-step(parameters[t-1])            # bound under t-1
            parameters[t] = M-step(resp)
            if |bound - previous bound| < tol: converged; stop   (previous starts at -inf)
        final E-step(parameters[T])                          # labels for fit_predict

    Parameters
    ----------
    X : array-like of shape (n, d)
        Finite numbers; converted to float64.
    n_components : int
        Number of mixture components k, 1 <= k <= n.
    covariance_type : {"full", "tied", "diag", "spherical"}
    init_params : {"kmeans", "k-means++", "random", "random_from_data"}
    seed : int
        ``random_state`` for the initialisation, 0 <= seed < 2**32.
    max_iter : int
        At most this many EM iterations (>= 1).
    tol : float
        Stop when the mean log-likelihood changes by less than this.
    reg_covar : float
        Added to every covariance diagonal.

    Returns
    -------
    EMTrace

    Raises
    ------
    GMMInputError
        Bad data or settings, a trace that would exceed :data:`MAX_TRACE_VALUES`, or a
        covariance that became singular.
    """
    X = _as_data_matrix(X)
    n, d = X.shape
    k = _check_count("n_components", n_components, n)
    covariance_type = _check_choice("covariance type", covariance_type, COVARIANCE_TYPES)
    init_params = _check_choice("initialisation", init_params, GMM_INIT_METHODS)
    seed = _check_seed(seed)
    max_iter = _check_int("max_iter", max_iter, 1, "EM needs at least one iteration.")
    tol = _check_nonnegative("tol", tol, "A typical value is 1e-3.")
    reg_covar = _check_nonnegative("reg_covar", reg_covar, "A typical value is 1e-6.")
    _check_trace_budget(n, k, d, max_iter)

    # check_random_state(seed) in scikit-learn is exactly this generator.
    random_state = np.random.RandomState(seed)
    resp = _initial_responsibilities(X, k, init_params, random_state)
    nk, means, covariances = _estimate_gaussian_parameters(X, resp, covariance_type, reg_covar)
    # The initial weights are divided by n, later ones by sum(n_k) (which carries the
    # 10 * eps per component); scikit-learn does so, and so must we to match it.
    weights = nk / n

    all_weights, all_means, all_covariances = [weights], [means], [covariances]
    all_resp: list[np.ndarray] = []
    bounds: list[float] = []
    previous_bound = -math.inf
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - n_iter is read after the loop
        resp, bound = e_step(X, weights, means, covariances)
        all_resp.append(resp.astype(np.float32))
        bounds.append(bound)
        # The M-step must see the float64 responsibilities, not the stored float32 copy.
        weights, means, covariances = m_step(X, resp, covariance_type, reg_covar)
        all_weights.append(weights)
        all_means.append(means)
        all_covariances.append(covariances)
        if abs(bound - previous_bound) < tol:
            converged = True
            break
        previous_bound = bound

    # scikit-learn's final E-step: it makes fit(X).predict(X) agree with fit_predict(X),
    # and gives the last parameters their own log-likelihood.
    resp, bound = e_step(X, weights, means, covariances)
    all_resp.append(resp.astype(np.float32))
    bounds.append(bound)

    return EMTrace(
        means=np.stack(all_means),
        covariances=np.stack(all_covariances),
        weights=np.stack(all_weights),
        responsibilities=np.stack(all_resp),
        lower_bounds=np.asarray(bounds),
        converged=converged,
        n_iter=n_iter,
        covariance_type=covariance_type,
        init_params=init_params,
        seed=seed,
    )


def restarts(X: Any, n_components: int, seeds: Iterable[int], **kw: Any) -> list[EMTrace]:
    """Run :func:`run_gmm_em` once per seed, to show that EM finds local optima.

    ``kw`` is passed on to :func:`run_gmm_em`. The memory budget applies to all runs
    together.
    """
    seeds = list(seeds)
    if not seeds:
        raise GMMInputError("No seeds were given. Give at least one seed to run.")
    data = _as_data_matrix(X)
    n, d = data.shape
    k = _check_count("n_components", n_components, n)
    max_iter = _check_int(
        "max_iter", kw.get("max_iter", 100), 1, "EM needs at least one iteration."
    )
    _check_trace_budget(n, k, d, max_iter, runs=len(seeds))
    return [run_gmm_em(data, k, seed=seed, **kw) for seed in seeds]


# --------------------------------------------------------------------------------------
# k-means (Lloyd), for comparison with EM


def _nearest_center(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    # |x - c|^2 = |x|^2 - 2 x.c + |c|^2; |x|^2 is the same for every centre, so the
    # argmin needs one matrix product and no (n, k, d) temporary.
    scores = np.sum(centers * centers, axis=1) - 2.0 * (X @ centers.T)
    return np.argmin(scores, axis=1).astype(np.int32)


def _inertia(X: np.ndarray, centers: np.ndarray, labels: np.ndarray) -> float:
    diff = X - centers[labels]
    return float(np.sum(diff * diff))


def _update_centers(X: np.ndarray, centers: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Lloyd's update step, including scikit-learn's handling of empty clusters."""
    k, d = centers.shape
    sums = np.zeros((k, d))
    np.add.at(sums, labels, X)
    counts = np.bincount(labels, minlength=k).astype(np.float64)

    empty = np.flatnonzero(counts == 0)
    if empty.size:
        # scikit-learn moves each empty cluster onto one of the points worst served by
        # its current centre (and takes that point out of its old cluster).
        distances = np.sum((X - centers[labels]) ** 2, axis=1)
        if distances.max() > 0:  # all points sit on centres: moving would not help
            farthest = np.argpartition(distances, -empty.size)[: -empty.size - 1 : -1]
            for cluster, point in zip(empty, farthest, strict=True):
                old = labels[point]
                sums[old] -= X[point]
                counts[old] -= 1
                sums[cluster] = X[point]
                counts[cluster] = 1

    new_centers = np.empty_like(centers)
    filled = counts > 0
    new_centers[filled] = sums[filled] / counts[filled, np.newaxis]
    # Clusters still empty are parked on the biggest cluster rather than at the origin.
    new_centers[~filled] = new_centers[np.argmax(counts)]
    return new_centers


def run_kmeans_steps(
    X: Any,
    n_clusters: int,
    *,
    init: str = "k-means++",
    seed: int = 0,
    max_iter: int = 100,
    tol: float = 1e-4,
) -> KMeansTrace:
    """Run Lloyd's k-means algorithm, recording every assignment and update.

    Reproduces ``KMeans(n_clusters, init=<trace.centers[0]>, n_init=1,
    algorithm="lloyd", tol=tol, max_iter=max_iter).fit(X)``: each iteration assigns
    points to the nearest centre, then moves each centre to the mean of its points; it
    stops when the assignments did not change or the summed squared centre shift is at
    most ``tol`` times the mean per-feature variance of ``X``.

    Parameters
    ----------
    X : array-like of shape (n, d)
    n_clusters : int
        1 <= k <= n.
    init : {"k-means++", "random"}
        ``"k-means++"`` uses ``sklearn.cluster.kmeans_plusplus(X, k, random_state=seed)``;
        ``"random"`` takes k distinct rows chosen by ``np.random.RandomState(seed)``.
        Both pick the same centres as ``KMeans(init=init, random_state=seed)``.
    seed : int
    max_iter : int
        At most this many centre updates (>= 1).
    tol : float
        Relative tolerance on the centre shift.

    Returns
    -------
    KMeansTrace

    Raises
    ------
    GMMInputError
        Bad data or settings, or a trace that would exceed :data:`MAX_TRACE_VALUES`.
    """
    X = _as_data_matrix(X)
    n, d = X.shape
    k = _check_count("n_clusters", n_clusters, n)
    init = _check_choice("k-means initialisation", init, KMEANS_INIT_METHODS)
    seed = _check_seed(seed)
    max_iter = _check_int("max_iter", max_iter, 1, "k-means needs at least one iteration.")
    tol = _check_nonnegative("tol", tol, "A typical value is 1e-4.")
    if (max_iter + 1) * max(n, k * d) > MAX_TRACE_VALUES:
        allowed = MAX_TRACE_VALUES // max(n, k * d) - 1
        raise GMMInputError(
            f"Recording {max_iter} k-means iterations for {n} points would store more "
            f"than {MAX_TRACE_VALUES:,} labels. Lower max_iter to at most "
            f"{max(allowed, 1)}, or use a smaller sample."
        )

    if init == "k-means++":
        centers, _ = kmeans_plusplus(X, k, random_state=seed)
    else:
        # Passing uniform p (as KMeans does with unit sample weights) picks the same rows
        # as KMeans(init="random", random_state=seed); without p numpy samples differently.
        rows = np.random.RandomState(seed).choice(n, size=k, replace=False, p=np.full(n, 1.0 / n))
        centers = X[rows].copy()
    # scikit-learn makes tol unit-free by scaling it with the data's mean variance.
    shift_tol = float(np.mean(np.var(X, axis=0))) * tol if tol > 0 else 0.0

    labels = _nearest_center(X, centers)
    all_centers, all_labels, inertia = [centers], [labels], [_inertia(X, centers, labels)]
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - n_iter is read after the loop
        new_centers = _update_centers(X, centers, labels)
        # Same labels as the previous assignment means the update changed nothing.
        unchanged = len(all_labels) > 1 and np.array_equal(all_labels[-1], all_labels[-2])
        shift = float(np.sum((new_centers - centers) ** 2))
        centers = new_centers
        labels = _nearest_center(X, centers)
        all_centers.append(centers)
        all_labels.append(labels)
        inertia.append(_inertia(X, centers, labels))
        if unchanged or shift <= shift_tol:
            converged = True
            break

    return KMeansTrace(
        centers=np.stack(all_centers),
        labels=np.stack(all_labels),
        inertia=np.asarray(inertia),
        converged=converged,
        n_iter=n_iter,
        init=init,
        seed=seed,
    )
