"""Generating digits: PCA + a Gaussian mixture on handwritten digits, then new digits."""

import sklearn
import streamlit as st

from gmm_core.digits import PAPER_COMPONENTS, SWEEP_COUNTS, generate_digits, nearest_real
from gmm_core.errors import GMMInputError
from gmm_core.figures import criteria_figure, digits_figure
from gmm_core.lessons import digits_grid_image, png_bytes
from gmm_core.models import ModelSpec
from ui import boot, compute, state
from ui.text import converged_badge, show_error

boot.through_app()

AUTO = "auto"
VARIANCES = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999)
PAGE_KEYS = ("dig_var", "dig_k", "dig_seed")
N_NEW = 100


def _use_paper_count() -> None:
    st.session_state["dig_k"] = PAPER_COMPONENTS


def _resample() -> None:
    st.session_state["dig_seed"] = int(st.session_state.get("dig_seed", 0)) + 1


st.title("Generating digits")
st.write(
    "A mixture model is a density: once fitted, it can *draw* new points. Here the points "
    "are 8x8 images of handwritten digits. Sixty-four pixels are too many dimensions for "
    "a full-covariance mixture on 1,797 images, so PCA first squeezes them into fewer "
    "coordinates; the mixture is fitted there, and its samples are turned back into images."
)

images, _ = compute.digit_images()
st.subheader("1. The data: the first 100 of 1,797 digits")
st.plotly_chart(digits_figure({"first 100 real digits": images[:100]}), key="dig_real")

st.subheader("2. Fewer dimensions with PCA")
variance = st.select_slider(
    "Share of the pixel variance to keep",
    VARIANCES,
    0.99,
    key="dig_var",
    **state.BOUND,
    help="Whitened PCA keeps the fewest directions that explain this share of the variance.",
)
try:
    pca = compute.digits_pca(variance)
except GMMInputError as error:
    show_error(error)
    st.stop()
metrics = st.columns(3)
metrics[0].metric("Dimensions kept", pca.n_dims, delta=pca.n_dims - 64, delta_color="off")
metrics[1].metric("Variance kept", f"{pca.explained_fraction:.1%}")
metrics[2].metric("Images", f"{len(images):,}")

st.subheader("3. How many components? AIC over 50 to 200")
data_key = f"digits-pca:{variance}"
report, clear = compute.progress_reporter(
    f"AIC sweep: {len(SWEEP_COUNTS)} full-covariance mixtures in {pca.n_dims} dimensions"
)
try:
    sweep = compute.sweep(data_key, pca.reduced, SWEEP_COUNTS, ("full",), 0, report)
except GMMInputError as error:
    clear()
    show_error(error)
    st.stop()
clear()
best = sweep.minima["full"]["aic"]
st.plotly_chart(
    criteria_figure(
        sweep.table, criteria=("aic",), title=f"AIC of full-covariance mixtures, {pca.n_dims}-D"
    ),
    key="dig_aic",
)
if variance == 0.99:
    comparison = (
        "the book found 110 with an older version"
        if best != PAPER_COMPONENTS
        else "the same count the book found"
    )
    st.markdown(
        f"Today's scikit-learn ({sklearn.__version__}) puts the AIC minimum at "
        f"**{best} components**; {comparison}. The book's `GMM` class no longer exists, "
        "and today's `GaussianMixture` fits differently enough to move the minimum."
    )
else:
    st.markdown(
        f"At this PCA setting the AIC minimum is at **{best} components** (scikit-learn "
        f"{sklearn.__version__}); the book used 0.99, where it found 110."
    )

if best in (SWEEP_COUNTS[0], SWEEP_COUNTS[-1]):
    st.caption(
        f"The minimum sits at the edge of the {SWEEP_COUNTS[0]}-{SWEEP_COUNTS[-1]} range: "
        "the best count for this setting may lie outside it."
    )

st.subheader("4. Fit the mixture")
choice = st.selectbox(
    f"Components (auto = the AIC minimum, {best})",
    [AUTO, *SWEEP_COUNTS],
    format_func=str,
    key="dig_k",
    **state.BOUND,
)
st.button(
    f"Use the chapter's {PAPER_COMPONENTS}",
    key="dig_paper",
    on_click=_use_paper_count,
    disabled=choice == PAPER_COMPONENTS,
)
k = best if choice == AUTO else int(choice)
spec = ModelSpec(n_components=k, covariance_type="full", seed=0)
try:
    mixture = compute.gmm(data_key, pca.reduced, spec)
except GMMInputError as error:
    show_error(error)
    st.stop()
st.markdown(f"**{k} components**, full covariance, in {pca.n_dims} PCA dimensions.")
converged_badge(mixture.converged, mixture.n_iter)

st.subheader(f"5. {N_NEW} new digits")
controls_row = st.columns([1, 1, 3])
seed = controls_row[0].number_input(
    "Sample seed",
    0,
    1_000_000,
    step=1,
    key="dig_seed",
    **({} if "dig_seed" in st.session_state else {"value": 0}),  # Resample sets it
    **state.BOUND,
)
controls_row[1].button("Resample", key="dig_resample", on_click=_resample, icon=":material/casino:")
try:
    new = generate_digits(pca, mixture, N_NEW, int(seed))
except GMMInputError as error:
    show_error(error)
    st.stop()
nearest, distance = nearest_real(new, images)
st.plotly_chart(
    digits_figure({"new digits": new, "nearest real digit": images[nearest]}),
    key="dig_new",
)
typical = compute.typical_digit_distance()
copies = int((distance < 1e-6).sum())
st.markdown(
    f"Mean distance from a new digit to the closest of the {len(images):,} real ones: "
    f"**{distance.mean():.1f}** (grey levels over 64 pixels). A real digit is on average "
    f"**{typical:.1f}** from its closest *other* real digit. "
    + (
        "None of the new digits is a copy of a real one."
        if copies == 0
        else f"{copies} of them coincide with a real digit."
    )
)
if distance.mean() < typical:
    st.caption(
        f"The new digits sit closer to the training images than real digits sit to each "
        f"other: with {k} components for {len(images):,} images (about "
        f"{len(images) / k:.0f} per component) the model partly memorises them. Fewer "
        "components give more novel, and messier, digits."
    )
st.caption(
    "Each new digit is drawn from one Gaussian of the mixture in PCA space and mapped back "
    "to pixels (grey levels clipped to 0..16). Some come out smudged: the model knows "
    "the density of the pixels, not what a digit is."
)
st.download_button(
    "Download the new digits (PNG)",
    png_bytes(digits_grid_image(new, 10, scale=4)),
    file_name=f"new_digits_k{k}_seed{int(seed)}.png",
    mime="image/png",
    on_click="ignore",
    key="dig_png",
)
state.share_link(PAGE_KEYS)
