"""Streamlit-side helpers shared by the pages: language, URL state, warnings, charts.

Only this package, `pages/` and `app.py` import Streamlit. Numbers come from `activations`."""
