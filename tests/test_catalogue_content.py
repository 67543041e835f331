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
    "sources": list,
}

COPY_RUN = 7  # words in a row shared with a seed that counts as copying
INSTRUCTION_SECONDS = 15
REST_SECONDS = 5


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
        for i, step in enumerate(s["steps"]):
            out.append((f"{s['id']}.steps[{i}]", step))
    for r in routines:
        out.append((f"routine:{r['id']}.description", r["description"]))
    return out


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
            assert 1 <= hold["default"] <= 5, f"{sid}: count tempo should be a few seconds"
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
    s = stretches[sid]
    assert s["kind"] == "count"
    assert _in_range(10, _source(s, SEED_003)["reps"])
    assert s["reps"]["default"] == 10
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


def test_seed_004_pulses_are_short_and_fixed(stretches):
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


def test_no_copied_sentences(catalogue, routines):
    seeds_dir = _seeds_dir_or_skip()
    seed_grams = {}
    for path in sorted(seeds_dir.glob("*.txt")):
        words = _words(path.read_text(encoding="utf-8", errors="replace"))
        for i in range(len(words) - COPY_RUN + 1):
            seed_grams.setdefault(tuple(words[i : i + COPY_RUN]), path.name)
    assert seed_grams, "no seed text loaded"
    copied = []
    for label, text in _spoken_texts(catalogue, routines):
        words = _words(text)
        for i in range(len(words) - COPY_RUN + 1):
            gram = tuple(words[i : i + COPY_RUN])
            if gram in seed_grams:
                copied.append((label, " ".join(gram), seed_grams[gram]))
    assert not copied, f"text shares {COPY_RUN}+ words with a seed: {copied}"


# --------------------------------------------------------------------------- safety


def test_safety_rules(catalogue):
    rules = catalogue["safety"]
    assert 5 <= len(rules) <= 8
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    for r in rules:
        assert isinstance(r["text"], str) and r["text"].strip()
        assert r["sources"] and all(src in ALL_SEEDS for src in r["sources"]), r["id"]


# --------------------------------------------------------------------------- spoken style


def test_spoken_text_is_voice_friendly(catalogue, routines):
    bad = []
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
            assert set(entry) <= {"id", "hold", "reps"}, (r["id"], entry)
            assert entry["id"] in stretches, f"{r['id']}: unknown stretch {entry['id']}"
            s = stretches[entry["id"]]
            for key in ("hold", "reps"):
                if key in entry:
                    value = entry[key]
                    assert isinstance(value, int), (r["id"], entry)
                    assert s[key]["min"] <= value <= s[key]["max"], (r["id"], entry)


def test_every_stretch_used_by_a_routine(catalogue, routines):
    used = {e["id"] for r in routines for e in r["stretches"]}
    unused = {s["id"] for s in catalogue["stretches"]} - used
    assert not unused, f"stretches in no routine: {sorted(unused)}"


def _routine_seconds(routine, stretches):
    total = 0
    for entry in routine["stretches"]:
        s = stretches[entry["id"]]
        hold = entry.get("hold", s["hold"]["default"])
        reps = entry.get("reps", s["reps"]["default"])
        sides = 2 if s["sides"] == "left_right" else 1
        per = hold if s["kind"] == "count" else hold + REST_SECONDS
        total += sides * reps * per + INSTRUCTION_SECONDS
    return total


def test_routine_length_roughly_three_to_ten_minutes(stretches, routines):
    for r in routines:
        seconds = _routine_seconds(r, stretches)
        assert 150 <= seconds <= 660, f"{r['id']} takes about {seconds} s"
