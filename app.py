"""GMM Explorer: entry point. Page config, navigation and the home page; nothing else."""

import streamlit as st

from ui.process import configure_malloc
from ui.state import adopt_url_data

configure_malloc()  # once per process: see ui/process.py

PAGES = [
    # (file, title, icon, one line for the home page)
    (
        "pages/data.py",
        "Data",
        ":material/dataset:",
        "choose blobs, stretched blobs, moons or your own CSV/TSV file; every page uses it",
    ),
    (
        "pages/kmeans.py",
        "k-means and its limits",
        ":material/radio_button_unchecked:",
        "k-means draws a circle round each cluster; stretch the data and the circles fail",
    ),
    (
        "pages/mixture.py",
        "Gaussian mixture",
        ":material/blur_on:",
        "ellipses at 1, 2 and 3 sigma, uncertainty-sized points, probabilities, k-means vs GMM",
    ),
    (
        "pages/covariance.py",
        "Covariance types",
        ":material/grid_view:",
        "full, tied, diag and spherical side by side, with their parameter counts",
    ),
    (
        "pages/density.py",
        "Density and new samples",
        ":material/landscape:",
        "many components as a density estimate; draw new points and download them",
    ),
    (
        "pages/components.py",
        "How many components?",
        ":material/query_stats:",
        "AIC, BIC and held-out likelihood against the number of components",
    ),
    (
        "pages/digits.py",
        "Generating digits",
        ":material/draw:",
        "PCA + mixture on handwritten digits, then brand-new digits from the model",
    ),
    (
        "pages/em.py",
        "EM step by step",
        ":material/slow_motion_video:",
        "scrub and play every EM iteration with the likelihood curve beside it",
    ),
    (
        "pages/bayesian.py",
        "Bayesian mixture",
        ":material/tune:",
        "a variational mixture switches off the components it does not need",
    ),
]


def home() -> None:
    st.title("GMM Explorer")
    st.markdown(
        "Gaussian mixture models, live. Each page turns one step of the chapter "
        "*In Depth: Gaussian Mixture Models* (Python Data Science Handbook) into something "
        "you can move, and then goes further. Nothing to install for a lesson: pick a page "
        "in the sidebar, change a control, and watch the figure answer."
    )
    st.subheader("The pages")
    for file, title, icon, line in PAGES:
        st.page_link(file, label=f"**{title}**: {line}", icon=icon)
    st.subheader("How to start")
    st.markdown(
        "1. Open **Data** and keep the chapter's blobs, or load your own file.\n"
        "2. Follow the pages in order for the lesson: k-means, then the mixture, its "
        "covariance types, density, model choice and the digits.\n"
        "3. Every control lives in the address bar: the sidebar's *Copy link to this view* "
        "gives a link that reopens exactly what you see, for slides or homework."
    )
    st.caption(
        "Results are computed live with today's scikit-learn. Where they differ from the "
        "book (they do, for the digits' AIC minimum), the page says so."
    )


st.set_page_config(page_title="GMM Explorer", page_icon=":material/blur_on:", layout="wide")
navigation = st.navigation(
    [st.Page(home, title="Home", icon=":material/home:", default=True)]
    + [st.Page(file, title=title, icon=icon) for file, title, icon, _ in PAGES]
)
adopt_url_data()  # a shared link may carry data settings to any page
navigation.run()
