#!/usr/bin/env python3
"""Check what a fieldlog ELAN export carries, the way pympi (and so ELAN) reads it.

Usage: check_eaf.py FILE.eaf [--narratives]

Asserts: every speaker tier (tier type "role: ...") names its speaker as
PARTICIPANT; the tiers "narratives", "(pauses)" and "(notes)" exist; every
code tier hangs under a narratives tier and takes its values from a
controlled vocabulary that holds them; with --narratives, the narratives
tier has at least one annotation; and no line typed before the recording
is on it: no annotation of a line (any time-aligned tier but the
narratives) is the 0-1 ms stub that older exports made of such lines, and
at most one starts at 0.
Exits 0 when all hold, else prints each failure and exits 1.
"""
import sys

import pympi


def check(path, want_narratives):
    problems = []
    eaf = pympi.Elan.Eaf(path)
    tiers = {t: eaf.get_parameters_for_tier(t) for t in eaf.get_tier_names()}
    speakers = {t: p for t, p in tiers.items() if p.get("LINGUISTIC_TYPE_REF", "").startswith("role: ")}
    if not speakers:
        problems.append("no speaker tiers (tier type 'role: ...')")
    for tier, params in speakers.items():
        if params.get("PARTICIPANT") != tier:
            problems.append(f"speaker tier {tier!r} has PARTICIPANT {params.get('PARTICIPANT')!r}")
    for needed in ("narratives", "(pauses)", "(notes)"):
        if needed not in tiers:
            problems.append(f"no tier {needed!r}")
    if want_narratives and "narratives" in tiers and not eaf.get_annotation_data_for_tier("narratives"):
        problems.append("the narratives tier has no annotation")

    vocabularies = eaf.get_controlled_vocabulary_names()
    if not vocabularies:
        problems.append("no controlled vocabulary")
    for tier, params in tiers.items():
        if not params.get("LINGUISTIC_TYPE_REF", "").startswith("codes: "):
            continue
        parent = params.get("PARENT_REF", "")
        if not parent.startswith("narratives"):
            problems.append(f"code tier {tier!r} hangs under {parent!r}, not a narratives tier")
        kind = eaf.linguistic_types[params["LINGUISTIC_TYPE_REF"]]
        cv = kind.get("CONTROLLED_VOCABULARY_REF")
        if cv not in vocabularies:
            problems.append(f"code tier {tier!r} names no known vocabulary ({cv!r})")
            continue
        values = {v for entry, _ in eaf.get_cv_entries(cv).values() for v, _, _ in entry}
        for annotation in eaf.get_ref_annotation_data_for_tier(tier):
            if annotation[2] not in values:
                problems.append(f"code {annotation[2]!r} on {tier!r} is not in vocabulary {cv!r}")

    def alignable(params):
        kind = eaf.linguistic_types.get(params.get("LINGUISTIC_TYPE_REF"), {})
        return kind.get("TIME_ALIGNABLE", "true") == "true"
    timed = [t for t, p in tiers.items() if alignable(p) and not t.startswith("narratives")]
    starts = [(t, a) for t in timed for a in eaf.get_annotation_data_for_tier(t)]
    stubs = [(t, a[2]) for t, a in starts if a[0] == 0 and a[1] <= 1]
    if stubs:
        problems.append(f"annotations stacked at 0-1 ms (lines typed before the recording?): {stubs[:3]}")
    at_zero = [(t, a[2]) for t, a in starts if a[0] == 0]
    if len(at_zero) > 1:
        problems.append(f"{len(at_zero)} annotations start at 0 ms: {at_zero[:3]}")

    for problem in problems:
        print(f"{path}: {problem}")
    if not problems:
        left_out = dict(eaf.get_properties()).get("left out")
        print(f"{path}: ok: {len(speakers)} speakers, {len(tiers)} tiers, "
              f"{len(vocabularies)} vocabularies" + (f"; left out: {left_out}" if left_out else ""))
    return not problems


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        print(__doc__)
        sys.exit(2)
    sys.exit(0 if check(args[0], "--narratives" in sys.argv[1:]) else 1)
