"""Content checks for the stretch and routine catalogue (plain JSON, no skill imports)."""

import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "skill" / "catalogue"
STRETCHES_FILE = CATALOGUE / "stretches.json"
ROUTINES_FILE = CATALOGUE / "routines.json"

SEEDS_DIR = Path(
    os.environ.get(
        "BACKSTRETCH_SEEDS_DIR",
        str(Path(__file__).resolve().parents[2] / "shared" / "seeds"),
    )
)

SEED_000 = "000_bdab4c45c7a16a82.txt"
SEED_001 = "001_cf36837309c9b0c8.txt"
SEED_002 = "002_d78420415971c283.txt"
SEED_003 = "003_10eb4d020e6391e0.txt"
SEED_004 = "004_343d8a945da797d3.txt"
ALL_SEEDS = {SEED_000, SEED_001, SEED_002, SEED_003, SEED_004}

REQUIRED_STRETCHES = {
    "prone_press_up",
    "single_knee_to_chest",
    "kneeling_back_stretch",
    "sciatic_nerve_glide",
    "back_flexion",
    "childs_pose",
    "chin_to_chest",
    "ear_to_shoulder",
    "ankle_pumps",
    "heel_slides",
    "abdominal_contraction",
    "pelvic_tilt",
    "lying_hamstring_stretch",
    "knee_twist",
    "double_knee_to_chest",
    "knee_to_chest_pulses",
    "step_hamstring_stretch",
    "standing_forward_bend",
    "lying_rest",
}
REQUIRED_ROUTINES = {
    "morning",
    "lower_back",
    "warm_up",
    "neck_and_shoulders",
    "sciatica",
    "hamstrings",
    "full_back",
}

STRETCH_KEYS = {
    "id": str,
    "name": str,
    "synonyms": list,
    "kind": str,
    "position": str,
    "steps": list,
    "hold": dict,
    "reps": dict,
    "sides": str,
    "cue": str,
    "why": str,
    "limits_note": str,
    "sources": list,
}
OPTIONAL_STRETCH_KEYS = {"count_cues", "side_rule", "caution", "first_side", "side_change", "step_sources", "why_source"}
COUNTED = {"sciatic_nerve_glide", "ankle_pumps", "heel_slides", "knee_twist"}
SAFETY_WHEN = {"every_session", "first_use", "after_pain", "warm_up_skipped", "end_of_routine", "back_break"}
BOUNCY_WORDS = ("pulse", "quick", "bounce", "bouncing")

COPY_RUN = 7  # words in a row shared with a seed that counts as copying
# Rough routine length: a hold of H s, R reps per side takes (H + REST) * R * sides, a counted set
# of R movements at H s each takes H * R * sides, plus INSTRUCTION_SECONDS per stretch.
INSTRUCTION_SECONDS = 25
REST_SECONDS = 6
MAX_ROUTINE_SECONDS = 15 * 60


# --------------------------------------------------------------------------- helpers


def _load(path):
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def catalogue():
    return _load(STRETCHES_FILE)


@pytest.fixture(scope="module")
def stretches(catalogue):
    return {s["id"]: s for s in catalogue["stretches"]}


@pytest.fixture(scope="module")
def routines():
    return _load(ROUTINES_FILE)["routines"]


def _source(stretch, seed):
    found = [src for src in stretch["sources"] if src["seed"] == seed]
    assert found, f"{stretch['id']} has no source entry for {seed}"
    return found[0]


def _in_range(value, rng):
    return rng is not None and rng[0] <= value <= rng[1]


def _words(text):
    text = text.lower().replace("\u2019", "").replace("'", "")
    return re.findall(r"[a-z0-9]+", text)


def _spoken_texts(catalogue, routines):
    """(label, text) for every sentence Alexa reads aloud."""
    out = []
    for rule in catalogue["safety"]:
        out.append((f"safety:{rule['id']}", rule["text"]))
    for s in catalogue["stretches"]:
        out.append((f"{s['id']}.position", s["position"]))
        out.append((f"{s['id']}.cue", s["cue"]))
        out.append((f"{s['id']}.why", s["why"]))
        for i, step in enumerate(s["steps"]):  # a side is named where the step says {one}
            out.append((f"{s['id']}.steps[{i}]", step.replace("{one}", "your left")))
        if s.get("side_change") is not None:
            out.append((f"{s['id']}.side_change", s["side_change"].replace("{one}", "your left")))
        if s.get("caution") is not None:
            out.append((f"{s['id']}.caution", s["caution"]))
    for r in routines:
        out.append((f"routine:{r['id']}.description", r["description"]))
    return out


def _all_texts(catalogue, routines):
    """(label, text) for every string in both files: spoken sentences, names, cues and notes."""
    out = []

    def walk(label, value):
        if isinstance(value, str):
            out.append((label, value))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(f"{label}[{i}]", item)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(f"{label}.{key}", item)

    walk("stretches.json", catalogue)
    walk("routines.json", {"routines": routines})
    return out


def _envelope(stretch, key):
    """(lowest, highest) figure the stretch's sources give for ``key``, or None if none gives one."""
    ranges = [src[key] for src in stretch["sources"] if src[key] is not None]
    if not ranges:
        return None
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def _movements_per_count(stretch):
    """How many counts make one of the articles' movements: two alternating cues split it in two."""
    return len(stretch.get("count_cues", [])) if stretch["kind"] == "count" else 1


def _seeds_dir_or_skip():
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"seed folder not available: {SEEDS_DIR}")
    return SEEDS_DIR


# --------------------------------------------------------------------------- structure


def test_required_stretch_ids_present(stretches):
    missing = REQUIRED_STRETCHES - set(stretches)
    assert not missing, f"missing stretches: {sorted(missing)}"


def test_stretch_ids_unique(catalogue):
    ids = [s["id"] for s in catalogue["stretches"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("sid", sorted(REQUIRED_STRETCHES))
def test_stretch_has_all_keys_with_types(stretches, sid):
    s = stretches[sid]
    for key, typ in STRETCH_KEYS.items():
        assert key in s, f"{sid} lacks {key}"
        assert isinstance(s[key], typ), f"{sid}.{key} should be {typ.__name__}"
    assert s["kind"] in ("hold", "count")
    assert s["sides"] in ("none", "left_right")
    assert s["name"] == s["name"].lower() and s["name"].strip()
    assert 2 <= len(s["synonyms"]) <= 6, sid
    assert all(isinstance(x, str) and x == x.lower() and x.strip() for x in s["synonyms"])
    assert 2 <= len(s["steps"]) <= 5, sid
    assert all(isinstance(x, str) and x.strip() for x in s["steps"])
    assert s["sources"], f"{sid} has no sources"
    for src in s["sources"]:
        assert set(src) >= {"seed", "hold_seconds", "reps", "note"}, sid
        assert src["seed"] in ALL_SEEDS, src["seed"]
        assert isinstance(src["note"], str)
        for key in ("hold_seconds", "reps"):
            rng = src[key]
            if rng is not None:
                assert isinstance(rng, list) and len(rng) == 2, (sid, key)
                assert all(isinstance(v, int) for v in rng), (sid, key)
                assert rng[0] <= rng[1], (sid, key)


def test_every_stretch_has_all_keys(catalogue):
    for s in catalogue["stretches"]:
        assert set(STRETCH_KEYS) <= set(s), s.get("id")


def test_hold_and_reps_ranges(catalogue):
    for s in catalogue["stretches"]:
        sid = s["id"]
        hold, reps = s["hold"], s["reps"]
        assert set(hold) == {"default", "min", "max", "adjustable"}, sid
        assert set(reps) == {"default", "min", "max"}, sid
        for block in (hold, reps):
            for k in ("default", "min", "max"):
                assert isinstance(block[k], int) and block[k] > 0, (sid, k)
            assert block["min"] <= block["default"] <= block["max"], sid
        assert isinstance(hold["adjustable"], bool), sid
        if s["kind"] == "count":
            assert 1 <= hold["default"] <= 8, f"{sid}: count tempo should be a few seconds"
            assert hold["adjustable"] is False, sid


def test_default_hold_backed_by_a_source(catalogue):
    for s in catalogue["stretches"]:
        ranges = [src["hold_seconds"] for src in s["sources"] if src["hold_seconds"]]
        if ranges:
            assert any(_in_range(s["hold"]["default"], r) for r in ranges), (
                f"{s['id']}: default hold {s['hold']['default']} outside every source range {ranges}"
            )


def test_back_flexion_has_both_sources(stretches):
    seeds = {src["seed"] for src in stretches["back_flexion"]["sources"]}
    assert {SEED_001, SEED_002} <= seeds


def test_single_knee_to_chest_has_all_seeds(stretches):
    seeds = {src["seed"] for src in stretches["single_knee_to_chest"]["sources"]}
    assert seeds == ALL_SEEDS


# --------------------------------------------------------------------------- seed facts


@pytest.mark.parametrize("sid", ["single_knee_to_chest", "lying_hamstring_stretch"])
def test_seed_003_twenty_seconds_five_reps(stretches, sid):
    src = _source(stretches[sid], SEED_003)
    assert _in_range(20, src["hold_seconds"])
    assert _in_range(5, src["reps"])
    assert stretches[sid]["sides"] == "left_right"


def test_seed_003_abdominal_contraction(stretches):
    s = stretches["abdominal_contraction"]
    src = _source(s, SEED_003)
    assert src["hold_seconds"] == [5, 5]
    assert src["reps"] == [10, 10]
    assert s["hold"]["default"] == 5 and s["reps"]["default"] == 10
    assert s["hold"]["adjustable"] is False
    assert "breath" in s["cue"].lower()


@pytest.mark.parametrize("sid", ["ankle_pumps", "heel_slides"])
def test_seed_003_warm_up_counts(stretches, sid):
    """Ten to-and-fro movements (003); with two alternating cues that is twenty counts."""
    s = stretches[sid]
    assert s["kind"] == "count"
    assert _in_range(10, _source(s, SEED_003)["reps"])
    assert s["reps"]["default"] == 10 * _movements_per_count(s)
    assert s["hold"]["adjustable"] is False


@pytest.mark.parametrize("sid", ["chin_to_chest", "ear_to_shoulder"])
def test_seed_002_neck_ranges(stretches, sid):
    src = _source(stretches[sid], SEED_002)
    assert src["hold_seconds"] == [20, 30]
    assert src["reps"] == [5, 10]


def test_ear_to_shoulder_both_sides(stretches):
    assert stretches["ear_to_shoulder"]["sides"] == "left_right"


@pytest.mark.parametrize(
    "sid",
    ["single_knee_to_chest", "double_knee_to_chest", "step_hamstring_stretch", "standing_forward_bend"],
)
def test_seed_004_fifteen_to_twenty_seconds(stretches, sid):
    assert _source(stretches[sid], SEED_004)["hold_seconds"] == [15, 20]


def test_seed_004_short_knee_hugs_are_short_and_fixed(stretches):
    s = stretches["knee_to_chest_pulses"]
    assert _source(s, SEED_004)["hold_seconds"] == [3, 5]
    assert 3 <= s["hold"]["default"] <= 5
    assert s["hold"]["adjustable"] is False


def test_step_hamstring_both_sides(stretches):
    assert stretches["step_hamstring_stretch"]["sides"] == "left_right"


def test_lying_rest(stretches):
    s = stretches["lying_rest"]
    assert _source(s, SEED_004)["hold_seconds"] == [120, 180]
    assert s["hold"] == {"default": 120, "min": 120, "max": 180, "adjustable": False}
    assert s["reps"]["default"] == 1


def test_back_flexion_seed_001_thirty_seconds(stretches):
    s = stretches["back_flexion"]
    assert _in_range(30, _source(s, SEED_001)["hold_seconds"])
    assert s["hold"]["default"] == 30


# --------------------------------------------------------------------------- seed files


def test_source_seed_files_exist(catalogue, routines):
    seeds_dir = _seeds_dir_or_skip()
    named = set()
    for rule in catalogue["safety"]:
        named.update(rule["sources"])
    for s in catalogue["stretches"]:
        named.update(src["seed"] for src in s["sources"])
    for r in routines:
        named.update(r["sources"])
    missing = sorted(n for n in named if not (seeds_dir / n).is_file())
    assert not missing, f"seed files not found: {missing}"


def test_copy_check_scans_every_new_field(catalogue, routines):
    labels = " ".join(label for label, _ in _all_texts(catalogue, routines))
    for field in ("limits_note", "count_cues", "caution", "safety", "warm_up_note", "note", "synonyms"):
        assert f".{field}" in labels, field


def test_no_copied_sentences(catalogue, routines):
    seeds_dir = _seeds_dir_or_skip()
    seed_grams = {}
    for path in sorted(seeds_dir.glob("*.txt")):
        words = _words(path.read_text(encoding="utf-8", errors="replace"))
        for i in range(len(words) - COPY_RUN + 1):
            seed_grams.setdefault(tuple(words[i : i + COPY_RUN]), path.name)
    assert seed_grams, "no seed text loaded"
    copied = []
    for label, text in _all_texts(catalogue, routines):
        words = _words(text)
        for i in range(len(words) - COPY_RUN + 1):
            gram = tuple(words[i : i + COPY_RUN])
            if gram in seed_grams:
                copied.append((label, " ".join(gram), seed_grams[gram]))
    assert not copied, f"text shares {COPY_RUN}+ words with a seed: {copied}"


# --------------------------------------------------------------------------- safety


def test_safety_rules(catalogue):
    rules = catalogue["safety"]
    assert 5 <= len(rules) <= 12
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    for r in rules:
        assert isinstance(r["text"], str) and r["text"].strip()
        assert r["sources"] and all(src in ALL_SEEDS for src in r["sources"]), r["id"]
        assert r.get("when") in SAFETY_WHEN, r["id"]
        assert len(re.findall(r"[.!?](?:\s|$)", r["text"])) == 1, f"{r['id']}: one short sentence"


def test_every_session_is_two_very_short_rules(catalogue):
    rules = [r for r in catalogue["safety"] if r["when"] == "every_session"]
    assert len(rules) == 2, [r["id"] for r in rules]
    for r in rules:
        assert len(r["text"].split()) < 10, r["text"]
    texts = " ".join(r["text"].lower() for r in rules)
    assert "never bounce" in texts
    assert "stop if it hurts" in texts


# (when, seed that must be among the rule's sources, words the text must contain)
ARTICLE_ADVICE = [
    ("end_of_routine", SEED_000, ["before and after"]),
    ("end_of_routine", SEED_001, ["weeks", "months"]),
    ("first_use", SEED_002, ["comfortable clothes", "flat", "open"]),
    ("back_break", SEED_004, ["lying down", "minutes", "day"]),
    ("warm_up_skipped", SEED_003, ["five minutes", "brisk walk", "light bike ride", "jogging on the spot"]),
    ("after_pain", SEED_000, ["doctor", "severe"]),
]


@pytest.mark.parametrize(("when", "seed", "words"), ARTICLE_ADVICE, ids=lambda v: v if isinstance(v, str) else "")
def test_article_advice_is_in_the_safety_list(catalogue, when, seed, words):
    found = [
        r for r in catalogue["safety"]
        if r["when"] == when and seed in r["sources"] and all(w in r["text"].lower() for w in words)
    ]
    assert found, f"no {when} rule from {seed} saying {words}"


# --------------------------------------------------------------------------- spoken style


def test_spoken_text_is_voice_friendly(catalogue, routines):
    bad = []
    for s in catalogue["stretches"]:
        for cue in s.get("count_cues", []):
            if not re.fullmatch(r"[a-z]+(?: [a-z]+)*", cue):
                bad.append((f"{s['id']}.count_cues", "cue is not plain lower-case words", cue))
    for label, text in _spoken_texts(catalogue, routines):
        if re.search(r"[0-9&/%()\[\]{}<>*#@+=_|\\]", text):
            bad.append((label, "digit or symbol", text))
        if not text.rstrip().endswith((".", "!", "?")):
            bad.append((label, "no end punctuation", text))
        for sentence in re.split(r"[.!?]+", text):
            if len(sentence.split()) > 18:
                bad.append((label, "sentence too long", sentence))
    assert not bad, bad


def test_names_and_synonyms_unique_across_stretches(catalogue):
    seen = {}
    for s in catalogue["stretches"]:
        terms = [s["name"]] + s["synonyms"]
        assert len(terms) == len(set(terms)), f"duplicate term within {s['id']}"
        for term in terms:
            assert term not in seen, f"'{term}' used by {seen[term]} and {s['id']}"
            seen[term] = s["id"]


# --------------------------------------------------------------------------- routines


def test_required_routines_present(routines):
    ids = [r["id"] for r in routines]
    assert len(ids) == len(set(ids))
    missing = REQUIRED_ROUTINES - set(ids)
    assert not missing, f"missing routines: {sorted(missing)}"


def test_routine_shape(routines):
    for r in routines:
        assert set(r) >= {"id", "name", "synonyms", "description", "sources", "stretches"}, r.get("id")
        assert set(r) <= {"id", "name", "synonyms", "description", "sources", "stretches", "warm_up", "warm_up_note"}
        assert r["name"] == r["name"].lower() and r["name"].strip()
        assert r["synonyms"] and all(x == x.lower() and x.strip() for x in r["synonyms"])
        assert r["sources"] and all(src in ALL_SEEDS for src in r["sources"]), r["id"]
        assert r["stretches"], r["id"]


def test_routine_terms_unique_and_distinct_from_stretches(catalogue, routines):
    stretch_terms = set()
    for s in catalogue["stretches"]:
        stretch_terms.add(s["name"])
        stretch_terms.update(s["synonyms"])
    seen = {}
    for r in routines:
        for term in [r["name"]] + r["synonyms"]:
            assert term not in stretch_terms, f"routine term '{term}' collides with a stretch"
            assert term not in seen or seen[term] == r["id"], f"'{term}' in {seen.get(term)} and {r['id']}"
            seen[term] = r["id"]


def test_routine_entries_exist_and_overrides_in_range(stretches, routines):
    for r in routines:
        for entry in r["stretches"]:
            assert set(entry) <= {"id", "hold", "reps", "note", "source"}, (r["id"], entry)
            overrides = "hold" in entry or "reps" in entry
            assert overrides == ("note" in entry), f"{r['id']}: an override and its note go together: {entry}"
            if "note" in entry:
                assert isinstance(entry["note"], str) and entry["note"].strip(), (r["id"], entry)
            assert entry["id"] in stretches, f"{r['id']}: unknown stretch {entry['id']}"
            s = stretches[entry["id"]]
            source = [src for src in s["sources"] if src["seed"] == entry.get("source", s["sources"][0]["seed"])]
            assert source, f"{r['id']}: {entry['id']} names an article the stretch does not come from"
            for key, figures in (("hold", source[0]["hold_seconds"]), ("reps", source[0]["reps"])):
                if key in entry:
                    value = entry[key]
                    assert set(value) == {"default", "min", "max"}, (r["id"], entry)
                    assert 0 < value["min"] <= value["default"] <= value["max"], (r["id"], entry)
                    if figures is not None:
                        assert figures[0] <= value["min"] and value["max"] <= figures[1], (r["id"], entry, figures)


def test_every_stretch_used_by_a_routine(catalogue, routines):
    used = {e["id"] for r in routines for e in r["stretches"]}
    unused = {s["id"] for s in catalogue["stretches"]} - used
    assert not unused, f"stretches in no routine: {sorted(unused)}"


def _routine_seconds(routine, stretches):
    total = 0
    for entry in routine["stretches"]:
        s = stretches[entry["id"]]
        hold = entry.get("hold", s["hold"])["default"]
        reps = entry.get("reps", s["reps"])["default"]
        sides = 2 if s["sides"] == "left_right" else 1
        per = hold if s["kind"] == "count" else hold + REST_SECONDS
        total += sides * reps * per + INSTRUCTION_SECONDS
    return total


def test_routine_length_at_defaults_under_fifteen_minutes(stretches, routines):
    for r in routines:
        seconds = _routine_seconds(r, stretches)
        assert 150 <= seconds <= MAX_ROUTINE_SECONDS, f"{r['id']} takes about {seconds} s"


def test_warm_up_offered_for_routines_built_from_seed_003(routines):
    by_id = {r["id"]: r for r in routines}
    for r in routines:
        from_003 = SEED_003 in r["sources"] and r["id"] != "warm_up"
        assert ("warm_up" in r) == from_003, r["id"]
        if "warm_up" in r:
            assert r["warm_up"] == "warm_up" and r["warm_up"] in by_id
            assert "warm_up" not in by_id[r["warm_up"]], "the warm-up has no warm-up of its own"
            assert "003" in r["warm_up_note"], r["id"]
        else:
            assert "warm_up_note" not in r, r["id"]
    assert {"lower_back", "hamstrings"} <= {r["id"] for r in routines if "warm_up" in r}


# --------------------------------------------------------------------------- article limits


@pytest.mark.parametrize("sid", sorted(REQUIRED_STRETCHES))
def test_ranges_within_their_sources_figures(stretches, sid):
    """Where the sources give figures, min..max lies inside the lowest..highest of them.

    Counted stretches with two alternating cues count each direction (or side), so their counts
    are compared as whole movements: counts / 2.
    """
    s = stretches[sid]
    hold = _envelope(s, "hold_seconds")
    if hold is not None:
        assert hold[0] <= s["hold"]["min"] and s["hold"]["max"] <= hold[1], (sid, s["hold"], hold)
    reps = _envelope(s, "reps")
    if reps is not None:
        per = _movements_per_count(s)
        low, high = s["reps"]["min"] / per, s["reps"]["max"] / per
        assert reps[0] <= low and high <= reps[1], (sid, s["reps"], reps)


@pytest.mark.parametrize("sid", sorted(REQUIRED_STRETCHES))
def test_limits_note_names_its_sources(stretches, sid):
    s = stretches[sid]
    note = s["limits_note"]
    assert note.strip(), sid
    with_figures = {src["seed"][:3] for src in s["sources"] if src["hold_seconds"] or src["reps"]}
    for seed_id in with_figures:
        assert seed_id in note, f"{sid}: limits_note does not name {seed_id}"
    if not with_figures or _envelope(s, "hold_seconds") is None or _envelope(s, "reps") is None:
        assert re.search(r"\bno\b", note, re.I), f"{sid}: say which figures the articles do not give"


@pytest.mark.parametrize(
    ("sid", "hold", "reps"),
    [
        ("standing_forward_bend", (15, 20), None),
        ("step_hamstring_stretch", (15, 20), None),
        ("double_knee_to_chest", (15, 20), None),
        ("back_flexion", (20, 30), None),
        ("chin_to_chest", (20, 30), (5, 10)),
        ("ear_to_shoulder", (20, 30), (5, 10)),
        ("abdominal_contraction", (5, 5), (10, 10)),
        ("knee_to_chest_pulses", (3, 5), None),
        ("lying_rest", (120, 180), (1, 1)),
    ],
)
def test_known_article_limits(stretches, sid, hold, reps):
    s = stretches[sid]
    assert (s["hold"]["min"], s["hold"]["max"]) == hold, sid
    if reps is not None:
        assert (s["reps"]["min"], s["reps"]["max"]) == reps, sid


def test_default_reps_follow_the_articles(stretches):
    for sid in ("single_knee_to_chest", "lying_hamstring_stretch"):
        assert stretches[sid]["reps"]["default"] == 5, sid  # 003: five on each side
    for sid in ("back_flexion", "chin_to_chest", "ear_to_shoulder"):
        assert 5 <= stretches[sid]["reps"]["default"] <= 10, sid  # 002: five to ten
    for s in stretches.values():
        reps = _envelope(s, "reps")
        if reps is not None:
            assert reps[0] <= s["reps"]["default"] / _movements_per_count(s) <= reps[1], s["id"]


# --------------------------------------------------------------------------- names, cues, sides, cautions


def test_no_name_or_synonym_suggests_bouncing(catalogue):
    for s in catalogue["stretches"]:
        for term in [s["name"], *s["synonyms"]]:
            assert not any(word in term for word in BOUNCY_WORDS), (s["id"], term)


def test_short_knee_hugs_renamed_but_id_kept(stretches, routines):
    s = stretches["knee_to_chest_pulses"]
    assert s["name"] != "knee to chest pulses" and "knee to chest pulses" not in s["synonyms"]
    assert "hug" in s["name"]
    spoken = " ".join([s["position"], s["cue"], s["why"], *s["steps"]]).lower()
    assert not any(word in spoken for word in BOUNCY_WORDS)
    assert "bent" in spoken  # 004: knees bent throughout
    for r in routines:
        assert not any(word in r["description"].lower() for word in BOUNCY_WORDS), r["id"]


def test_count_cues_exactly_for_counted_stretches(catalogue):
    counted = {s["id"] for s in catalogue["stretches"] if s["kind"] == "count"}
    assert counted == COUNTED
    for s in catalogue["stretches"]:
        assert set(s) <= set(STRETCH_KEYS) | OPTIONAL_STRETCH_KEYS | {"posture"}, s["id"]
        if s["kind"] != "count":
            assert "count_cues" not in s, s["id"]
            continue
        cues = s["count_cues"]
        assert isinstance(cues, list) and 1 <= len(cues) <= 2, s["id"]
        assert all(isinstance(c, str) and 1 <= len(c.split()) <= 3 for c in cues), (s["id"], cues)
        if len(cues) == 2:
            assert len(set(cues)) == 2, s["id"]
            for k in ("default", "min", "max"):
                assert s["reps"][k] % 2 == 0, f"{s['id']}: two alternating cues need an even count"


@pytest.mark.parametrize(("sid", "tempo"), [("sciatic_nerve_glide", 3), ("heel_slides", 3), ("knee_twist", 5)])
def test_counted_sets_leave_time_to_move(stretches, sid, tempo):
    assert stretches[sid]["hold"]["min"] >= tempo, sid


def test_knee_twist_is_slow_and_one_side_per_count(stretches):
    s = stretches["knee_twist"]
    assert s["hold"]["min"] >= 5 and s["hold"]["default"] >= 5
    assert all(s["reps"][k] % 2 == 0 for k in ("default", "min", "max"))
    cues = " ".join(s["count_cues"])
    assert "left" in cues and "right" in cues
    steps = " ".join(s["steps"]).lower()
    assert "each count" in steps and "other side" in steps


def test_sciatic_glide_on_the_affected_leg_only(catalogue, stretches):
    s = stretches["sciatic_nerve_glide"]
    assert s["side_rule"] == "affected" and s["sides"] == "left_right"
    spoken = " ".join([s["position"], s["cue"], *s["steps"]]).lower()
    assert "each leg" not in spoken and "both legs" not in spoken
    others = [x["id"] for x in catalogue["stretches"] if "side_rule" in x and x["id"] != "sciatic_nerve_glide"]
    assert not others


@pytest.mark.parametrize(
    ("sid", "words"),
    [
        ("prone_press_up", ["stop", "spread", "leg"]),
        ("standing_forward_bend", ["come up slowly"]),
        ("step_hamstring_stretch", ["steady", "balance"]),
    ],
)
def test_cautions(stretches, sid, words):
    caution = stretches[sid]["caution"].lower()
    assert all(w in caution for w in words), (sid, caution)


def test_every_caution_is_one_short_sentence(catalogue):
    for s in catalogue["stretches"]:
        if "caution" in s:
            assert isinstance(s["caution"], str), s["id"]
            assert len(re.findall(r"[.!?](?:\s|$)", s["caution"])) == 1, s["id"]
            assert len(s["caution"].split()) <= 16, s["id"]


# --------------------------------------------------------------------------- faithfulness

# Words too common to tie a sentence to an article's phrase.
LINK_STOP = {"your", "with", "that", "then", "them", "they", "this", "from", "into", "until", "while", "when", "what",
             "each", "there", "their", "will", "have", "just", "only", "once", "again", "about", "like", "more", "other",
             "the", "and", "for", "out", "you", "not", "but", "can", "its", "one", "are", "off", "all", "any", "how"}


def _content(text):
    """The words that carry meaning, by their first four letters (breathe and breath, bend and bending)."""
    return {w[:4] for w in _words(text) if len(w) >= 3 and w not in LINK_STOP}


def _in_article(fact, seed_words):
    words = _words(fact)
    return any(seed_words[i : i + len(words)] == words for i in range(len(seed_words) - len(words) + 1))


def test_every_step_and_benefit_is_traced_to_its_article(catalogue):
    """Each step and each "why" names the article that says it and a short phrase of it: the phrase is in that
    article, shorter than a copied run, and shares a meaningful word with the sentence it backs."""
    seeds_dir = _seeds_dir_or_skip()
    texts = {path.name: _words(path.read_text(encoding="utf-8", errors="replace")) for path in seeds_dir.glob("*.txt")}
    untraced = []
    for s in catalogue["stretches"]:
        own = {src["seed"] for src in s["sources"]}
        backed = list(zip(s["steps"], s.get("step_sources", []))) + [(s["why"], s.get("why_source"))]
        if len(s.get("step_sources", [])) != len(s["steps"]):
            untraced.append((s["id"], "a step without its article"))
        for sentence, evidence in backed:
            if not evidence or evidence["seed"] not in own:
                untraced.append((s["id"], sentence, "no article of its own"))
                continue
            fact = evidence["fact"]
            if not _in_article(fact, texts[evidence["seed"]]):
                untraced.append((s["id"], fact, f"not in {evidence['seed']}"))
            if len(_words(fact)) >= COPY_RUN:
                untraced.append((s["id"], fact, "a copied run, not a short fact"))
            if not _content(sentence.replace("{one}", "one")) & _content(fact):
                untraced.append((s["id"], sentence, fact, "nothing in common"))
    assert not untraced, untraced


def test_what_no_article_says_is_gone(stretches):
    """The claims a careful reading found in no article: a tightened stomach in the pelvic tilt, arms out to the
    sides in the twist (003: along the body), the sciatic nerve moving freely, knees and hips warmed by heel slides."""
    spoken = {sid: " ".join([s["position"], *s["steps"], s["why"]]).lower() for sid, s in stretches.items()}
    assert "stomach" not in spoken["pelvic_tilt"]
    assert "out to the sides" not in spoken["knee_twist"] and "along your sides" in spoken["knee_twist"]
    assert "freely" not in spoken["sciatic_nerve_glide"]
    assert "hips and knees" not in spoken["heel_slides"]
