#!/usr/bin/env python3
"""Opens a fieldlog .xlsx export with openpyxl, the way a researcher's tools
read it, and checks what they would see.

Usage: check_xlsx.py STUDY.xlsx "EXPECTED TEXT OF ONE LINE"

Checks: the six sheets in order; each heading row bold, frozen and under an
autofilter; the expected text in the lines sheet exactly as given (Danish
letters, emoji, combining accents: no normalisation, no mojibake); numbers
typed as numbers, times and dates as dates, and text that looks like a
formula kept as text.
"""

import datetime
import sys

import openpyxl

SHEETS = ["lines", "narratives", "cases", "sessions", "efforts", "links", "contacts", "recruitment"]
HEADINGS = {
    "lines": ["case", "session", "kind", "contact", "seq", "speaker", "role", "line_kind",
              "wall_time", "elapsed_ms", "recording_ms", "text"],
    "narratives": ["case", "session", "kind", "contact", "narrative", "from", "to", "title",
                   "author", "created", "memo"],
    "cases": ["case"],
    "sessions": ["case", "session", "kind", "contact", "date", "place", "speakers",
                 "recording_start", "lines", "narratives"],
    "efforts": ["case", "effort", "kind", "provider", "start", "end", "outcome"],
    "links": ["case", "link", "chain", "effort", "consequence", "valence", "narratives", "titles"],
    "contacts": ["case", "contact", "due", "status", "sessions", "reason", "dropped_out"],
    "recruitment": ["label", "asked", "outcome", "via", "reason"],
}
NUMBERS = {"lines": ["contact", "seq", "elapsed_ms"], "narratives": ["contact", "from", "to"],
           "sessions": ["contact", "lines", "narratives"], "contacts": ["contact", "sessions"]}
DATES = {"lines": ["wall_time"], "narratives": ["created"], "sessions": ["date"],
         "efforts": ["start"]}


def fail(message):
    print(f"check_xlsx: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) != 3:
        fail("usage: check_xlsx.py STUDY.xlsx EXPECTED-TEXT")
    path, expected = sys.argv[1], sys.argv[2]
    book = openpyxl.load_workbook(path)
    names = book.sheetnames
    if [n for n in names if not n.split(" ")[-1].isdigit()] != SHEETS:
        fail(f"sheets {names}, expected {SHEETS} (and continuation sheets such as 'lines 2')")
    for name in SHEETS:
        sheet = book[name]
        heading = [c.value for c in sheet[1]]
        want = HEADINGS[name]
        if heading[:len(want)] != want:
            fail(f"sheet {name}: heading {heading}, expected it to start with {want}")
        if name == "narratives" and (len(heading) <= len(want) + 1 or heading[-1] != "text"):
            fail(f"sheet narratives: no code columns and text last: {heading}")
        if not all(c.font.b for c in sheet[1]):
            fail(f"sheet {name}: heading row not bold")
        if sheet.freeze_panes != "A2":
            fail(f"sheet {name}: heading row not frozen ({sheet.freeze_panes})")
        if not sheet.auto_filter.ref or not sheet.auto_filter.ref.startswith("A1:"):
            fail(f"sheet {name}: no autofilter")
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        for column in NUMBERS.get(name, []):
            i = heading.index(column)
            bad = [r[i] for r in rows if not isinstance(r[i], (int, float)) or isinstance(r[i], bool)]
            if bad:
                fail(f"sheet {name}: column {column} holds non-numbers {bad[:3]}")
        for column in DATES.get(name, []):
            i = heading.index(column)
            bad = [r[i] for r in rows if not isinstance(r[i], datetime.datetime)]
            if bad:
                fail(f"sheet {name}: column {column} holds non-dates {bad[:3]}")
        if name == "narratives":
            codes = [i for i, h in enumerate(heading) if ": " in str(h)]
            bad = [r[i] for r in rows for i in codes if r[i] not in (0, 1)]
            if not codes or bad:
                fail(f"sheet narratives: code columns {len(codes)}, values not 0/1: {bad[:3]}")
        print(f"  {name}: {len(rows)} rows, {len(heading)} columns, heading bold, frozen, filtered")
    texts = [r[11] for name in names if name.split(" ")[0] == "lines"
             for r in book[name].iter_rows(min_row=2, values_only=True)]
    if expected not in texts:
        near = [t for t in texts if isinstance(t, str) and t[:5] == expected[:5]]
        fail(f"the lines sheet does not hold {ascii(expected)} as written; nearest: {ascii(near[:3])}")
    formulas = [c for name in names for row in book[name].iter_rows() for c in row if c.data_type == "f"]
    if formulas:
        fail(f"text became formulas: {[c.coordinate for c in formulas[:3]]}")
    print(f"check_xlsx: {path} is as expected ({expected!r} found intact)")


if __name__ == "__main__":
    main()
