"""Showing text that may come from users without letting it become markup."""

import re

import streamlit as st

from gmm_core.errors import GMMInputError

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~=$:])")


def md_escape(text: object) -> str:
    """Backslash-escape markdown and HTML so ``st.markdown`` shows ``text`` literally."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def show_error(error: GMMInputError | str) -> None:
    """A user-facing error box; the message is shown as plain text."""
    st.error(md_escape(error), icon=":material/error:")


def show_notes(notes) -> None:
    """Information the user should know (caps applied, rows dropped), as plain text."""
    for note in notes:
        st.info(md_escape(note), icon=":material/info:")


def converged_badge(converged: bool, n_iter: int) -> None:
    """A visible convergence badge, not just a console warning."""
    if converged:
        st.badge(f"converged in {n_iter} iterations", icon=":material/check:", color="green")
    else:
        st.badge(
            f"did not converge in {n_iter} iterations: raise max iterations or tol",
            icon=":material/warning:",
            color="orange",
        )
