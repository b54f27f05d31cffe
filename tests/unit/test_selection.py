"""Model selection sweeps: minima, skipped counts, progress, CV, parallelism, limits."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from gmm_core import limits
from gmm_core.data import DataSpec, make_dataset
from gmm_core.errors import GMMInputError
from gmm_core.models import COVARIANCE_TYPES, ModelSpec, fit_gmm
from gmm_core.selection import CRITERIA, sweep

TYPES = list(COVARIANCE_TYPES)


def _small(seed: int = 0, n: int = 90) -> np.ndarray:
    X, _ = make_blobs(n_samples=n, centers=3, cluster_std=0.7, random_state=seed)
    return X @ np.random.RandomState(seed).randn(2, 2)


# --------------------------------------------------------------- chapter facts


def test_moons_bic_prefers_fewer_components_than_aic():
    """The chapter's moons: BIC's stronger penalty stops earlier than AIC.

    Documented values (scikit-learn 1.x, full covariance, seed 0): BIC 7, AIC 12.
    """
    X = make_dataset(DataSpec.chapter("moons")).X
    result = sweep(X, range(1, 21), ("full",))
    best = result.minima["full"]
    assert best["bic"] < best["aic"]
    assert (best["bic"], best["aic"]) == (7, 12)


def test_four_round_blobs_are_found_by_bic_for_every_type():
    X = make_dataset(DataSpec.chapter("blobs")).X
    result = sweep(X, range(1, 8), TYPES)
    assert {t: result.minima[t]["bic"] for t in TYPES} == dict.fromkeys(TYPES, 4)


# --------------------------------------------------------------------- minima


@pytest.mark.parametrize("seed", [0, 1])
def test_minima_are_the_best_row_of_each_type(seed):
    X = _small(seed)
    result = sweep(X, range(1, 6), TYPES, seed=seed)
    table = result.table
    assert list(table.columns) == [
        "covariance_type",
        "n_components",
        "aic",
        "bic",
        "cv_loglik",
        "converged",
        "n_parameters",
    ]
    assert len(table) == 4 * 5
    assert list(dict.fromkeys(table.covariance_type)) == TYPES
    assert set(result.minima) == set(TYPES)
    for cov_type in TYPES:
        rows = table[table.covariance_type == cov_type]
        assert list(rows.n_components) == [1, 2, 3, 4, 5]
        for criterion in ("aic", "bic"):
            expected = int(rows.n_components.iloc[int(np.argmin(rows[criterion]))])
            assert result.minima[cov_type][criterion] == expected
            assert result.best(criterion, cov_type) == expected
        assert "cv_loglik" not in result.minima[cov_type]
    overall = int(table.n_components.iloc[int(np.argmin(table.bic))])
    assert result.best("bic") == overall


@pytest.mark.parametrize("covariance_type", TYPES)
def test_table_values_are_those_of_single_fits(covariance_type):
    X = _small(2)
    result = sweep(X, [1, 3], (covariance_type,), seed=4)
    for _, row in result.table.iterrows():
        single = fit_gmm(X, ModelSpec(int(row.n_components), covariance_type, seed=4))
        assert row.aic == pytest.approx(single.aic, rel=1e-12)
        assert row.bic == pytest.approx(single.bic, rel=1e-12)
        assert row.n_parameters == single.n_parameters
        assert row.converged == single.converged
        assert np.isnan(row.cv_loglik)


# ---------------------------------------------------------------- skipped counts


def test_counts_above_the_number_of_points_are_skipped():
    X = _small(0, n=6)
    result = sweep(X, [8, 1, 3, 6, 7, 3], ("full", "spherical"))
    assert result.skipped == (7, 8)
    for cov_type in ("full", "spherical"):
        counts = result.table[result.table.covariance_type == cov_type].n_components
        assert list(counts) == [1, 3, 6]


def test_all_counts_too_large_is_refused():
    with pytest.raises(GMMInputError, match=r"The data has 4 points.*use at most 4 components"):
        sweep(_small(0, n=4), [5, 6])


# --------------------------------------------------------------------- progress


def test_progress_is_reported_once_per_fit():
    calls = []
    result = sweep(
        _small(1, n=60),
        range(1, 4),
        ("full", "diag"),
        n_jobs=1,
        progress=lambda done, total, row: calls.append((done, total, row)),
    )
    assert [c[0] for c in calls] == list(range(1, 7))
    assert {c[1] for c in calls} == {6}
    assert len(result.table) == 6
    reported = {(row["covariance_type"], row["n_components"]) for _, _, row in calls}
    table = result.table
    assert reported == set(zip(table.covariance_type, table.n_components, strict=True))


def test_raising_from_progress_abandons_the_sweep():
    class Stop(Exception):
        pass

    calls = []

    def stop_after_two(done, total, row):
        calls.append(done)
        if done == 2:
            raise Stop

    with pytest.raises(Stop):
        sweep(_small(0), range(1, 6), n_jobs=1, progress=stop_after_two)
    assert calls == [1, 2]


# ------------------------------------------------------------ cross-validation


def test_cv_loglik_is_present_with_two_folds():
    X = _small(3)
    result = sweep(X, range(1, 5), ("full", "tied"), cv_folds=2)
    assert result.table.cv_loglik.notna().all()
    assert np.isfinite(result.table.cv_loglik).all()
    for cov_type in ("full", "tied"):
        rows = result.table[result.table.covariance_type == cov_type]
        best = int(rows.n_components.iloc[int(np.argmax(rows.cv_loglik))])
        assert result.minima[cov_type]["cv_loglik"] == best
    assert set(CRITERIA) <= set(result.minima["full"])


def test_cv_loglik_is_a_held_out_score_per_point():
    # One Gaussian fitted to standard normal points: the mean held-out log-density is
    # about minus the entropy of a 2-D standard normal, -(log(2 pi) + 1).
    X = np.random.default_rng(0).normal(size=(400, 2))
    result = sweep(X, [1], cv_folds=2)
    expected = -(np.log(2 * np.pi) + 1)
    assert result.table.cv_loglik.iloc[0] == pytest.approx(expected, abs=0.1)


# ----------------------------------------------------------------- parallelism


@pytest.mark.slow
def test_results_do_not_depend_on_the_number_of_workers():
    """Two worker processes give the same table, and progress still counts up once per fit."""
    X = _small(5, n=80)
    kwargs = dict(component_counts=range(1, 5), covariance_types=("full", "spherical"), cv_folds=2)
    one = sweep(X, n_jobs=1, **kwargs)
    calls = []
    two = sweep(X, n_jobs=2, progress=lambda *call: calls.append(call), **kwargs)
    pd.testing.assert_frame_equal(one.table, two.table, check_exact=True)
    assert one.minima == two.minima
    assert one.skipped == two.skipped
    assert [done for done, _, _ in calls] == list(range(1, 9))
    assert {total for _, total, _ in calls} == {8}
    assert sorted((r["covariance_type"], r["n_components"]) for _, _, r in calls) == sorted(
        zip(one.table.covariance_type, one.table.n_components, strict=True)
    )


# ---------------------------------------------------------------------- limits


def test_too_many_fits_are_refused_before_any_fit(monkeypatch):
    calls = []
    cap = limits.MAX_SWEEP_FITS
    X = _small(0, n=cap + 1)
    with pytest.raises(
        GMMInputError,
        match=rf"needs {cap + 1} fits; this server allows {cap}\. Narrow the range",
    ):
        sweep(X, range(1, cap + 2), progress=lambda *a: calls.append(a))
    assert calls == []
    monkeypatch.setattr(limits, "MAX_SWEEP_FITS", 3)
    with pytest.raises(GMMInputError, match="needs 4 fits; this server allows 3"):
        sweep(X, [1, 2], ("full", "diag"))
    assert len(sweep(X, [1, 2, 3]).table) == 3


@pytest.mark.parametrize(
    ("counts", "types", "message"),
    [
        ([], ("full",), "at least one component count"),
        ([0, 2], ("full",), "at least one component count, each 1 or more"),
        ([1, 2], ("round",), r"Choose covariance types among full, tied, diag, spherical"),
        ([1, 2], (), "Choose covariance types among"),
    ],
)
def test_bad_sweeps_are_refused(counts, types, message):
    with pytest.raises(GMMInputError, match=message):
        sweep(_small(0), counts, types)


def test_sweep_refuses_non_finite_data():
    X = _small(0).copy()
    X[0, 0] = np.nan
    with pytest.raises(GMMInputError, match="missing or infinite"):
        sweep(X, [1, 2])


def test_held_out_scoring_needs_enough_points_for_its_folds():
    X = np.random.default_rng(0).normal(size=(5, 2))
    with pytest.raises(GMMInputError, match="Held-out scoring with 3 folds needs at least 6"):
        sweep(X, [1, 2], cv_folds=3)


def test_held_out_scores_are_missing_when_no_fold_can_fit_the_count():
    X = np.random.default_rng(0).normal(size=(20, 2))
    result = sweep(X, [15, 20], cv_folds=3)
    assert result.table["cv_loglik"].isna().all()
    assert "cv_loglik" not in result.minima["full"]
