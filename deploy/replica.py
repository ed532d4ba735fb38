"""``streamlit run`` with the app's first-use work done before the server accepts anyone.

    python -m deploy.replica run app.py --server.port 8601 ...   # the arguments of `streamlit run`

``ui.server.warm_up()`` runs here, in the main thread, before Streamlit starts listening: the imports
and first-use caches that a herd of first visitors would otherwise race for (or, with the lock, wait
for) are ready when the first page opens. app.py still calls ``warm_up()``, which is then a flag check.
``deploy/serve.py`` starts its replicas this way.
"""

from __future__ import annotations

import sys

from streamlit.web import cli

from ui.server import warm_up

if __name__ == "__main__":
    warm_up()
    sys.exit(cli.main(prog_name="streamlit"))
