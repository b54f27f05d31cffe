"""Make every page run through app.py, even on the first deep link to a fresh server.

Streamlit keeps a legacy mode for apps with a ``pages/`` folder: until some run calls
``st.navigation``, it serves ``/mixture`` by executing ``pages/mixture.py`` directly,
skipping app.py (page config, navigation titles, shared-link handling). That happens
to the first visitor of a freshly started server who opens a deep link, and with
AppTest's ``switch_page``. Leaving legacy mode and rerunning sends the same page (its
hash is its URL path in both modes) through app.py. This uses Streamlit's internal
``PagesManager`` flag; tests/browser opens every page first on a fresh server to
catch a change in that behaviour.
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def through_app() -> None:
    """Call first in every page file."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
