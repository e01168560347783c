"""Plain data across the sandbox boundary: what may cross, and how.

The judge and the sandboxed child exchange JSON only. Values that JSON lacks
(tuples, sets, bytes, dicts with non-string keys, numpy arrays and scalars,
numpy ``Generator`` states, fractions, the dataclasses and named tuples of the
package, such as :class:`~dsscale.consistency.Operation`, and of the trusted
checks) are written as small tagged objects
``{"$": tag, ...}`` and rebuilt as *exact* built-in or numpy types on the
other side. Nothing is ever unpickled.

Anything else stays where it lives and crosses as a reference: a student
object as ``{"$": "ref", "id": n}`` (the judge sees an opaque
:class:`~dsscale.grading.session.RemoteObject`, so an object whose ``__eq__``
is always true never reaches a comparison), a judge object (a callback, a
scripted random generator) as ``{"$": "jref", "id": n}`` that the child can
only call. Only exact types count as plain: a subclass of ``int`` or ``dict``
written by a student is an object, not data.

>>> import numpy as np
>>> wire = encode({(1, "a"): [np.int64(3), 2.5, {"x"}]}, export=repr)
>>> decode(wire, resolve=repr, trusted=False)
{(1, 'a'): [np.int64(3), 2.5, {'x'}]}
"""

from __future__ import annotations

import base64
import dataclasses
import importlib
import sys
from collections import Counter, OrderedDict
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

Export = Callable[[Any], Any]
Resolve = Callable[[dict[str, Any]], Any]

# numpy dtype kinds that travel as data: bool, ints, floats, complex, unicode
_ARRAY_KINDS = frozenset("biufcU")
# modules whose functions the judge may send by name (the child imports them)
_IMPORTABLE = ("dsscale.", "math", "numpy", "operator", "builtins")


class ProtocolError(Exception):
    """A message from the other side that is not well-formed plain data."""


# Classes of these modules cross by value (their dataclasses and named tuples):
# the package, and the trusted checks, loaded under these private names.
CHECKS_PREFIX = "_dsscale_checks_"
# the child sets this to load a checks module from the sources the judge sent
checks_loader: list[Callable[[str], Any]] = []


def _key(name: str) -> bool:
    return name == "dsscale" or name.startswith(("dsscale.", CHECKS_PREFIX))


def encode(value: Any, export: Export) -> Any:
    """``value`` as JSON-ready data; ``export`` turns a non-data object into a
    reference (and keeps the object alive on this side)."""
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if kind is list:
        return [encode(v, export) for v in value]
    if kind is dict:
        if all(type(k) is str for k in value) and "$" not in value:
            return {k: encode(v, export) for k, v in value.items()}
        return {"$": "dict", "items": _pairs(value, export)}
    if kind is tuple:
        return {"$": "tuple", "items": [encode(v, export) for v in value]}
    if kind in (set, frozenset):
        return {"$": kind.__name__, "items": [encode(v, export) for v in value]}
    if kind in (Counter, OrderedDict):
        return {"$": kind.__name__, "items": _pairs(value, export)}
    if kind is bytes:
        return {"$": "bytes", "b64": base64.b64encode(value).decode("ascii")}
    if kind is complex:
        return {"$": "complex", "re": value.real, "im": value.imag}
    if kind is Fraction:
        return {"$": "Fraction", "n": value.numerator, "d": value.denominator}
    if kind is range:
        return {"$": "range", "start": value.start, "stop": value.stop,
                "step": value.step}
    return _encode_other(value, export)


def _pairs(mapping: Any, export: Export) -> list[list[Any]]:
    return [[encode(k, export), encode(v, export)] for k, v in mapping.items()]


def _encode_other(value: Any, export: Export) -> Any:
    kind = type(value)
    if kind is np.ndarray:
        if value.dtype.kind in _ARRAY_KINDS:
            return {"$": "ndarray", "dtype": value.dtype.str,
                    "shape": list(value.shape), "data": value.ravel().tolist()}
        return {"$": "objects", "shape": list(value.shape),
                "items": [encode(v, export) for v in value.ravel().tolist()]}
    if isinstance(value, np.generic) and kind.__module__ == "numpy" \
            and value.dtype.kind in _ARRAY_KINDS:
        return {"$": "scalar", "dtype": value.dtype.str, "value": value.item()}
    if kind is np.random.Generator:
        return {"$": "Generator", "state": value.bit_generator.state}
    if isinstance(value, tuple) and hasattr(kind, "_fields") and _key(kind.__module__):
        return {"$": "namedtuple", "type": f"{kind.__module__}:{kind.__qualname__}",
                "items": [encode(v, export) for v in value]}
    if dataclasses.is_dataclass(value) and _key(kind.__module__):
        fields = {f.name: encode(getattr(value, f.name), export)
                  for f in dataclasses.fields(value) if f.init}
        return {"$": "dataclass", "type": f"{kind.__module__}:{kind.__qualname__}",
                "fields": fields}
    return export(value)


def importable(value: Any) -> dict[str, Any] | None:
    """A function the child can import by name (judge side only), else None."""
    module = getattr(value, "__module__", None)
    name = getattr(value, "__qualname__", None)
    if not (isinstance(module, str) and isinstance(name, str)) or "<" in name:
        return None
    if not any(module == p.rstrip(".") or module.startswith(p) for p in _IMPORTABLE):
        return None
    found = _lookup(module, name, allow_import=False)
    return {"$": "import", "module": module, "name": name} if found is value else None


def _lookup(module: str, name: str, *, allow_import: bool) -> Any:
    mod = sys.modules.get(module)
    if mod is None and allow_import:
        mod = (checks_loader[0](module) if module.startswith(CHECKS_PREFIX)
               and checks_loader else importlib.import_module(module))
    obj: Any = mod
    for part in name.split("."):
        obj = getattr(obj, part, None)
    return obj


def decode(data: Any, resolve: Resolve, *, trusted: bool) -> Any:
    """Rebuild a value written by :func:`encode`.

    ``resolve`` handles references. ``trusted`` is True only in the child
    reading the judge's messages: it may then import functions by name; the
    judge (``trusted=False``) rebuilds nothing but data and the package's own
    dataclasses from modules it has already imported.
    """
    try:
        return _decode(data, resolve, trusted)
    except ProtocolError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError,
            RecursionError, IndexError) as exc:
        raise ProtocolError(f"malformed value: {type(exc).__name__}: {exc}"[:300]) \
            from None


def _decode(data: Any, resolve: Resolve, trusted: bool) -> Any:
    kind = type(data)
    if data is None or kind in (bool, int, float, str):
        return data
    if kind is list:
        return [_decode(v, resolve, trusted) for v in data]
    if kind is not dict:
        raise ProtocolError(f"unexpected JSON value of type {kind.__name__}")
    tag = data.get("$")
    if tag is None:
        return {k: _decode(v, resolve, trusted) for k, v in data.items()}
    items = data.get("items")
    if tag in ("tuple", "set", "frozenset"):
        seq = [_decode(v, resolve, trusted) for v in _list(items)]
        return {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](seq)
    if tag in ("dict", "Counter", "OrderedDict"):
        pairs = [(_decode(k, resolve, trusted), _decode(v, resolve, trusted))
                 for k, v in _list(items)]
        built = dict(pairs)
        return Counter(built) if tag == "Counter" else (
            OrderedDict(pairs) if tag == "OrderedDict" else built)
    return _decode_tagged(tag, data, resolve, trusted)


def _list(items: Any) -> list[Any]:
    if type(items) is not list:
        raise ProtocolError("a tagged collection without a list of items")
    return items


def _decode_tagged(tag: str, data: dict[str, Any], resolve: Resolve,
                   trusted: bool) -> Any:
    if tag == "bytes":
        return base64.b64decode(data["b64"], validate=True)
    if tag == "complex":
        return complex(float(data["re"]), float(data["im"]))
    if tag == "Fraction":
        return Fraction(int(data["n"]), int(data["d"]))
    if tag == "range":
        return range(int(data["start"]), int(data["stop"]), int(data["step"]))
    if tag == "ndarray":
        dtype = np.dtype(data["dtype"])
        if dtype.kind not in _ARRAY_KINDS:
            raise ProtocolError(f"array dtype {dtype} cannot cross")
        shape = tuple(int(n) for n in _list(data["shape"]))
        return np.array(_list(data["data"]), dtype=dtype).reshape(shape)
    if tag == "objects":
        shape = tuple(int(n) for n in _list(data["shape"]))
        flat = np.empty(len(_list(data["items"])), dtype=object)
        flat[:] = [_decode(v, resolve, trusted) for v in data["items"]]
        return flat.reshape(shape)
    if tag == "scalar":
        dtype = np.dtype(data["dtype"])
        if dtype.kind not in _ARRAY_KINDS:
            raise ProtocolError(f"scalar dtype {dtype} cannot cross")
        return dtype.type(data["value"])
    if tag == "Generator":
        return _generator(data["state"])
    if tag == "dataclass":
        return _dataclass(data, resolve, trusted)
    if tag == "namedtuple":
        return _namedtuple(data, resolve, trusted)
    if tag == "import" and trusted:
        return _lookup(str(data["module"]), str(data["name"]), allow_import=True)
    if tag in ("ref", "jref"):
        return resolve(data)
    raise ProtocolError(f"unknown tag {tag!r}")


def _generator(state: dict[str, Any]) -> np.random.Generator:
    name = state["bit_generator"]
    if name not in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"):
        raise ProtocolError(f"unknown bit generator {name!r}")
    bits = getattr(np.random, name)()
    bits.state = state
    return np.random.Generator(bits)


def _dataclass(data: dict[str, Any], resolve: Resolve, trusted: bool) -> Any:
    module, _, name = str(data["type"]).partition(":")
    cls = _lookup(module, name, allow_import=trusted) if _key(module) else None
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ProtocolError(f"{data['type']!r} is not a dsscale dataclass")
    fields = data["fields"]
    if type(fields) is not dict:
        raise ProtocolError("dataclass fields must be an object")
    return cls(**{str(k): _decode(v, resolve, trusted) for k, v in fields.items()})


def _namedtuple(data: dict[str, Any], resolve: Resolve, trusted: bool) -> Any:
    module, _, name = str(data["type"]).partition(":")
    cls = _lookup(module, name, allow_import=trusted) if _key(module) else None
    if not (isinstance(cls, type) and issubclass(cls, tuple)
            and hasattr(cls, "_fields")):
        raise ProtocolError(f"{data['type']!r} is not a trusted named tuple")
    return cls(*(_decode(v, resolve, trusted) for v in _list(data["items"])))
