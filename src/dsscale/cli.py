"""The ``dsscale`` command: ``grade``, ``release``, ``autograder``, ``faults``,
``explore``, ``demo``, ``plan``.

Each subcommand lives in its own module with a ``register(subparsers)``
function; this file only wires them together, importing each lazily so that
``dsscale grade`` never pays for importing Ray.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# subcommand name -> module that provides register(subparsers)
SUBCOMMANDS = {
    "grade": "dsscale.grading.cli",
    "release": "dsscale.grading.release",
    "autograder": "dsscale.grading.autograder",
    "faults": "dsscale.faults.cli",
    "explore": "dsscale.explore.cli",
    "demo": "dsscale.parallel.demo",
    "plan": "dsscale.capacity.cli",
}


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dsscale",
        description="Scaling Distributed Systems: exercises, fault campaigns, demos.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    wanted = argv[0] if argv and argv[0] in SUBCOMMANDS else None
    for name, module_name in SUBCOMMANDS.items():
        if wanted is not None and name != wanted:
            # still list it in --help, without importing its module
            sub.add_parser(name, help=f"see `dsscale {name} --help`")
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and module_name.startswith(exc.name):
                continue  # subcommand not built yet in this checkout
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_list)
    args = parser.parse_args(args_list)
    try:
        return int(args.func(args) or 0)
    except (ValueError, TypeError, ConnectionError, FileNotFoundError) as exc:
        print(f"dsscale {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
