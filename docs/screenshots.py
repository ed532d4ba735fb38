"""README's screenshots, taken as a visitor sees the app: ``python docs/screenshots.py`` (a minute or two).

A fresh ``streamlit run app.py`` on a free port (no file watcher, so no "File change / Rerun" banner),
headless Chromium at 1400×1000, one new page per shot. The Training Lab is trained first (Run) and shot
at its charts. The slide-theme figure and the sweep GIF come from the command line (README, "From the
command line" and "Live sweeps").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM_ARGS, AppServer  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

VIEWPORT = {"width": 1400, "height": 1000}
PLOT = ".js-plotly-plot .main-svg"
SHOTS = {
    "overview.png": ("/", 0),
    "explorer.png": ("/explorer?fn=relu,leaky_relu,elu&leaky_relu.alpha=0.2", 0),
    "softmax.png": ("/softmax", 0),
    "gradient-flow.png": ("/gradient-flow?preset=he_vs_xavier", 330),
    "custom.png": ("/explorer?fn=custom,relu,gelu&formula=x*sigmoid(beta*x)&custom.beta=1.5", 0),
    "chinese.png": ("/explorer?lang=zh&fn=sigmoid,relu", 0),
}
CLI = (
    ["--fn", "relu", "--fn", "leaky_relu:alpha=0.2", "--fn", "elu", "--compare", "--kind", "both", "--theme", "slide"],
    ["--fn", "elu", "--sweep", "alpha=0:2:21", "--format", "gif", "--size", "960x540"],
)


def scroll(page, y: int) -> None:
    page.evaluate(f"() => document.querySelector('[data-testid=stMain]').scrollTo(0, {y})")
    page.mouse.move(5, 995)  # away from the charts: no hover label or toolbar in the picture
    page.wait_for_timeout(600)


def training(page, url: str, out: Path) -> None:
    """The dying-ReLU preset trained to the end, shot at its loss and decision-boundary charts."""
    page.goto(url + "/training?preset=dying_relu")
    page.wait_for_selector(PLOT, timeout=120_000)
    page.get_by_role("button", name="Run").click()
    page.get_by_text("of hidden units dead").first.wait_for(timeout=180_000)  # the runs' summaries: done
    page.wait_for_timeout(2_000)
    scroll(page, 520)
    page.screenshot(path=str(out / "training.png"))


def main() -> None:
    out = ROOT / "docs"
    server = AppServer()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=list(CHROMIUM_ARGS))
            for name, (path, y) in SHOTS.items():
                page = browser.new_page(viewport=VIEWPORT)
                page.goto(server.url + path)
                page.wait_for_selector(PLOT, timeout=120_000)
                page.wait_for_timeout(2_500)  # fonts and MathJax settle
                scroll(page, y)
                page.screenshot(path=str(out / name))
                page.close()
                print(out / name)
            page = browser.new_page(viewport=VIEWPORT)
            training(page, server.url, out)
            print(out / "training.png")
            browser.close()
    finally:
        server.stop()
    for flags in CLI:
        subprocess.run([sys.executable, "-m", "activations.export", *flags, "--out", str(out)], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
