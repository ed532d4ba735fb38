"""Streamlit-side helpers shared by the pages: language, URL state, warnings, charts.

Only this package and `app_pages/` import Streamlit. Numbers come from `activations`."""
