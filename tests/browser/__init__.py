"""Browser tests: a real Chromium drives a real ``streamlit run`` of the app."""
