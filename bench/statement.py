#!/usr/bin/env python3
"""Prints the SQL statement the portal sends, as sqlx recorded it in `.sqlx/`, for pgbench.

Usage: bench/statement.py MARKER ARG1 ARG2 ...
MARKER is a piece of text only that statement holds; ARGn replaces `$n` (a pgbench variable such
as `:tool`, which `-M prepared` sends as a parameter just as the portal does, or a literal such as
`NULL::text`). The benchmark thereby runs exactly what the handler runs, never a copy of it.
"""
import glob
import json
import re
import sys

marker, args = sys.argv[1], sys.argv[2:]
found = [
    q
    for q in (json.load(open(f))["query"] for f in sorted(glob.glob(".sqlx/query-*.json")))
    if marker in q
]
if len(found) != 1:
    sys.exit(f"{len(found)} statements in .sqlx hold {marker!r}; expected one")
statement = re.sub(r"\$(\d+)", lambda m: args[int(m.group(1)) - 1], found[0])
# pgbench reads a statement up to its semicolon; comments would swallow what follows them once
# the lines are joined, so drop them.
lines = (re.sub(r"--.*$", "", line).strip() for line in statement.splitlines())
print(" ".join(line for line in lines if line) + ";")
