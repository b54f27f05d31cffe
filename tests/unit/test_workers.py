"""The shared worker pool: results, one caller's cancellation, priority, and sweeps on it."""

import os
import threading
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from gmm_core import workers
from gmm_core.errors import GMMInputError
from gmm_core.models import ModelSpec, fit_gmm, fit_seconds
from gmm_core.selection import estimated_seconds, sweep

pytestmark = pytest.mark.slow  # starts worker processes


def _square_slowly(x: int, pause: float = 0.05) -> int:
    time.sleep(pause)
    return x * x


def _priority() -> int:
    return os.getpriority(os.PRIO_PROCESS, 0)


def test_short_work_stays_in_this_process_and_long_work_goes_to_a_worker():
    assert workers.call(workers.IN_THREAD_SECONDS / 2, os.getpid) == os.getpid()
    assert workers.call(workers.IN_THREAD_SECONDS * 2, os.getpid) != os.getpid()


def test_a_fit_in_a_worker_equals_the_fit_here():
    X = _blobs()
    spec = ModelSpec(n_components=3)
    here = fit_gmm(X, spec)
    there = workers.call(2 * workers.IN_THREAD_SECONDS, fit_gmm, X, spec)
    np.testing.assert_array_equal(there.means, here.means)
    np.testing.assert_array_equal(there.probabilities, here.probabilities)
    assert there.aic == here.aic


def test_a_users_error_in_a_worker_keeps_its_message():
    with pytest.raises(GMMInputError, match="Cannot fit 5 components to 3 points"):
        workers.call(2 * workers.IN_THREAD_SECONDS, fit_gmm, _blobs()[:3], ModelSpec(5))


def test_every_result_arrives_once():
    results = list(workers.map_unordered(_square_slowly, ((i,) for i in range(9))))
    assert sorted(results) == [i * i for i in range(9)]


def test_workers_run_below_the_callers_priority():
    (worker_nice,) = workers.map_unordered(_priority, [()])
    assert worker_nice >= max(_priority(), workers.WORKER_NICE)


def test_an_error_in_a_worker_reaches_the_caller():
    with pytest.raises(ZeroDivisionError):
        list(workers.map_unordered(divmod, [(1, 0)]))


def test_a_worker_that_dies_gives_a_message_and_the_pool_recovers():
    with pytest.raises(GMMInputError, match=r"stopped before it finished.*Try fewer components"):
        list(workers.map_unordered(os._exit, [(1,)]))
    assert list(workers.map_unordered(_square_slowly, [(3,)])) == [9]


def test_one_caller_stopping_early_leaves_the_others_running():
    """The bug joblib.Parallel has: one generator closed early shut the shared pool down."""
    outcome = {}

    def caller(name: str, stop_after: int | None) -> None:
        got = []
        try:
            for value in workers.map_unordered(
                _square_slowly, ((i, 0.2) for i in range(8)), in_flight=2
            ):
                got.append(value)
                if len(got) == stop_after:
                    raise RuntimeError("the visitor left")
            outcome[name] = sorted(got)
        except Exception as error:
            outcome[name] = f"{type(error).__name__}: {error}"

    staying = threading.Thread(target=caller, args=("staying", None))
    leaving = threading.Thread(target=caller, args=("leaving", 2))
    staying.start()
    time.sleep(0.1)
    leaving.start()
    staying.join(60)
    leaving.join(60)
    assert outcome["leaving"] == "RuntimeError: the visitor left"
    assert outcome["staying"] == [i * i for i in range(8)]


def _blobs(n: int = 300):
    X, _ = make_blobs(n_samples=n, centers=4, random_state=0)
    return X


def test_a_sweep_abandoned_by_one_visitor_does_not_break_anothers():
    X = _blobs()
    expected = sweep(X, range(1, 9), ("full", "diag"), n_jobs=1).table
    outcome = {}

    class VisitorLeft(Exception):
        pass

    def leave_after_one(done, total, row):
        if done == 1:
            raise VisitorLeft

    def other_visitor():
        outcome["table"] = sweep(X, range(1, 9), ("full", "diag"), n_jobs=2).table

    thread = threading.Thread(target=other_visitor)
    thread.start()
    with pytest.raises(VisitorLeft):
        sweep(X, range(1, 9), ("spherical", "tied"), n_jobs=2, progress=leave_after_one)
    thread.join(120)
    pd.testing.assert_frame_equal(outcome["table"], expected, check_exact=True)


def test_the_estimates_send_long_work_to_workers_and_keep_short_work():
    """Calibrated figures: the chapter's 20 moons fits ~0.2 s, 120 fits in 2-D ~5 s,
    4 components on 200,000 2-D rows ~0.6 s, the page's 4 components on 400 points ~10 ms."""
    moons = [ModelSpec(n_components=k) for k in range(1, 21)]
    big = [
        ModelSpec(n_components=k, covariance_type=t)
        for t in ("full", "diag", "tied", "spherical")
        for k in range(11, 41)
    ]
    assert estimated_seconds(_blobs(200), moons, 0) < 0.5
    assert 3 < estimated_seconds(_blobs(400), big, 0) < 8
    assert estimated_seconds(_blobs(400), big, 3) == pytest.approx(
        4 * estimated_seconds(_blobs(400), big, 0)
    )
    assert fit_seconds(np.zeros((400, 2)), ModelSpec(4)) < 0.05
    assert 0.3 < fit_seconds(np.zeros((200_000, 2)), ModelSpec(4)) < 1.2
    assert fit_seconds(np.zeros((200_000, 2)), ModelSpec(250)) > 10 * workers.IN_THREAD_SECONDS
    restarts = ModelSpec(4, n_init=10)
    assert fit_seconds(np.zeros((400, 2)), restarts) == pytest.approx(
        10 * fit_seconds(np.zeros((400, 2)), ModelSpec(4))
    )
