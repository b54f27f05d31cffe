"""Pure-Python core of the GMM Explorer: data, fitting, geometry, selection, figures.

Never imports streamlit: everything here is testable and reusable without a UI.
"""
