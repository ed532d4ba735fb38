"""Figure builders: results in, Plotly figures out. No Streamlit here; pages only show what these build."""
