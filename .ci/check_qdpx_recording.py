#!/usr/bin/env python3
"""Check what QualCoder made of a project with a session's recording.

Usage: check_qdpx_recording.py BEFORE.json MASKED.json UNMASKED.json KEPT

The three files are validate_qualcoder.py's reports: BEFORE of the project
written before the recording was attached, MASKED and UNMASKED of the
projects written after it; KEPT is the recording's copy in the study.

Asserts, for both: one audio source arrived, named after its session's text
source plus the extension, with the sound (masked: linked at KEPT's absolute
path, `audio:/…`; unmasked: copied into the project, `/audio/…`, with no
"Cannot copy" in QualCoder's log); its transcript arrived as a text of the
same length as the session's text; and the session's codings arrived. For
the masked one (BEFORE is masked too), every other thing QualCoder keeps
(the text sources, codes, codings and their texts, annotations, cases, case
links, attributes and their values) arrived exactly as from BEFORE.
Exits 0 when all hold, else prints each failure and exits 1.
"""
import json
import os
import sys

# QualCoder gives a code with no colour a random one: colours are left out.
SAME = ["codes", "code_categories", "codings", "annotations", "cases", "case_text", "attribute_types", "attributes"]


def uncoloured(items):
    return [{k: v for k, v in x.items() if k != "color"} if isinstance(x, dict) else x for x in items]


def check(before, after, kept, masked):
    problems = []
    if not after.get("completed") or after.get("exception"):
        problems.append(f"the import did not complete: {after.get('exception')}")
    audio = [s for s in after["sources"] if s["mediapath"] and s["name"].endswith(".m4a")]
    if len(audio) != 1:
        return problems + [f"not one audio source arrived: {after['sources']}"]
    audio = audio[0]
    want = f"audio:{os.path.realpath(kept)}" if masked else f"/audio/{audio['name']}"
    if audio["mediapath"] != want:
        problems.append(f"the audio source's media is {audio['mediapath']!r}, not {want!r}")
    session = audio["name"][: -len(".m4a")]
    texts = {s["name"]: s for s in after["sources"]}
    if session not in texts:
        problems.append(f"no text source {session!r} beside its recording")
    transcript = texts.get(audio["name"] + ".txt")
    if transcript is None or transcript["length"] != texts.get(session, {}).get("length"):
        problems.append(f"the transcript did not arrive as the session's text: {transcript}")
    if any("Cannot copy" in line for line in after["log"]):
        problems.append(f"QualCoder could not copy a file: {after['log']}")
    rest = [s for s in after["sources"] if s is not audio and s is not transcript]
    if masked and rest != before["sources"]:
        problems.append("the text sources differ from the project without the recording")
    for key in SAME if masked else []:
        was, got = uncoloured(before[key]), uncoloured(after[key])
        if got != was:
            gone = [x for x in was if x not in got][:2]
            new = [x for x in got if x not in was][:2]
            problems.append(f"{key} differ from the project without the recording: {gone} became {new}")
    mine = [c for c in after["codings"] if c["source"] == session]
    if not mine:
        problems.append(f"no coding of {session!r} arrived")
    for p in problems:
        print(f"{'masked' if masked else 'unmasked'}: {p}")
    if not problems:
        print(
            f"{'masked' if masked else 'unmasked'} with recording: {audio['name']} at {audio['mediapath']},"
            f" its transcript {transcript['name']} ({transcript['length']} characters), {len(mine)} codings of"
            f" the session{' and everything else as before' if masked else ''}"
        )
    return problems


def main(before, masked, unmasked, kept):
    before = json.load(open(before, encoding="utf-8"))
    problems = check(before, json.load(open(masked, encoding="utf-8")), kept, True)
    problems += check(before, json.load(open(unmasked, encoding="utf-8")), kept, False)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 5:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
