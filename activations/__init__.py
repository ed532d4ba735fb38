"""Activation Lab's numerical core: activations with exact derivatives, deep-network gradient flow,
training on toy data and mean-field theory. Pure numpy; knows nothing of Streamlit."""

from . import library as _library  # noqa: F401  (registers the built-in activations)
from .registry import FAMILIES, Activation, Param, as_float_array, by_family, get, names
from .softmax import log_softmax, softmax, softmax_jacobian

__all__ = [
    "FAMILIES",
    "Activation",
    "Param",
    "as_float_array",
    "by_family",
    "get",
    "log_softmax",
    "names",
    "softmax",
    "softmax_jacobian",
]
