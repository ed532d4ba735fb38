"""The Training Lab's run loop and results panel: train live with a progress bar, keep the latest
snapshots in the session (so Stop can show them), and show finished runs with their captions."""

from __future__ import annotations

import dataclasses
import math
import time

import streamlit as st

from activations.figures.training import CHART_ORDER, run_label, run_stem, run_summary, training_figures
from activations.training import TrainConfig, TrainResult, iter_training
from activations.urlstate import Warnings
from ui.common import language, tr
from ui.export_panel import show_chart

FRAMES = 25  # live redraws per run, about
MIN_FRAME_SECONDS = 0.6  # the browser redraws four or five charts per frame: give it time
RESULTS_KEY = "tl_results"


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def cached_figures(key: tuple, lang: str, _results: tuple[TrainResult, ...]) -> dict:
    """The figures of finished runs (``key`` names the runs; the results themselves are not hashed)."""
    return training_figures(list(_results), lang)


def train_configs(
    settings: dict, second: tuple[str, dict] | None, max_cost: float, second_change: dict | None = None
) -> tuple[list[TrainConfig], bool, Warnings]:
    """The runs the controls ask for (``settings``: TrainConfig's fields; ``second``: the compare run's
    activation and parameters), whether they are too large to train here, and what to tell the visitor.
    A batch larger than the data trains on the full set; record_every is at most the step count.
    ``second_change``: what else the compare run changes (a preset's architecture or init)."""
    _ = tr()
    warnings = Warnings()
    if settings["batch_size"] > settings["n_samples"]:
        warnings.add(
            _("A batch of {batch} is more than the {n} training examples: training on the full set.").format(
                batch=settings["batch_size"], n=settings["n_samples"]
            )
        )
    settings = settings | {
        "batch_size": min(settings["batch_size"], settings["n_samples"]),
        "record_every": min(settings["record_every"], settings["steps"]),
    }
    configs: list[TrainConfig] = []
    try:
        if settings["activation"] is None:
            raise ValueError(_("the formula was refused; fix it or choose another activation"))
        configs.append(TrainConfig(**settings))
        if second is not None:
            change = {"activation": second[0], "params": second[1], **(second_change or {})}
            configs.append(dataclasses.replace(configs[0], **change))
    except ValueError as err:
        warnings.add(_("This configuration cannot be trained: {error}").format(error=err))
    cost = sum(c.cost() for c in configs)
    too_big = cost > max_cost
    if too_big:
        warnings.add(
            _(
                "This run is too large for a shared server (about {ops:.1g} multiply-adds): use fewer steps, "
                "training examples, layers or units."
            ).format(ops=cost)
        )
    return configs, too_big, warnings


def progress_text(results: list[TrainResult | None], configs: list[TrainConfig]) -> tuple[float, str]:
    _ = tr()
    done = [int(r.steps[-1]) if r is not None and len(r.steps) else 0 for r in results]
    fraction = min(d / c.steps for d, c in zip(done, configs, strict=True))
    return fraction, _("Step {step} of {steps}").format(step=min(done), steps=max(c.steps for c in configs))


def live_run(configs: list[TrainConfig], run_key: tuple, bar) -> None:
    """Train the runs in step (one record of each in turn), redrawing about FRAMES times; the latest
    snapshots are kept in the session so that Stop (which interrupts this script) can show them."""
    slots = {name: st.empty() for name in CHART_ORDER}
    runs = [iter_training(c) for c in configs]
    latest: list[TrainResult | None] = [None] * len(runs)
    finished = [False] * len(runs)
    every = max(1, math.ceil(max(c.n_records for c in configs) / FRAMES))
    lang, frame, records, last_draw = language(), 0, 0, 0.0
    while not all(finished):
        for i, run in enumerate(runs):
            if finished[i]:
                continue
            snapshot = next(run, None)
            if snapshot is None:
                finished[i] = True
            else:
                latest[i] = snapshot
                finished[i] = snapshot.diverged
        records += 1
        st.session_state[RESULTS_KEY] = {"key": run_key, "runs": list(latest), "complete": all(finished)}
        # The last frame is left to the rerun that follows (it draws the finished runs with their downloads).
        if not all(finished) and records % every == 0 and time.perf_counter() - last_draw >= MIN_FRAME_SECONDS:
            frame += 1
            fraction, text = progress_text(latest, configs)
            bar.progress(fraction, text=text)
            figures = training_figures([r for r in latest if r is not None], lang, resolution=50)
            for name in CHART_ORDER:
                if name in figures:
                    slots[name].plotly_chart(figures[name], key=f"tl_live_{name}_{frame}", width="stretch", theme=None)
            last_draw = time.perf_counter()


def initial_state(configs: list[TrainConfig]) -> list[TrainResult]:
    """Each network before its first step (one full-set record): what the plots show before Run."""
    return [next(iter_training(c)) for c in configs]


def stored_results(run_key: tuple, configs: list[TrainConfig], bar) -> list[TrainResult] | None:
    """The runs kept in the session for exactly this configuration (a stopped run marked as such), with
    the progress bar set; None when there are none."""
    _ = tr()
    stored = st.session_state.get(RESULTS_KEY)
    if stored is None or stored["key"] != run_key or not configs:
        return None
    complete = stored.get("complete", False)
    if complete:
        bar.progress(1.0, text=_("Done: {steps} steps.").format(steps=max(c.steps for c in configs)))
    else:
        bar.progress(*progress_text(stored["runs"], configs))
    results = [r for r in stored["runs"] if r is not None]
    if not complete:  # a Stop (or any other click) interrupted the run
        results = [r if r.finished or r.diverged else dataclasses.replace(r, stopped=True) for r in results]
    return results


def show_results(results: list[TrainResult], run_key: tuple, configs: list[TrainConfig], summary: bool = True) -> None:
    _ = tr()
    lang = language()
    for r in results:
        if r.diverged:
            message = _(
                "{label} diverged at step {step}: the loss or the weights stopped being finite. "
                "Try a smaller learning rate."
            )
            st.warning(message.format(label=run_label(r), step=r.diverged_at), icon="⚠️")
        elif r.stopped:
            st.info(_("{label}: stopped at step {step}.").format(label=run_label(r), step=int(r.steps[-1])))
    if summary:
        st.markdown("\n".join(f"- {run_summary(r, lang)}" for r in results if len(r.steps)))
    tag = tuple((int(r.steps[-1]) if len(r.steps) else 0, r.stopped, r.diverged) for r in results)
    figures = cached_figures((run_key, tag), lang, tuple(results))
    stem = run_stem(configs)
    captions = {
        "dead": _(
            "A unit is dead when f′(z) = 0 for every training example: no gradient reaches its weights. "
            "Derivatives at kinks follow PyTorch (ReLU′(0) = 0), so only a unit that is off for every "
            "example counts."
        ),
        "gradients": _(
            "‖∂L/∂W_l‖ of the mean loss over the full training set. Blank cells: exactly zero (a dead layer)."
        ),
        "alpha": _("One α per hidden layer, shared by its units (like torch.nn.PReLU()), trained with the weights."),
    }
    for name in CHART_ORDER:
        if name in figures:
            show_chart(figures[name], f"{stem}_{name}", key=f"tl_{name}")
            if name in captions:
                st.caption(captions[name])
    if "alpha" not in figures:
        st.caption(_("Choose PReLU to see its learned slope α per layer over the steps."))
    if summary and results:
        scrub_panel(results[0], run_key)


def pytorch_panel(configs: list[TrainConfig]) -> None:
    """Copy as PyTorch: each run as a standalone script (numpy and torch only) that trains the same network
    on the same data with the same random numbers and prints the same loss, accuracy and dead units."""
    from activations import codegen

    _ = tr()
    if not st.toggle(_("Copy as PyTorch"), key="tl_pytorch"):  # scripts sent only when asked for
        return
    with st.container(border=True):
        st.caption(
            _(
                "A standalone script (numpy and torch only) that trains this network on the same data with the "
                "same random numbers as the app, in float64, and prints the loss, accuracy and dead units of the "
                "last step as its last line (JSON)."
            )
        )
        for cfg in configs:
            try:
                st.code(codegen.training_script(cfg), language="python")
            except ValueError as err:
                st.warning(_("No script for this run: {error}").format(error=err), icon="⚠️")


@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def _cached_scrub(key: tuple, lang: str, _cfg: TrainConfig, _steps: tuple[int, ...]) -> dict:
    """The run's charts at recorded steps, for the browser to play (the run is retrained, same numbers)."""
    from activations import sweeps
    from activations.figures.sweeps import training_sweep_figures
    from activations.training import load_data

    sweep = sweeps.training_sweep(_steps)
    bar = st.progress(0.0, text=tr()("Computing every frame…"))
    snapshots = sweeps.training_snapshots(_cfg, sweep.values, progress=lambda f: bar.progress(min(max(f, 0.0), 1.0)))
    bar.empty()
    x, y, _x_test, _y_test = load_data(_cfg)
    return training_sweep_figures(snapshots, x, y, sweep, lang=lang)


def scrub_panel(result: TrainResult, run_key: tuple) -> None:
    """After a finished run on 2-D data: its charts at the recorded steps, played in the browser."""
    from ui.export_panel import show_sweep_chart

    _ = tr()
    if not result.finished or result.diverged or result.config.n_features != 2 or len(result.steps) < 2:
        return
    if not st.toggle(_("Scrub through the recorded steps (an in-figure slider and ▶ Play)"), key="tl_scrub"):
        return
    figures = _cached_scrub(run_key, language(), result.config, tuple(int(s) for s in result.steps))
    stem = run_stem([result.config])
    for name, fig in figures.items():
        show_sweep_chart(fig, f"{stem}_{name}_steps", key=f"tl_scrub_{name}", symbol=_("the training step"))
