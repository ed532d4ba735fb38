"""A figure check: draw a chart with plotly.js in real Chromium, as it will be shown or exported, and
report what a lecturer would see wrong on a projector.

- text boxes that overlap (tick labels colliding, a label on a title, a legend over a note);
- text cut by the figure's edge;
- text smaller than MIN_FONT_PX at the size it is drawn (1920×1080 for an export);
- a legend entry whose trace draws nothing in its plotting area (e.g. all zeros on a log axis);
- a log axis whose minor ticks carry labels ("2 5 2 5", "9 8 7 6 …": digits that are not the tick's value).

``problems(page, spec)`` returns a list of short sentences, empty when the chart is fine. The page must
have plotly.js loaded (``open_page``): one page draws every chart in turn.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import plotly
from plotly.utils import PlotlyJSONEncoder

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
MIN_FONT_PX = 12.0  # at 1080p: smaller text is not legible from the back of a lecture hall
MIN_OVERLAP = 0.15  # of the smaller box's area: touching corners are not a collision
EDGE_TOLERANCE = 1.0  # px

# Every text element plotly.js draws, its bounding box (relative to the figure) and its kind.
MEASURE_JS = """
async ([spec, width, height]) => {
  const div = document.getElementById('chart');
  Plotly.purge(div);
  div.style.width = width + 'px'; div.style.height = height + 'px';
  spec.layout.width = width; spec.layout.height = height;
  await Plotly.newPlot(div, spec.data, spec.layout, {staticPlot: true});
  const origin = div.getBoundingClientRect();
  const kinds = [['legendtext', 'legend'], ['annotation-text', 'annotation'], ['gtitle', 'title'],
                 ['cbtitle', 'colour-bar title'], ['cbaxis', 'colour-bar tick'], ['textpoint', 'cell'],
                 ['updatemenu', 'button'], ['slider', 'slider']];
  const texts = [];
  for (const el of div.querySelectorAll('svg text')) {
    const content = el.textContent.trim();
    if (!content) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || style.opacity === '0') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    let kind = /^[xy]\\d*tick$/.test(el.parentNode.getAttribute('class') || '') ? 'tick'
             : /^[xy]\\d*title$/.test(el.getAttribute('class') || '') ? 'axis title' : 'text';
    for (const [cls, name] of kinds) {
      if (el.closest('.' + cls) || el.classList.contains(cls)) { kind = name; break; }
    }
    texts.push({text: content, kind, size: parseFloat(style.fontSize), x0: r.left - origin.left,
                y0: r.top - origin.top, x1: r.right - origin.left, y1: r.bottom - origin.top});
  }
  const axes = [];
  for (const [name, ax] of Object.entries(div._fullLayout)) {
    if (!/^[xy]axis\\d*$/.test(name) || ax.type !== 'log' || !ax._vals) continue;
    axes.push({name, ticks: ax._vals.map(v => ({value: Math.pow(10, v.x), text: v.text}))});
  }
  return {texts, axes};
}
"""


def open_page(browser):
    """A page with plotly.js loaded and one empty chart div, offline."""
    page = browser.new_page(viewport={"width": 2000, "height": 1200})
    page.set_content("<html><body style='margin:0'><div id='chart'></div></body></html>")
    page.add_script_tag(path=str(PLOTLY_JS))
    return page


def measure(page, spec: dict, width: int, height: int) -> dict:
    return page.evaluate(MEASURE_JS, [json.loads(json.dumps(spec, cls=PlotlyJSONEncoder)), width, height])


def problems(page, spec: dict, width: int, height: int, *, min_font: float = MIN_FONT_PX) -> list[str]:
    """What is wrong with ``spec`` (a figure dict) drawn at width × height px."""
    drawn = measure(page, spec, width, height)
    texts = drawn["texts"]
    found = []
    found += [f"{t['kind']} “{_short(t['text'])}” is {t['size']:.0f} px (< {min_font:g})" for t in texts
              if t["size"] < min_font - 0.01]  # fmt: skip
    found += [
        f"{t['kind']} “{_short(t['text'])}” is cut by the figure's edge" for t in texts if _outside(t, width, height)
    ]
    found += _overlaps(texts)
    found += [f"legend entry “{_short(name)}” draws nothing" for name in empty_legend_entries(spec)]
    for axis in drawn["axes"]:
        minor = [t["text"] for t in axis["ticks"] if not _label_is_value(t["text"], t["value"])]
        if minor:
            found.append(f"{axis['name']} (log) labels minor ticks: {' '.join(minor[:8])}")
    return found


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _outside(t: dict, width: int, height: int) -> bool:
    e = EDGE_TOLERANCE
    return t["x0"] < -e or t["y0"] < -e or t["x1"] > width + e or t["y1"] > height + e


def _overlaps(texts: list[dict]) -> list[str]:
    found = []
    cells = [t for t in texts if t["kind"] != "cell"]  # a heatmap's cell numbers sit on its own cells
    for i, a in enumerate(cells):
        for b in cells[i + 1 :]:
            w = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            h = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
            if w <= 0 or h <= 0:
                continue
            smaller = min((a["x1"] - a["x0"]) * (a["y1"] - a["y0"]), (b["x1"] - b["x0"]) * (b["y1"] - b["y0"]))
            if w * h > MIN_OVERLAP * smaller:
                found.append(f"{a['kind']} “{_short(a['text'])}” overlaps {b['kind']} “{_short(b['text'])}”")
    return found


SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def _label_is_value(text: str, value: float) -> bool:
    """Whether a log-axis tick label states its tick's value ("10⁻³", "0.02", "1e+4", "5μ"...), rather than
    a bare digit standing for a multiple of the decade ("2", "5" at 20 or 0.05)."""
    t = text.replace("−", "-").replace("\u2009", "").strip()
    m = re.fullmatch(r"10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)", t) or re.fullmatch(r"10<sup>(-?\d+)</sup>", t)
    if m:
        shown = 10.0 ** int(m.group(1).translate(SUPERSCRIPTS))
    else:
        m = re.fullmatch(r"(\d(?:\.\d+)?)×10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)", t)
        if m:
            shown = float(m.group(1)) * 10.0 ** int(m.group(2).translate(SUPERSCRIPTS))
        else:
            try:
                shown = float(t.replace("k", "e3").replace("M", "e6").replace("m", "e-3").replace("μ", "e-6"))
            except ValueError:
                return True  # not a number at all (a category): not a minor digit
    return math.isclose(shown, value, rel_tol=0.02)


def empty_legend_entries(spec: dict) -> list[str]:
    """Names of legend entries whose own trace has no point its axes can draw: no finite value, or none
    above zero on a log axis (another trace of its legend group, e.g. the theory line, does not count:
    the entry's symbol names the measured line)."""
    layout = spec.get("layout", {})
    return [
        trace["name"]
        for trace in spec.get("data", [])
        if trace.get("type", "scatter") in ("scatter", "scattergl", "bar")
        and trace.get("showlegend", True) is not False
        and trace.get("name")
        and not _draws_something(trace, layout)
    ]


def _draws_something(trace: dict, layout: dict) -> bool:
    y = _values(trace.get("y"))
    x = _values(trace.get("x"))
    if y is None:
        return False
    ok = np.isfinite(y)
    if x is not None and x.shape == y.shape:
        ok &= np.isfinite(x)
    yaxis = layout.get("yaxis" + str(trace.get("yaxis", "y"))[1:], {})
    if yaxis.get("type") == "log":
        ok &= y > 0
    return bool(ok.any())


def _values(value) -> np.ndarray | None:
    if value is None:
        return None
    if isinstance(value, dict) and "bdata" in value:
        import base64

        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).astype(float)
    try:
        return np.array([np.nan if v is None else v for v in value], dtype=float)
    except (TypeError, ValueError):
        return None
