"""The view's state: which data every page uses, how it is drawn, and shareable links.

Widgets are bound to the URL (``bind="query-params"``) and kept for the whole session
(``persist_state="session"``), so the address bar carries the current page's controls
and page switches keep them. The data controls live on the Data page; other pages read
their values from session state, or from the URL when a shared link is opened there.
"""

import contextlib
from urllib.parse import urlencode

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitAPIException

from gmm_core import limits
from gmm_core.data import SOURCES, Dataset, DataSpec, dataset_from_array
from gmm_core.errors import GMMInputError
from gmm_core.geometry import drawing_plane, project_gaussians

from . import compute
from .text import md_escape, show_error, show_notes

#: DataSpec field -> URL/session key. Short keys make short links.
DATA_KEYS = {
    "source": "data",
    "n_samples": "n",
    "centers": "centers",
    "std": "std",
    "noise": "noise",
    "seed": "dseed",
}
UPLOAD = "upload"
#: Bounds of every data control; URL values outside them are ignored.
BOUNDS = {
    "n_samples": (20, 5000),
    "centers": (1, 10),
    "std": (0.05, 3.0),
    "noise": (0.0, 0.5),
    "seed": (0, 10_000),
}
#: What the source control shows (and writes to the URL) -> the source it means.
SOURCE_OPTIONS = {
    "blobs": "blobs",
    "stretched blobs": "stretched",
    "moons": "moons",
    "your file": UPLOAD,
}
BOUND = dict(bind="query-params", persist_state="session")


def _coerce(field: str, raw: str):
    """A URL value for ``field`` in its type and range, or None if it is not valid."""
    if field == "source":
        return raw if raw in SOURCE_OPTIONS else None
    kind = int if field in ("n_samples", "centers", "seed") else float
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        return None
    lo, hi = BOUNDS[field]
    return value if lo <= value <= hi else None


def use_chapter_data(source: str = "moons") -> None:
    """Switch every page to the chapter's data for ``source`` (a button callback)."""
    chapter = DataSpec.chapter(source)
    label = next(option for option, name in SOURCE_OPTIONS.items() if name == source)
    for field, key in DATA_KEYS.items():
        st.session_state[key] = label if field == "source" else getattr(chapter, field)
        # A shared link's data settings would otherwise win again on the next run
        # (a key bound to a widget on this page cannot be removed, nor needs to be).
        with contextlib.suppress(StreamlitAPIException):
            st.query_params.pop(key, None)


def default_value(key: str, **default) -> dict:
    """The widget's default (``value=`` or ``index=``) unless session state holds ``key``.

    Passing a default to a widget whose key was set through session state makes
    Streamlit warn; set one or the other.
    """
    return {} if key in st.session_state else default


def adopt_url_data() -> None:
    """Copy data settings from a shared link into session state (off the Data page).

    On the Data page the bound widgets read the URL themselves; elsewhere the same keys
    arrive as plain query parameters. Invalid values are ignored with a warning.
    """
    ignored = []
    for field, key in DATA_KEYS.items():
        raw = st.query_params.get(key)
        if raw is None:
            continue
        value = _coerce(field, raw)
        if value is None:
            ignored.append(key)
        elif st.session_state.get(key) != value:
            st.session_state[key] = value
    if ignored:
        st.warning(
            "Ignored link settings that were out of range or invalid: "
            + ", ".join(sorted(ignored))
            + ". The defaults are used instead."
        )


def data_spec() -> DataSpec:
    """The synthetic data chosen on the Data page (chapter defaults where unset)."""
    source = current_source()
    base = DataSpec.chapter(source if source in SOURCES else "blobs")
    values = {
        field: st.session_state.get(key, getattr(base, field))
        for field, key in DATA_KEYS.items()
        if field != "source"
    }
    return DataSpec(source=base.source, **values)


def current_source() -> str:
    """The chosen source as a core name: blobs, stretched, moons or upload."""
    return SOURCE_OPTIONS.get(st.session_state.get(DATA_KEYS["source"], "blobs"), "blobs")


def current_dataset() -> tuple[Dataset, str]:
    """The dataset every exploring page uses, and its cache key.

    Stops the page with a message (not a traceback) when there is nothing to use.
    """
    if current_source() == UPLOAD:
        upload = st.session_state.get("upload_dataset")
        if upload is None:
            st.warning(
                "The Data page is set to use your own file, but none is loaded in this "
                "session. Upload one on the Data page, or pick a built-in data set there."
            )
            st.page_link("pages/data.py", label="Go to the Data page", icon=":material/dataset:")
            st.stop()
        return upload
    spec = data_spec().normalised()
    try:
        return compute.synthetic(spec), repr(spec)
    except GMMInputError as error:
        show_error(error)
        st.stop()


def store_upload(X: np.ndarray, names: tuple[str, ...], label: str, key: str, notes=()) -> Dataset:
    """Keep a cleaned upload for this session only (never in a shared cache)."""
    notes = list(notes)
    if X.shape[0] > limits.MAX_ROWS_FIT:
        rng = np.random.default_rng(0)
        keep = np.sort(rng.choice(X.shape[0], limits.MAX_ROWS_FIT, replace=False))
        notes.append(
            f"Fitted on a random {limits.MAX_ROWS_FIT:,} of {X.shape[0]:,} rows "
            "(server limit); the sample is the same on every rerun."
        )
        X = X[keep]
        key += f":sample{limits.MAX_ROWS_FIT}"
    dataset = dataset_from_array(X, names, label, tuple(notes))
    st.session_state["upload_dataset"] = (dataset, key)
    return dataset


def max_components(dataset: Dataset, wanted: int) -> int:
    """Cap for component controls: never more than the points the data has."""
    return max(1, min(wanted, dataset.n_samples, limits.MAX_COMPONENTS))


def plane_control(dataset: Dataset, key: str = "view"):
    """Choose how to draw d-dimensional data; returns (center, directions, axis names).

    Two columns of the data, or its first two principal components. Nothing to choose
    for 2-D data; None for 1-D data, which has no plane (pages draw it as a histogram).
    """
    names = dataset.feature_names
    if dataset.n_features == 1:
        return None
    if dataset.n_features == 2:
        return drawing_plane(dataset.X, names, None)
    # The shown text is what a bound widget writes to the URL, so it is the option itself.
    pairs = {"first two principal components": None}
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            pairs.setdefault(f"{names[i]} vs {names[j]}", (i, j))
            if len(pairs) >= 200:  # a list of thousands of pairs helps nobody
                break
    if st.session_state.get(key) not in pairs:
        st.session_state.pop(key, None)  # a choice made for other columns
    choice = st.selectbox("Draw on", list(pairs), key=key, **BOUND)
    return drawing_plane(dataset.X, names, pairs[choice])


def project(dataset: Dataset, plane, means=None, covariances=None):
    """Points (and optionally components) in the drawing plane."""
    center, directions, _ = plane
    X2 = (dataset.X - center) @ directions
    if means is None:
        return X2
    m2, c2 = project_gaussians(means, covariances, center, directions)
    return X2, m2, c2


def share_link(page_keys: tuple[str, ...] = ()) -> None:
    """A 'copy link to this view' box: data settings plus this page's controls."""
    params = {}
    if current_source() != UPLOAD:
        spec, default = data_spec(), DataSpec.chapter(current_source())
        params[DATA_KEYS["source"]] = st.session_state.get(DATA_KEYS["source"], "blobs")
        for field, key in DATA_KEYS.items():
            if field != "source" and getattr(spec, field) != getattr(default, field):
                params[key] = getattr(spec, field)
    for key in page_keys:
        if key in st.session_state:
            value = st.session_state[key]
            params[key] = str(value).lower() if isinstance(value, bool) else value
    base = (st.context.url or "").split("?")[0]
    link = base + ("?" + urlencode(params) if params else "")
    with st.sidebar:
        st.caption("Copy link to this view")
        st.code(link, language=None, wrap_lines=True)
        if current_source() == UPLOAD:
            st.caption("Uploaded files stay in your session: the link carries the settings only.")


def dataset_notes(dataset: Dataset) -> None:
    if dataset.notes:
        show_notes(dataset.notes)


def current_dataset_with_caption() -> tuple[Dataset, str]:
    """:func:`current_dataset`, introduced on the page: its notes, then a caption that
    names it and says where to change it (the data controls live on the Data page)."""
    dataset, data_key = current_dataset()
    dataset_notes(dataset)
    st.caption(f"Data: {md_escape(dataset.name)} (choose other data on the Data page).")
    return dataset, data_key


__all__ = [
    "BOUND",
    "BOUNDS",
    "DATA_KEYS",
    "SOURCE_OPTIONS",
    "UPLOAD",
    "adopt_url_data",
    "current_dataset",
    "current_dataset_with_caption",
    "current_source",
    "data_spec",
    "default_value",
    "max_components",
    "plane_control",
    "project",
    "share_link",
    "store_upload",
    "use_chapter_data",
]
