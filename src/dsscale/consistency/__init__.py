"""Consistency: histories, sequential models and a linearizability checker.

Write a history as :class:`Operation` records (who, what, when called, what
came back, when), pick a model (:class:`RegisterModel`, :class:`CASRegisterModel`,
:class:`KVModel` or your own with ``init``/``step``), and ask
:func:`check_linearizable`. :func:`shrink_history` cuts an illegal history down
to a few operations and :func:`plot_history` draws it.
"""

from dsscale.consistency.checker import CheckResult, check_linearizable
from dsscale.consistency.histories import (
    random_kv_history,
    random_register_history,
    register_as_key,
)
from dsscale.consistency.history import UNKNOWN, Operation
from dsscale.consistency.models import CASRegisterModel, KVModel, Model, RegisterModel
from dsscale.consistency.naive import naive_check_linearizable
from dsscale.consistency.plot import describe_operation, plot_history
from dsscale.consistency.shrink import shrink_history
from dsscale.consistency.staleness import lost_writes, stale_reads

__all__ = [
    "UNKNOWN",
    "CASRegisterModel",
    "CheckResult",
    "KVModel",
    "Model",
    "Operation",
    "RegisterModel",
    "check_linearizable",
    "describe_operation",
    "lost_writes",
    "naive_check_linearizable",
    "plot_history",
    "random_kv_history",
    "random_register_history",
    "register_as_key",
    "shrink_history",
    "stale_reads",
]
