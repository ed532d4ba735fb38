"""Streamlit-side helpers shared by the pages: language, URL state, warnings, charts.

Only this package and `pages/` import Streamlit. Numbers come from `activations`."""
