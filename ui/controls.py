"""Model controls shared by the pages that fit mixtures.

Each control is bound to the URL under a short key, so links reproduce the view.
"""

import streamlit as st

from gmm_core.models import COVARIANCE_TYPES, INIT_METHODS, ModelSpec

from .state import BOUND

#: Keys this module binds; pages pass them to ``share_link``.
MODEL_KEYS = ("k", "cov", "seed", "n_init", "init", "max_iter", "tol", "reg")


def components_slider(max_value: int, default: int, key: str = "k", label="Components") -> int:
    default = min(default, max_value)
    if max_value <= 1:
        st.caption("1 component (the data has too few points for more).")
        return 1
    if st.session_state.get(key, 0) > max_value:
        st.session_state[key] = max_value  # chosen for a larger data set
    return st.slider(label, 1, max_value, default, key=key, **BOUND)


def covariance_select(key: str = "cov", default: str = "full") -> str:
    # Options are the plain names: a bound widget writes the displayed text to the URL.
    chosen = st.selectbox(
        "Covariance type",
        list(COVARIANCE_TYPES),
        index=list(COVARIANCE_TYPES).index(default),
        key=key,
        **BOUND,
    )
    st.caption(f"{chosen}: {COVARIANCE_TYPES[chosen]}")
    return chosen


def seed_input() -> int:
    """The fits' random_state, under the one URL key "seed" every fitting page shares."""
    return int(st.number_input("Seed (random_state)", 0, 10_000, 0, key="seed", **BOUND))


def fit_settings() -> dict:
    """The EM settings a user tunes, in an expander; ModelSpec keyword arguments."""
    with st.expander("Fit settings"):
        seed = seed_input()
        n_init = st.slider("Restarts (n_init)", 1, 10, 1, key="n_init", **BOUND)
        init = st.selectbox("Initialisation", INIT_METHODS, key="init", **BOUND)
        max_iter = st.slider("Max EM iterations", 1, 1000, 100, key="max_iter", **BOUND)
        tol = st.select_slider(
            "Tolerance", [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1], 1e-3, key="tol", **BOUND
        )
        reg = st.select_slider(
            "reg_covar (added to covariance diagonals)",
            [1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1],
            1e-6,
            key="reg",
            **BOUND,
        )
    return dict(
        seed=int(seed),
        n_init=int(n_init),
        init_params=init,
        max_iter=int(max_iter),
        tol=float(tol),
        reg_covar=float(reg),
    )


def model_spec(max_components: int, default_k: int = 4, default_cov: str = "full") -> ModelSpec:
    """Components, covariance type and the fit settings."""
    k = components_slider(max_components, default_k)
    cov = covariance_select(default=default_cov)
    return ModelSpec(n_components=int(k), covariance_type=cov, **fit_settings())


def _raise_reg() -> None:
    st.session_state["reg"] = 1e-3


def fit_or_stop(data_key: str, X, spec: ModelSpec):
    """Fit (cached) or show what went wrong, offering the fix, and stop the page."""
    from gmm_core.errors import GMMInputError

    from . import compute
    from .text import show_error

    try:
        return compute.gmm(data_key, X, spec)
    except GMMInputError as error:
        show_error(error)
        if "collapsed" in str(error) and spec.reg_covar < 1e-3:
            st.button("Raise reg_covar to 1e-3 and refit", on_click=_raise_reg)
        st.stop()
