"""Model fitting: k-means and Gaussian mixtures, returned as plain arrays.

Results are frozen dataclasses of numpy arrays (no fitted estimator inside), so they
cache cheaply, serialise to JSON and never share mutable state between sessions.
Covariances are always expanded to full ``(k, d, d)`` matrices, whatever the type.
"""

import math
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy.linalg import cholesky, solve_triangular
from scipy.special import logsumexp
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture, GaussianMixture
from threadpoolctl import ThreadpoolController

from . import limits
from .errors import GMMInputError

__all__ = [
    "BAYESIAN_MIN_ITER",
    "COVARIANCE_TYPES",
    "INIT_METHODS",
    "GMMResult",
    "KMeansResult",
    "ModelSpec",
    "check_data",
    "expand_covariances",
    "fit_bayesian_gmm",
    "fit_gmm",
    "fit_kmeans",
    "fit_seconds",
    "log_density",
    "n_parameters",
    "quiet_threads",
]

_LOG_2PI = math.log(2.0 * math.pi)

#: The variational mixture runs at least this many iterations: it converges slowly.
BAYESIAN_MIN_ITER = 500

#: What each covariance type lets a component do.
COVARIANCE_TYPES = {
    "full": "any ellipse: own size, shape and orientation per component",
    "tied": "one shared ellipse shape for all components",
    "diag": "axis-aligned ellipses, own size per axis and component",
    "spherical": "circles, own size per component",
}
INIT_METHODS = ("kmeans", "k-means++", "random", "random_from_data")


@dataclass(frozen=True)
class ModelSpec:
    """What to fit. Defaults are scikit-learn's, with the chapter's seed."""

    n_components: int = 4
    covariance_type: str = "full"
    seed: int = 0
    n_init: int = 1
    init_params: str = "kmeans"
    max_iter: int = 100
    tol: float = 1e-3
    reg_covar: float = 1e-6


@dataclass(frozen=True)
class GMMResult:
    """A fitted Gaussian mixture.

    Attributes
    ----------
    labels : ndarray of shape (n_samples,)
        Most probable component of each point.
    probabilities : ndarray of shape (n_samples, n_components)
        Membership probabilities; each row sums to one.
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray of shape (n_components, n_features, n_features)
        Full matrices for every covariance type (tied repeats one matrix).
    weights : ndarray of shape (n_components,)
    converged : bool
    n_iter : int
    lower_bounds : ndarray of shape (n_iter,)
        Mean log-likelihood (the EM lower bound) after each iteration of the best init.
    log_likelihood : float
        Total log-likelihood of the data.
    aic, bic : float
        NaN for variational (Bayesian) mixtures, where they are not defined.
    n_parameters : int
        Free parameters: means, covariance entries and weights.
    covariance_type : str
    spec : ModelSpec
    """

    labels: np.ndarray
    probabilities: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    weights: np.ndarray
    converged: bool
    n_iter: int
    lower_bounds: np.ndarray
    log_likelihood: float
    aic: float
    bic: float
    n_parameters: int
    covariance_type: str
    spec: ModelSpec

    @property
    def n_components(self) -> int:
        return self.means.shape[0]


@dataclass(frozen=True)
class KMeansResult:
    """A fitted k-means model.

    Attributes
    ----------
    centers : ndarray of shape (n_clusters, n_features)
    labels : ndarray of shape (n_samples,)
    inertia : float
        Sum of squared distances to the nearest centre.
    radii : ndarray of shape (n_clusters,)
        Distance from each centre to its farthest member (the chapter's circles);
        0 for an empty cluster.
    n_iter : int
    """

    centers: np.ndarray
    labels: np.ndarray
    inertia: float
    radii: np.ndarray
    n_iter: int


def check_data(
    X: np.ndarray, n_components: int, *, min_features: int = 1, repeats: float = 1.0
) -> np.ndarray:
    """Validate data for fitting ``n_components`` components; return it as float64.

    ``repeats`` scales the work budget: restarts times max iterations / 100.

    Raises :class:`GMMInputError` naming the problem and what to do.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise GMMInputError(
            f"Expected a table of points (rows x columns), got an array with {X.ndim} dimensions."
        )
    n, d = X.shape
    if d < min_features:
        raise GMMInputError(
            f"This needs at least {min_features} numeric columns; the data has {d}. "
            "Choose more columns on the Data page."
        )
    if not np.all(np.isfinite(X)):
        raise GMMInputError(
            "The data contains missing or infinite values; remove those rows first "
            "(the Data page does this for uploaded files)."
        )
    if n < 2:
        raise GMMInputError(
            f"A model needs at least 2 data points; the data has {n}. Add rows or choose "
            "other columns."
        )
    too_large = np.flatnonzero(np.abs(X).max(axis=0) > 1e150) if n else []
    if len(too_large):
        raise GMMInputError(
            f"Values in column {int(too_large[0]) + 1} are too large for the mixture maths "
            "(above 1e150); rescale or standardise the columns."
        )
    if not isinstance(n_components, int | np.integer) or n_components < 1:
        raise GMMInputError(f"The number of components must be 1 or more; got {n_components}.")
    if n_components > n:
        raise GMMInputError(
            f"Cannot fit {n_components} components to {n} points: each component needs at "
            f"least one point. Use at most {n} components or more data."
        )
    work = n * n_components * max(d, 1) ** 2 * max(repeats, 1.0)
    if work > limits.MAX_WORK:
        raise GMMInputError(
            f"{n_components} components on {n:,} rows x {d} columns"
            + (" with these restarts and iterations" if repeats > 1 else "")
            + " is too heavy for this server; use fewer components, restarts or "
            "iterations, fewer columns, or a sample of the rows."
        )
    return X


def _check_spec(spec: ModelSpec) -> None:
    if spec.covariance_type not in COVARIANCE_TYPES:
        raise GMMInputError(
            f"Unknown covariance type {spec.covariance_type!r}; "
            f"choose one of {', '.join(COVARIANCE_TYPES)}."
        )
    if spec.init_params not in INIT_METHODS:
        raise GMMInputError(
            f"Unknown initialisation {spec.init_params!r}; choose one of {', '.join(INIT_METHODS)}."
        )
    if spec.n_init < 1 or spec.max_iter < 1 or spec.tol <= 0 or spec.reg_covar < 0:
        raise GMMInputError(
            "n_init and max_iter must be at least 1, tol positive and reg_covar not negative."
        )


def _repeats(spec: ModelSpec, min_iter: int = 0) -> float:
    """How many times a default fit (one init, 100 iterations) ``spec`` may cost."""
    return spec.n_init * max(spec.max_iter, min_iter) / 100


def fit_seconds(X: np.ndarray, spec: ModelSpec, *, min_iter: int = 0) -> float:
    """Rough single-thread time of fitting ``spec`` to ``X``, in seconds.

    EM pays a fixed overhead per component and iteration (it dominates in two
    dimensions) plus work growing with rows and with rows x dimensions^2. Calibrated on
    a 2020s server core (scikit-learn 1.9): 120 fits of 11..40 components on 400 2-D
    points ~5 s; 4 components on 200,000 2-D rows ~0.6 s; the digits sweep (1,797 x 41,
    50..200 components) ~10 s. Within a factor of two: enough to choose where to run.
    ``min_iter`` as for the variational mixture, which runs at least that many.
    """
    n, d = np.shape(X)
    per_component = 1.5e-3 + n * (1e-6 + 1.2e-9 * d * d)
    return spec.n_components * per_component * _repeats(spec, min_iter)


@cache
def _threadpools() -> ThreadpoolController:
    """Finding the native thread pools costs 3-6 ms per call; do it once per process."""
    return ThreadpoolController()


@contextmanager
def quiet_threads():
    """Run scikit-learn single-threaded.

    Streamlit runs every rerun in a fresh thread, and a fresh OpenMP thread team costs
    more than small fits gain from it (57 ms vs 10 ms for a 400-point fit, measured).
    Multithreaded BLAS on small matrices is mostly overhead too. Parallelism belongs at
    the level of whole fits (see :mod:`gmm_core.selection`).
    """
    with _threadpools().limit(limits=1):
        yield


def expand_covariances(
    covariances: np.ndarray, covariance_type: str, n_components: int, n_features: int
) -> np.ndarray:
    """Expand scikit-learn's per-type covariance storage to full matrices.

    Parameters
    ----------
    covariances : ndarray
        full ``(k, d, d)``, tied ``(d, d)``, diag ``(k, d)`` or spherical ``(k,)``.

    Returns
    -------
    ndarray of shape (n_components, n_features, n_features)
    """
    cov = np.asarray(covariances, dtype=float)
    k, d = n_components, n_features
    if covariance_type == "full":
        return cov.reshape(k, d, d).copy()
    if covariance_type == "tied":
        return np.broadcast_to(cov.reshape(d, d), (k, d, d)).copy()
    if covariance_type == "diag":
        return cov.reshape(k, d)[:, :, None] * np.eye(d)[None]
    if covariance_type == "spherical":
        return cov.reshape(k)[:, None, None] * np.eye(d)[None]
    raise GMMInputError(
        f"Unknown covariance type {covariance_type!r}; choose one of {', '.join(COVARIANCE_TYPES)}."
    )


def n_parameters(n_components: int, n_features: int, covariance_type: str) -> int:
    """Free parameters of a mixture: means, covariance entries and k - 1 weights."""
    k, d = n_components, n_features
    cov_params = {
        "full": k * d * (d + 1) // 2,
        "tied": d * (d + 1) // 2,
        "diag": k * d,
        "spherical": k,
    }
    if covariance_type not in cov_params:
        raise GMMInputError(
            f"Unknown covariance type {covariance_type!r}; "
            f"choose one of {', '.join(COVARIANCE_TYPES)}."
        )
    return k * d + cov_params[covariance_type] + k - 1


def log_density(
    X: np.ndarray, means: np.ndarray, covariances: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Log of the mixture density at each point.

    Parameters
    ----------
    X : ndarray of shape (n_points, d)
    means : ndarray of shape (k, d)
    covariances : ndarray of shape (k, d, d)
    weights : ndarray of shape (k,)

    Returns
    -------
    ndarray of shape (n_points,)
    """
    return logsumexp(_log_weighted_components(X, means, covariances, weights), axis=1)


def _log_weighted_components(
    X: np.ndarray, means: np.ndarray, covariances: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """log(w_j N(x_i | mu_j, Sigma_j)), shape (n, k), for every point and component.

    Parameters as :func:`log_density`; a zero weight gives its component -inf. The one
    Gaussian log-density of the package: :func:`log_density` sums it over the
    components, the step-by-step E-step (:func:`gmm_core.em.e_step`) normalises it.

    Raises
    ------
    numpy.linalg.LinAlgError
        A covariance is not positive definite.
    ValueError
        The points or a covariance hold NaN or infinity.
    """
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    with np.errstate(divide="ignore"):
        log_w = np.log(weights)
    out = np.empty((n, len(means)))
    # One component at a time: all at once would hold k copies of the data (gigabytes
    # for a large sample and many components), for no gain in speed.
    for j in range(len(means)):
        chol = cholesky(covariances[j], lower=True)
        # Whitening with the Cholesky factor gives the squared Mahalanobis distance
        # without forming an inverse, which stays accurate for near-singular covariances.
        z = solve_triangular(chol, (X - means[j]).T, lower=True)
        log_det = 2.0 * np.sum(np.log(np.diag(chol)))
        out[:, j] = -0.5 * (d * _LOG_2PI + log_det + np.sum(z * z, axis=0)) + log_w[j]
    return out


def _collapse_error(exc: Exception) -> GMMInputError:
    return GMMInputError(
        "The fit failed: a component collapsed onto too few distinct points "
        "(ill-defined empirical covariance). Standardise the columns, use fewer "
        "components, or raise reg_covar (e.g. to 1e-3)."
    )


def _run(estimator, X: np.ndarray):
    """Fit, turning scikit-learn's failure modes into user-facing ones."""
    with warnings.catch_warnings():
        # Non-convergence is reported through `converged`, shown as a badge.
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            with quiet_threads():
                return estimator.fit(X)
        except ValueError as exc:
            if "ill-defined" in str(exc) or "collapsed" in str(exc):
                raise _collapse_error(exc) from exc
            raise GMMInputError(f"The fit failed: {exc}. Try other settings.") from exc
        except np.linalg.LinAlgError as exc:
            raise _collapse_error(exc) from exc


def _result_from_estimator(model, X: np.ndarray, spec: ModelSpec, *, criteria: bool) -> GMMResult:
    n, d = X.shape
    k = model.means_.shape[0]
    probabilities = model.predict_proba(X)
    log_likelihood = float(model.score(X) * n)
    if not np.isfinite(log_likelihood) or not np.all(np.isfinite(probabilities)):
        raise GMMInputError(
            "The fit produced non-finite values (the data's scale overflows the maths). "
            "Standardise the columns and try again."
        )
    p = n_parameters(k, d, spec.covariance_type)
    return GMMResult(
        labels=probabilities.argmax(axis=1),
        probabilities=probabilities,
        means=model.means_.copy(),
        covariances=expand_covariances(model.covariances_, spec.covariance_type, k, d),
        weights=model.weights_.copy(),
        converged=bool(model.converged_),
        n_iter=int(model.n_iter_),
        lower_bounds=np.asarray(getattr(model, "lower_bounds_", [model.lower_bound_]), float),
        log_likelihood=log_likelihood,
        aic=float(-2 * log_likelihood + 2 * p) if criteria else float("nan"),
        bic=float(-2 * log_likelihood + p * np.log(n)) if criteria else float("nan"),
        n_parameters=p,
        covariance_type=spec.covariance_type,
        spec=spec,
    )


def fit_gmm(X: np.ndarray, spec: ModelSpec = ModelSpec()) -> GMMResult:
    """Fit ``GaussianMixture`` as ``spec`` says.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    """
    _check_spec(spec)
    X = check_data(X, spec.n_components, repeats=_repeats(spec))
    model = GaussianMixture(
        n_components=spec.n_components,
        covariance_type=spec.covariance_type,
        random_state=spec.seed,
        n_init=spec.n_init,
        init_params=spec.init_params,
        max_iter=spec.max_iter,
        tol=spec.tol,
        reg_covar=spec.reg_covar,
    )
    return _result_from_estimator(_run(model, X), X, spec, criteria=True)


def fit_bayesian_gmm(
    X: np.ndarray, spec: ModelSpec = ModelSpec(), weight_concentration_prior: float = 0.01
) -> GMMResult:
    """Fit a variational Dirichlet-process mixture that switches off unneeded components.

    ``spec.n_components`` is an upper bound; a small ``weight_concentration_prior``
    favours few active components. AIC and BIC are NaN (not defined for it).
    """
    _check_spec(spec)
    if weight_concentration_prior <= 0:
        raise GMMInputError("The weight concentration prior must be positive; raise it.")
    X = check_data(X, spec.n_components, repeats=_repeats(spec, min_iter=BAYESIAN_MIN_ITER))
    model = BayesianGaussianMixture(
        n_components=spec.n_components,
        covariance_type=spec.covariance_type,
        weight_concentration_prior_type="dirichlet_process",
        weight_concentration_prior=weight_concentration_prior,
        random_state=spec.seed,
        n_init=spec.n_init,
        init_params=spec.init_params,
        max_iter=max(spec.max_iter, BAYESIAN_MIN_ITER),
        tol=spec.tol,
        reg_covar=spec.reg_covar,
    )
    return _result_from_estimator(_run(model, X), X, spec, criteria=False)


def fit_kmeans(X: np.ndarray, n_clusters: int = 4, seed: int = 0, n_init: int = 10) -> KMeansResult:
    """Fit k-means and measure the chapter's circles.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    """
    X = check_data(X, n_clusters)
    model = _run(KMeans(n_clusters=n_clusters, random_state=seed, n_init=n_init), X)
    labels = model.labels_
    distances = np.linalg.norm(X - model.cluster_centers_[labels], axis=1)
    radii = np.zeros(n_clusters)
    np.maximum.at(radii, labels, distances)
    return KMeansResult(
        centers=model.cluster_centers_.copy(),
        labels=labels.copy(),
        inertia=float(model.inertia_),
        radii=radii,
        n_iter=int(model.n_iter_),
    )
