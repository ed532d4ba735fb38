"""Serving the app to a class: replicas behind HAProxy (``python -m deploy.serve``)."""
