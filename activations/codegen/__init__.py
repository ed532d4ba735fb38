r"""Copy as PyTorch: a network on screen as a short standalone script that prints the app's numbers.

    script = gradient_flow_script("tanh", depth=12, init="xavier_normal")   # simulate's arguments
    script = training_script(TrainConfig(...))                               # a Training Lab run

The script imports only numpy and torch. It draws every random number with numpy exactly as the app
does (the same seeds, streams, order and dtype: :func:`activations.network._rng`, ``init_weight``,
``make_dataset``, ``minibatches``), runs the network in torch with autograd, and its last printed line
is one JSON object: ``{"grad_z_norm": [...], "grad_norm": [...]}`` (layer 1 first, the fields of
``network.Stats``) or ``{"loss": ..., "accuracy": ..., "dead_fraction": [...]}`` (the Training Lab's
last record).

Activations. A registry name becomes its ``torch.nn.functional`` call with its parameters
(:data:`TORCH_CALLS`); a typed formula becomes a small torch function **generated from its parsed
tree** (``CustomActivation.expression``, the SymPy tree :mod:`activations.custom` built from its own
checked syntax tree), never from the text: only whitelisted node types are translated, parameter names
are the checker's (``[a-z][a-z0-9_]*``, renamed when they would shadow a name the script uses), and the
result is checked token by token (:func:`check_generated`) before it is returned.

Kinks. Autograd of the generated forward must give the app's f′. It does for PyTorch's own functions
and for formulas built from smooth functions, abs, sign and relu (torch takes relu′(0) = |x|′(0) = 0,
as the app). It does not for ``maximum``/``minimum`` (torch splits a tie ½/½, the app takes the
subgradient nearest 0), ``clip`` (torch passes 1 at the bounds, the app 0) and ``where`` (torch's
autograd multiplies the unused branch's gradient by 0, which is NaN when that branch overflows); such
formulas become a ``torch.autograd.Function`` whose backward is the app's own derivative, generated
from ``CustomActivation.derivative_expression`` the same way.
"""

from .cli import parse_training, script_for_cli, write_script
from .scripts import ARCHITECTURES, DATASET_CODE, FRAMEWORKS, gradient_flow_script, training_script
from .torch_activation import (
    ALLOWED_NAMES,
    HELPERS,
    TORCH_CALLS,
    CodegenError,
    activation_code,
    check_generated,
    parameter_names,
)

__all__ = [
    "ALLOWED_NAMES",
    "ARCHITECTURES",
    "DATASET_CODE",
    "FRAMEWORKS",
    "HELPERS",
    "TORCH_CALLS",
    "CodegenError",
    "activation_code",
    "check_generated",
    "gradient_flow_script",
    "parameter_names",
    "parse_training",
    "script_for_cli",
    "training_script",
    "write_script",
]
