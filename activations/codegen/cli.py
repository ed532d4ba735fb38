"""``python -m activations.export --gradient-flow SETTINGS | --training SETTINGS --as-code pytorch``."""

from __future__ import annotations

import math

import numpy as np

from .. import registry
from .scripts import _finite, gradient_flow_script, training_script
from .torch_activation import CodegenError

# --- the command line (python -m activations.export ... --as-code pytorch) --------------------------------

_TRAIN_INTS = ("n_samples", "depth", "width", "batch_size", "steps", "record_every", "seed")
_TRAIN_FLOATS = ("noise", "lr", "momentum", "sigma_w")
_TRAIN_CHOICES = ("dataset", "init", "optimizer", "architecture")
_GF_EXTRAS = ("architecture", "sigma_b", "dtype")  # simulate's arguments parse_gradient_flow does not know


def parse_training(spec: str, formula=None):
    """'preset=dying_relu,lr=0.5,steps=100' -> a TrainConfig: a preset (default: TrainConfig's defaults),
    then TrainConfig fields and the activation's parameters; ``formula`` = (activation, params) from
    ``--formula`` replaces the activation. Problems raise ValueError (one line, naming the setting)."""
    import dataclasses

    from ..export import parse_key_values
    from ..training import PRESETS, TrainConfig

    where = f"--training {spec!r}"
    values = parse_key_values(spec, "--training")
    preset = values.pop("preset", "custom")
    if preset != "custom" and preset not in PRESETS:
        raise CodegenError(f"{where}: unknown preset {preset!r}; valid: custom, {', '.join(PRESETS)}")
    base = PRESETS.get(preset, TrainConfig())
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    changes: dict = {}
    for key in [k for k in values if k in fields]:
        raw = values.pop(key)
        if key in _TRAIN_INTS or key in _TRAIN_FLOATS:
            try:
                number = float(raw)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise CodegenError(f"{where}: {key} must be a finite number, got {raw!r}")
            if key in _TRAIN_INTS and not number.is_integer():
                raise CodegenError(f"{where}: {key} must be a whole number, got {raw!r}")
            changes[key] = int(number) if key in _TRAIN_INTS else number
        elif key in _TRAIN_CHOICES or key == "activation":
            changes[key] = raw
        else:
            raise CodegenError(f"{where}: {key} cannot be set here")
    act = registry.get(base.activation)
    if formula is not None:
        changes["activation"], given = formula
    elif "activation" in changes:
        try:
            changes["activation"] = registry.get(changes["activation"].lower())
        except ValueError as err:
            raise CodegenError(f"{where}: {err}") from None
    if "activation" in changes and changes["activation"] is not act:
        act, params = changes["activation"], dict(given) if formula is not None else {}
    else:
        params = dict(base.params)
    known = {p.name for p in act.params}
    unknown = sorted(set(values) - known)
    if unknown:
        allowed = ["preset", *sorted(fields - {"params"}), *sorted(known)]
        raise CodegenError(f"{where}: unknown setting {', '.join(unknown)} (settings: {', '.join(allowed)})")
    for key, raw in values.items():
        try:
            params[key] = float(raw)
        except ValueError:
            raise CodegenError(f"{where}: {key!r} must be a number, got {raw!r}") from None
    try:
        return dataclasses.replace(base, **changes, params=params)
    except ValueError as err:
        raise CodegenError(f"{where}: {err}") from None


def script_for_cli(args) -> tuple[str, str]:
    """(script, file-name stem) for ``--as-code``: one --gradient-flow or --training, optionally one
    --formula as its activation. Bad combinations and values raise ValueError."""
    from ..export import activation_stem, gradient_flow_stem, parse_formula, parse_gradient_flow, parse_key_values

    if not args.as_code:
        raise CodegenError("--training describes a script: add --as-code pytorch")
    if len(args.gradient_flow) + len(args.training) != 1:
        raise CodegenError("--as-code writes one script: give one --gradient-flow or one --training")
    if args.fn:
        raise CodegenError("with --as-code, set the activation in the settings (activation=elu) or with --formula")
    if len(args.formula) > 1:
        raise CodegenError("--as-code takes at most one --formula")
    formula = parse_formula(args.formula[0]) if args.formula else None
    if args.training:
        cfg = parse_training(args.training[0], formula)
        stem = "_".join(
            [f"training_{activation_stem(cfg.act, cfg.params)}", cfg.dataset, cfg.optimizer, f"lr-{cfg.lr:g}"]
        )
        return training_script(cfg, args.as_code), stem
    spec = args.gradient_flow[0]
    values = parse_key_values(spec, "--gradient-flow")
    extras = {key: values.pop(key) for key in _GF_EXTRAS if key in values}
    kwargs, _figure = parse_gradient_flow(",".join(f"{k}={v}" for k, v in values.items()))
    if formula is not None:
        kwargs["activation"], kwargs["params"] = formula
    if "sigma_b" in extras:
        kwargs["sigma_b"] = _finite("sigma_b", extras["sigma_b"])
    if "dtype" in extras:
        if extras["dtype"] not in ("float32", "float64"):
            raise CodegenError(f"--gradient-flow {spec!r}: dtype must be float32 or float64, got {extras['dtype']!r}")
        kwargs["dtype"] = np.dtype(extras["dtype"])
    architecture = extras.get("architecture", "plain")
    try:
        script = gradient_flow_script(**kwargs, architecture=architecture, framework=args.as_code)
    except ValueError as err:
        raise CodegenError(f"--gradient-flow {spec!r}: {err}") from None
    stem = gradient_flow_stem(kwargs) + ("" if architecture == "plain" else f"_{architecture}")
    return script, stem


def write_script(script: str, stem: str, out: str | None, prog: str) -> int:
    """Print ``script`` (``out`` None), or write it to ``out`` (a .py file) or ``out``/stem.py; the exit
    status (1 when the file cannot be written)."""
    import sys
    from pathlib import Path

    if out is None:
        sys.stdout.write(script)
        return 0
    path = Path(out)
    if path.suffix != ".py":
        path = path / f"{stem}.py"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(script, encoding="utf-8")
    except OSError as err:
        print(f"{prog}: error: cannot write {str(path)!r}: {err.strerror}", file=sys.stderr)
        return 1
    print(path)
    return 0
