"""EM step by step: every iteration of EM (or k-means), played in the browser."""

from dataclasses import replace

import streamlit as st

from gmm_core import em
from gmm_core.animation import em_animation_figure, kmeans_animation_figure, restarts_figure
from gmm_core.errors import GMMInputError
from ui import boot, compute_em, controls, state
from ui.text import converged_badge, show_error

boot.through_app()

KEYS = (
    "em_model",
    "k",
    "cov",
    "em_init",
    "em_seed",
    "em_iter",
    "em_step",
    "em_restarts",
    "view",
)
#: Option values are what links carry, so they stay short and plain (no format_func:
#: a bound radio puts the formatted label in the URL, and links carry raw values).
MODELS = ("gmm", "kmeans")
MODEL_CAPTIONS = ("Gaussian mixture, fitted by EM", "k-means, Lloyd's algorithm")
#: Each algorithm's playable chart; both builders take the same arguments.
ANIMATIONS = {"gmm": em_animation_figure, "kmeans": kmeans_animation_figure}
INITS = {
    "gmm": (em.GMM_INIT_METHODS, "random_from_data"),
    "kmeans": (em.KMEANS_INIT_METHODS, "random"),
}
INIT_HELP = (
    "How the first components are chosen. kmeans: from a k-means run (scikit-learn's "
    "default; EM then has little left to do). k-means++: k data points spread out. "
    "random: random responsibilities, so every component starts near the centre of all "
    "the data. random_from_data (and random for k-means): k random data points."
)
#: Above this much work (rows x components x iterations x runs) the restarts show a bar.
PROGRESS_WORK = 2_000_000

st.title("EM step by step")
st.write(
    "A Gaussian mixture is fitted by expectation-maximisation (EM): guess the components, "
    "then alternate two steps until the fit stops improving. Press **Play** under the "
    "chart, or drag the slider to scrub through the iterations forwards and backwards. "
    "Choose *k-means* to compare with its hard-assignment cousin."
)

dataset, data_key = state.current_dataset_with_caption()
if dataset.n_features < 2:
    st.info(
        "This page draws points and components in a plane, so it needs data with 2 or "
        "more columns; the current data has one. Choose a built-in data set, or a file "
        "with more numeric columns, on the Data page.",
        icon=":material/info:",
    )
    state.share_link(KEYS)
    st.stop()


def _keep_valid_init(model: str) -> None:
    """A shared link may carry an initialisation the chosen model lacks."""
    options, default = INITS[model]
    if st.session_state.get("em_init", default) not in options:
        st.session_state["em_init"] = default


def _model_changed() -> None:
    """Each algorithm starts from its own default initialisation."""
    st.session_state["em_init"] = INITS[st.session_state["em_model"]][1]


with st.sidebar:
    model = st.radio(
        "Algorithm",
        MODELS,
        captions=MODEL_CAPTIONS,
        key="em_model",
        on_change=_model_changed,
        **state.BOUND,
    )
    k = controls.components_slider(state.max_components(dataset, 30), 4)
    cov = controls.covariance_select() if model == "gmm" else "full"
    options, default_init = INITS[model]
    _keep_valid_init(model)
    init = st.selectbox(
        "Initialisation",
        options,
        key="em_init",
        help=INIT_HELP,
        **state.default_value("em_init", index=options.index(default_init)),
        **state.BOUND,
    )
    seed = st.number_input("Seed", 0, 10_000, 0, key="em_seed", **state.BOUND)
    max_iter = st.slider("Max iterations", 1, 300, 100, key="em_iter", **state.BOUND)
    step = st.number_input(
        "Iteration shown first",
        0,
        300,
        0,
        key="em_step",
        help="The frame a link opens on. The slider under the chart moves freely without "
        "reloading anything.",
        **state.BOUND,
    )

plane = state.plane_control(dataset)
center, directions, axis_names = plane
settings = compute_em.RunSettings(
    model=model,
    n_components=int(k),
    covariance_type=cov,
    init=init,
    seed=int(seed),
    max_iter=int(max_iter),
)
try:
    run = compute_em.recording(data_key, dataset.X, settings)
except GMMInputError as error:
    show_error(error)
    state.share_link(KEYS)
    st.stop()
trace = run.trace
X2 = state.project(dataset, plane)

if run.n_fitted < dataset.n_samples:
    st.info(
        f"Recording every iteration of all {dataset.n_samples:,} rows would take too much "
        f"memory, so this page runs on a random {run.n_fitted:,} of them (the same sample "
        "on every rerun). The other pages fit all rows.",
        icon=":material/info:",
    )

metrics = st.columns(3)
metrics[0].metric("Iterations run", trace.n_iter)
if model == "gmm":
    title = f"{k} components, {cov} covariance, {init} start, seed {seed}"
    metrics[1].metric("Final log-likelihood per point", f"{trace.lower_bounds[-1]:.4f}")
else:
    title = f"k-means, {k} clusters, {init} start, seed {seed}"
    metrics[1].metric("Final inertia", f"{trace.inertia[-1]:,.2f}")
    metrics[2].metric("Inertia at the start", f"{trace.inertia[0]:,.2f}")
fig = ANIMATIONS[model](
    trace,
    X2[run.rows],
    center,
    directions,
    axis_names,
    title,
    iteration=int(step),
    total_points=dataset.n_samples,
)
converged_badge(trace.converged, trace.n_iter)
st.plotly_chart(fig, key="em_anim")

notes = []
if step > trace.n_iter:
    notes.append(
        f"The run stopped after {trace.n_iter} iterations, before iteration {step}: "
        f"the chart opens on iteration {trace.n_iter}."
    )
if len(fig.frames) < trace.n_iter + 1:
    notes.append(
        f"{len(fig.frames)} of the {trace.n_iter + 1} iterations are shown (evenly "
        "spread, first and last included) to keep the page light."
    )
for note in notes:
    st.caption(note)

if model == "gmm":
    st.caption(
        "Colour: the component most responsible for each point; paler points are shared "
        "between components. Shaded ellipses: 1 and 2 standard deviations, fainter for "
        "lighter components. Crosses: the means."
    )
    left, right = st.columns(2)
    left.markdown(
        "**E-step (expectation).** Every point asks each component how likely it is "
        "to have produced it, weighs the answers by the components' weights and scales "
        "them to sum to one. These shares are the point's *responsibilities*: its colour "
        "in the chart."
    )
    right.markdown(
        "**M-step (maximisation).** Each component refits itself to all the points, "
        "each point counting by its responsibility: its weight becomes its share of all "
        "responsibility, its mean the weighted average, its covariance the weighted "
        "spread. The ellipses move."
    )
    st.write(
        "Neither step can lower the log-likelihood on the right, so the curve never goes "
        "down. EM stops when an iteration gains less than 0.001 per point "
        "(scikit-learn's default tolerance). Where it ends depends on where it started."
    )
else:
    st.caption("Colour: the nearest centre of each point. Crosses: the centres.")
    left, right = st.columns(2)
    left.markdown(
        "**Assignment step.** Every point joins its nearest centre, wholly: k-means "
        "has no shares, which is the hard version of the E-step."
    )
    right.markdown(
        "**Update step.** Each centre moves to the mean of its points: the M-step with "
        "equal round clusters and no weights."
    )
    st.write(
        "The inertia (summed squared distance from each point to its centre) never goes "
        "up. k-means stops when no point changes cluster, or the centres barely move."
    )

st.subheader("Random restarts")
st.write(
    "Each step can only improve on the last, so a run settles on the best answer near "
    "where it started: a *local* optimum, not necessarily the best one. Running again "
    "from other starting points (other seeds) and keeping the best run is what `n_init` "
    "does in scikit-learn."
)
restarts = st.columns([1, 2])[0].slider("Restarts", 2, 8, 4, key="em_restarts", **state.BOUND)
seeds = [int(seed) + i for i in range(restarts)]
heavy = run.n_fitted * k * max_iter * restarts > PROGRESS_WORK
bar = st.progress(0.0, text="Running the restarts") if heavy else None
finals = []
try:
    for i, s in enumerate(seeds, start=1):
        finals.append(compute_em.final_state(data_key, dataset.X, replace(settings, seed=s)))
        if bar is not None:
            bar.progress(i / restarts, text=f"Running the restarts: {i}/{restarts} (seed {s})")
except GMMInputError as error:
    show_error(error)
    state.share_link(KEYS)
    st.stop()
finally:
    if bar is not None:
        bar.empty()
traces = [f.trace for f in finals]
st.plotly_chart(
    restarts_figure(traces, X2[finals[0].rows], center, directions, axis_names),
    key="em_restarts_chart",
)
if model == "gmm":
    scores = [t.lower_bounds[-1] for t in traces]
    distinct = len({round(float(v), 3) for v in scores})
else:
    scores = [t.inertia[-1] for t in traces]
    distinct = len({round(float(v), 1) for v in scores})
if distinct == 1:
    hint = "random_from_data or random" if model == "gmm" else "random"
    st.caption(
        f"All {restarts} restarts ended at the same value: with the {init} start this "
        f"data has one clear answer. Choose the *{hint}* initialisation, other seeds or "
        "more components to watch runs end in different places."
    )
else:
    st.caption(
        f"The restarts ended at {distinct} different values: each run stopped on its own "
        "hill. Colours are arbitrary per panel; compare the shapes."
    )
if model == "gmm" and init == "random":
    st.caption(
        "With the *random* start every component begins almost on top of the others, "
        "near the centre of all the data; EM can then crawl so slowly that it stops "
        "after a few iterations, far from a good fit."
    )

state.share_link(KEYS)
