#!/usr/bin/env python3
"""Check a REFI-QDA codebook (.qdc) the way its importers read it.

Usage: check_qdc.py VALIDATORS_DIR FILE.qdc

1. It parses with pyrefiqda's CodeBook model (generated from the REFI
   codebook schema), so every element and attribute is where the schema
   puts it.
2. QualCoder's own codebook import (RefiImport with import type "qdc", from
   the validators' vendored QualCoder, GUI stubbed as validate_qualcoder.py
   does) brings in every group as a category and every code as a code,
   with its description as memo: none lost to a repeated name.
Exit 0 when both hold; otherwise one line per problem and exit 1.
"""
import os
import sqlite3
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

validators, qdc = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
sys.path.insert(0, str(validators))
import validate_qualcoder as vq  # noqa: E402  (the validators' harness: App, Log, stubs)

problems = []
try:
    from pyrefiqda import RefiCodebook
    RefiCodebook.load(qdc)
except ImportError:
    problems.append("pyrefiqda is not installed: the schema check cannot run")
except Exception as exc:  # the parser names what does not fit the schema
    problems.append(f"not valid against the REFI codebook schema: {exc}")

NS = "{urn:QDA-XML:codebook:1.0}"
root = ET.parse(qdc).getroot()
groups = [c for c in root.iter(f"{NS}Code") if c.get("isCodable") == "false"]
codes = [c for c in root.iter(f"{NS}Code") if c.get("isCodable") != "false"]
described = [c for c in root.iter(f"{NS}Code") if c.find(f"{NS}Description") is not None]

os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.dont_write_bytecode = True
sys.path.insert(0, str(vq.HERE))
import stubs  # noqa: E402
stubs.install(vq.HERE / "vendor")
from PyQt6 import QtWidgets  # noqa: E402
qapp = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["check_qdc"])
with tempfile.TemporaryDirectory() as work:
    conn = sqlite3.connect(os.path.join(work, "data.qda"))
    conn.executescript((vq.HERE / "schema.sql").read_text(encoding="utf-8"))
    QtWidgets.QFileDialog.getOpenFileName = staticmethod(lambda *a, **k: (str(qdc), "(*.qdc)"))
    from qualcoder import refi  # noqa: E402
    refi.RefiImport(vq.App(conn, os.path.join(work, "p.qda"), work), vq.Log(), "qdc")
    cats = conn.execute("select name, memo from code_cat").fetchall()
    names = conn.execute("select name, memo from code_name").fetchall()
    conn.close()

if len(cats) < len(groups):
    problems.append(f"{len(groups) - len(cats)} groups lost in QualCoder (the file has {len(groups)})")
if len(names) < len(codes):
    problems.append(f"{len(codes) - len(names)} codes lost in QualCoder (the file has {len(codes)}): a repeated name?")
memos = sum(1 for _, memo in cats + names if memo)
if memos < len(described):
    problems.append(f"{len(described) - memos} descriptions lost in QualCoder (the file has {len(described)})")
for p in problems:
    print(p)
if problems:
    sys.exit(1)
print(f"ok: {qdc.name}: {len(cats)} groups and {len(names)} codes arrived in QualCoder, {memos} with their description")
