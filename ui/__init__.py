"""Streamlit glue shared by the pages: state, caching, messages, sharing.

Maths lives in :mod:`gmm_core`; this package only connects widgets to it.
"""
