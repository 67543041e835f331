"""``skill.profile.Profile``: validation of stored data, migration, settings, history. Plain Python, no store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skill.catalogue import load_catalogue
from skill.engine import RoutineState
from skill.profile import (
    BEGINNER_HOLD_SECONDS,
    HOLD_RANGE,
    MAX_OWN_ROUTINE,
    MAX_SESSION_DATES,
    REPS_RANGE,
    SCHEMA_VERSION,
    Level,
    Profile,
)

CATALOGUE = load_catalogue()
ROUTINE_IDS = frozenset(CATALOGUE.routines)
STRETCH_IDS = frozenset(CATALOGUE.stretches)
TODAY = dt.date(2026, 11, 21)

PROGRESS = {
    "routine": "morning",
    "items": [["single_knee_to_chest", 20, 1], ["double_knee_to_chest", 20, 1], ["knee_to_chest_pulses", 5, 8]],
    "position": 7,
    "status": "playing",
    "chunk": [0, 12, 1_795_000_000_000, [5200, 9100, 13000, 17500, 42000, 46000, 50000, 75000, 80000, 86000, 110000, 115000, 141000]],
    "done": [0],
    "skipped": [],
    "updated_at": 1_795_000_000,
}
# The routine in progress as the profile holds it: checked, typed, and written back in its own shape.
STATE = RoutineState.from_dict(PROGRESS, CATALOGUE)
COUNTS = {"childs_pose": 3, "pelvic_tilt": 1, "single_knee_to_chest": 100}

FULL = {
    "schema": SCHEMA_VERSION,
    "preferred_routine": "lower_back",
    "hold_seconds": 30,
    "reps": 5,
    "level": "beginner",
    "own_routine": ["childs_pose", "pelvic_tilt"],
    "progress": PROGRESS,
    "session_dates": ["2026-11-19", "2026-11-20", "2026-11-21"],
    "disclaimer_given": 1,
    "hint_given": 1,
    "stretch_counts": COUNTS,
}
OTHER_FIELDS = (
    "preferred_routine", "hold_seconds", "reps", "level", "own_routine",
    "progress", "session_dates", "disclaimer_given", "hint_given", "stretch_counts",
)


def load(raw: Any) -> tuple[Profile, bool]:
    """``Profile.from_attributes`` checked against the real catalogue's ids."""
    return Profile.from_attributes(raw, ROUTINE_IDS, STRETCH_IDS)


def days_ago(*offsets: int) -> tuple[str, ...]:
    """ISO dates ``offset`` days before ``TODAY``, oldest first."""
    return tuple(sorted((TODAY - dt.timedelta(days=n)).isoformat() for n in offsets))


def assert_plain(value: Any, path: str = "attributes") -> None:
    """Only str, int (not bool), list and dict, all the way down: what boto3 and JSON both store as is."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), f"{path}: key {key!r} is not a string"
            assert_plain(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            assert_plain(item, f"{path}[{index}]")
    else:
        assert type(value) in (str, int), f"{path} is {type(value).__name__}: {value!r}"


# -- round trips ------------------------------------------------------------------------------


def test_full_profile_round_trips_without_reset() -> None:
    """Every field survives to_attributes -> from_attributes unchanged."""
    profile, reset = load(FULL)
    assert not reset
    assert profile == Profile(
        preferred_routine="lower_back",
        hold_seconds=30,
        reps=5,
        level=Level.BEGINNER,
        own_routine=("childs_pose", "pelvic_tilt"),
        progress=STATE,
        session_dates=("2026-11-19", "2026-11-20", "2026-11-21"),
        disclaimer_given=True,
        hint_given=True,
        stretch_counts=(("childs_pose", 3), ("pelvic_tilt", 1), ("single_knee_to_chest", 100)),
    )
    assert load(profile.to_attributes()) == (profile, False)
    assert profile.to_attributes() == {**FULL, "progress": STATE.to_dict()}


def test_default_profile_round_trips_and_empty_data_is_no_reset() -> None:
    """No stored item at all is a new user, not a reset."""
    assert Profile.from_attributes({}) == (Profile(), False)
    assert Profile.from_attributes(None) == (Profile(), False)
    assert load(Profile().to_attributes()) == (Profile(), False)
    assert Profile().to_attributes() == {"schema": SCHEMA_VERSION, "level": "standard", "disclaimer_given": 0, "hint_given": 0}


profiles = st.builds(
    Profile,
    preferred_routine=st.none() | st.sampled_from(sorted(ROUTINE_IDS)),
    hold_seconds=st.none() | st.integers(*HOLD_RANGE),
    reps=st.none() | st.integers(*REPS_RANGE),
    level=st.sampled_from(list(Level)),
    own_routine=st.lists(st.sampled_from(sorted(STRETCH_IDS)), max_size=MAX_OWN_ROUTINE).map(tuple),
    progress=st.none() | st.just(STATE),
    session_dates=st.lists(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), unique=True, max_size=MAX_SESSION_DATES)
    .map(lambda dates: tuple(d.isoformat() for d in sorted(dates))),
    disclaimer_given=st.booleans(),
    hint_given=st.booleans(),
    stretch_counts=st.dictionaries(st.sampled_from(sorted(STRETCH_IDS)), st.integers(0, 100)).map(lambda counts: tuple(sorted(counts.items()))),
)


@given(profiles)
def test_any_valid_profile_round_trips_and_stores_only_strings_and_ints(profile: Profile) -> None:
    """Property: a valid profile comes back equal, unreset, and its attributes hold no floats or bools."""
    attributes = profile.to_attributes()
    assert_plain(attributes)
    assert load(attributes) == (profile, False)


@given(profiles)
def test_decimal_numbers_as_dynamodb_returns_them_are_accepted(profile: Profile) -> None:
    """DynamoDB gives every number back as Decimal; the profile reads them as the same ints."""

    def decimalise(value: Any) -> Any:
        """Every int as a Decimal, recursively."""
        if isinstance(value, dict):
            return {k: decimalise(v) for k, v in value.items()}
        if isinstance(value, list):
            return [decimalise(v) for v in value]
        return Decimal(value) if type(value) is int else value

    again, reset = load(decimalise(profile.to_attributes()))
    assert not reset
    assert again == profile
    assert all(type(n) is int for _, n in again.stretch_counts)
    assert type(again.settings().hold_seconds) in (int, type(None))
    assert type(again.settings().reps) in (int, type(None))


def test_decimal_values_become_plain_ints() -> None:
    """Decimal('30') is read as int 30, and written back as int."""
    profile, reset = load(
        {
            "schema": Decimal(1),
            "hold_seconds": Decimal("30"),
            "reps": Decimal("5"),
            "disclaimer_given": Decimal(1),
            "hint_given": Decimal(1),
            "stretch_counts": {"childs_pose": Decimal("3")},
        }
    )
    assert not reset
    assert profile.hold_seconds == 30 and type(profile.hold_seconds) is int
    assert profile.reps == 5 and type(profile.reps) is int
    assert profile.disclaimer_given is True and profile.hint_given is True
    assert profile.stretch_counts == (("childs_pose", 3),) and type(profile.stretch_counts[0][1]) is int
    assert_plain(profile.to_attributes())


# -- resets -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("hold_seconds", 30.0),
        ("hold_seconds", 30.5),
        ("hold_seconds", Decimal("30.5")),
        ("hold_seconds", True),
        ("hold_seconds", "30"),
        ("hold_seconds", None),
        ("hold_seconds", [30]),
        ("hold_seconds", HOLD_RANGE[0] - 5),
        ("hold_seconds", HOLD_RANGE[1] + 5),
        ("hold_seconds", -30),
        ("reps", 5.0),
        ("reps", False),
        ("reps", "5"),
        ("reps", REPS_RANGE[0] - 1),
        ("reps", REPS_RANGE[1] + 1),
        ("level", "expert"),
        ("level", 1),
        ("level", None),
        ("preferred_routine", "pizza"),
        ("preferred_routine", 3),
        ("own_routine", ["childs_pose", "no_such_stretch"]),
        ("own_routine", "childs_pose"),
        ("own_routine", ["childs_pose", 3]),
        ("own_routine", ["childs_pose"] * (MAX_OWN_ROUTINE + 1)),
        ("progress", "position 3"),
        ("progress", ["morning"]),
        ("session_dates", ["2026-11-21", "yesterday"]),
        ("session_dates", "2026-11-21"),
        ("session_dates", [20261121]),
        ("disclaimer_given", True),
        ("disclaimer_given", 2),
        ("disclaimer_given", "yes"),
        ("hint_given", True),
        ("hint_given", 2),
        ("hint_given", -1),
        ("hint_given", "1"),
        ("hint_given", Decimal("0.5")),
        ("stretch_counts", {**COUNTS, "no_such_stretch": 2}),
        ("stretch_counts", {**COUNTS, "childs_pose": 101}),
        ("stretch_counts", {**COUNTS, "childs_pose": -1}),
        ("stretch_counts", {**COUNTS, "childs_pose": 2.5}),
        ("stretch_counts", {**COUNTS, "childs_pose": Decimal("2.5")}),
        ("stretch_counts", {**COUNTS, "childs_pose": True}),
        ("stretch_counts", {**COUNTS, "childs_pose": "3"}),
        ("stretch_counts", {**COUNTS, "childs_pose": None}),
        ("stretch_counts", [["childs_pose", 3]]),
        ("stretch_counts", "childs_pose"),
        ("stretch_counts", 3),
    ],
)
def test_a_bad_field_is_reset_to_its_default_and_the_rest_is_kept(field: str, bad: Any) -> None:
    """One invalid value resets that field only, and says so."""
    raw = {**FULL, field: bad}
    profile, reset = load(raw)
    assert reset, f"{field}={bad!r} was accepted"
    assert getattr(profile, field) == getattr(Profile(), field)
    expected, _ = load(FULL)
    for other in OTHER_FIELDS:
        if other != field:
            assert getattr(profile, other) == getattr(expected, other), other


@pytest.mark.parametrize("hold", [HOLD_RANGE[0], 45, HOLD_RANGE[1]])
def test_hold_range_ends_are_kept(hold: int) -> None:
    """10 and 90 seconds are inside the range."""
    profile, reset = load({"schema": 1, "hold_seconds": hold})
    assert (profile.hold_seconds, reset) == (hold, False)


@pytest.mark.parametrize("hold", [5, 9, 91, 95])
def test_hold_outside_10_to_90_is_reset(hold: int) -> None:
    """Holds of 5 or 95 seconds are not kept."""
    profile, reset = load({"schema": 1, "hold_seconds": hold})
    assert (profile.hold_seconds, reset) == (None, True)


def test_own_routine_ids_are_checked_only_against_a_given_catalogue() -> None:
    """With the catalogue's ids an unknown stretch resets the routine; without them the ids are kept."""
    raw = {"schema": 1, "own_routine": ["childs_pose", "retired_stretch"]}
    assert load(raw) == (Profile(), True)
    unchecked, reset = Profile.from_attributes(raw)
    assert unchecked.own_routine == ("childs_pose", "retired_stretch") and not reset


@pytest.mark.parametrize("schema", ["1", 1.0, True, None, [1]])
def test_unreadable_schema_starts_again(schema: Any) -> None:
    """A schema number that is not a whole number is not guessed at: defaults, and reset is reported."""
    assert load({**FULL, "schema": schema}) == (Profile(), True)


@pytest.mark.parametrize("schema", [SCHEMA_VERSION + 1, 99, Decimal(99)])
def test_a_newer_schema_is_read_field_by_field(schema: Any) -> None:
    """Data written by a newer release (then rolled back) keeps every field this release knows."""
    assert load({**FULL, "schema": schema, "a_future_field": "kept elsewhere"}) == load(FULL)


@pytest.mark.parametrize("raw", ["garbage", ["hold_seconds", 30], 42, b"bytes"])
def test_data_that_is_not_a_mapping_resets_everything(raw: Any) -> None:
    """Stored data of the wrong shape: defaults, reported."""
    assert load(raw) == (Profile(), True)


def test_schema_0_data_migrates_and_keeps_progress() -> None:
    """Before profiles, only the interrupted routine was kept: {"progress": {...}} with no schema."""
    profile, reset = load({"progress": PROGRESS})
    assert not reset
    assert profile == Profile(progress=STATE)
    migrated = profile.to_attributes()
    assert migrated["schema"] == SCHEMA_VERSION and migrated["progress"] == STATE.to_dict()


def test_schema_0_data_keeps_every_field_it_can_read() -> None:
    """Old items with settings are migrated field by field, not thrown away."""
    profile, reset = load({"progress": PROGRESS, "hold_seconds": 45, "reps": 3})
    assert not reset
    assert (profile.progress, profile.hold_seconds, profile.reps) == (STATE, 45, 3)


@pytest.mark.parametrize("bad", [20.5, True, Decimal("1.5")], ids=["float", "bool", "decimal-fraction"])
def test_progress_with_non_integer_numbers_is_not_carried_into_stored_attributes(bad: Any) -> None:
    """"Only strings and integers are stored": a progress value that is a float/bool is reset, not stored."""
    progress = {**PROGRESS, "updated_at": bad}
    profile, reset = load({"schema": 1, "progress": progress})
    assert reset
    assert_plain(profile.to_attributes())


def test_corrupt_marker_from_a_store_is_not_a_profile_field() -> None:
    """The stores return {"_corrupt": ...} for unreadable items; it never leaks into stored attributes."""
    profile, _ = load({"_corrupt": "{not json"})
    assert profile == Profile()
    assert "_corrupt" not in profile.to_attributes()


def test_corrupt_marker_from_a_store_counts_as_a_reset() -> None:
    """An item the store could not decode is reported as reset (the user is told in one sentence)."""
    assert load({"_corrupt": "{not json"}) == (Profile(), True)


# -- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "hold", "reps"),
    [
        (Profile(), None, None),
        (Profile(level=Level.BEGINNER), BEGINNER_HOLD_SECONDS, None),
        (Profile(level=Level.BEGINNER, hold_seconds=30), 30, None),
        (Profile(level=Level.BEGINNER, reps=4), BEGINNER_HOLD_SECONDS, 4),
        (Profile(level=Level.STANDARD, hold_seconds=45, reps=2), 45, 2),
        (Profile(level=Level.STANDARD), None, None),
    ],
)
def test_settings_beginner_means_10_seconds_unless_a_hold_is_set(profile: Profile, hold: int | None, reps: int | None) -> None:
    """An explicit hold wins over the beginner's 10 s; standard keeps the stretch defaults (None)."""
    settings = profile.settings()
    assert (settings.hold_seconds, settings.reps) == (hold, reps)


def test_beginner_hold_is_10_seconds() -> None:
    """Beginners hold each stretch for 10 seconds."""
    assert BEGINNER_HOLD_SECONDS == 10


# -- history ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "streak", "week"),
    [
        ((), 0, 0),
        (days_ago(0), 1, 1),
        (days_ago(1), 1, 1),
        (days_ago(2), 0, 1),
        (days_ago(0, 1, 2), 3, 3),
        (days_ago(1, 2, 3), 3, 3),
        (days_ago(0, 2, 3), 1, 3),
        (days_ago(0, 1, 3, 4, 5), 2, 5),
        (days_ago(6), 0, 1),
        (days_ago(7), 0, 0),
        (days_ago(*range(10)), 10, 7),
        (days_ago(0, 8, 9), 1, 1),
        (((TODAY + dt.timedelta(days=1)).isoformat(),), 0, 0),
    ],
)
def test_streak_and_sessions_this_week(dates: tuple[str, ...], streak: int, week: int) -> None:
    """Days in a row ending today or yesterday; days with a session in the seven days up to today."""
    profile = Profile(session_dates=dates)
    assert profile.streak(TODAY) == streak
    assert profile.sessions_this_week(TODAY) == week


def test_record_session_is_idempotent_per_day() -> None:
    """Two sessions on one day count once; the next day adds a date."""
    once = Profile().record_session(TODAY)
    assert once.session_dates == (TODAY.isoformat(),)
    assert once.record_session(TODAY) is once
    twice = once.record_session(TODAY + dt.timedelta(days=1))
    assert twice.session_dates == (TODAY.isoformat(), (TODAY + dt.timedelta(days=1)).isoformat())


def test_record_session_keeps_at_most_max_session_dates() -> None:
    """A year of daily sessions keeps only the newest MAX_SESSION_DATES dates."""
    profile = Profile()
    start = TODAY - dt.timedelta(days=364)
    for n in range(365):
        profile = profile.record_session(start + dt.timedelta(days=n))
    assert len(profile.session_dates) == MAX_SESSION_DATES
    assert profile.session_dates[-1] == TODAY.isoformat()
    assert profile.session_dates[0] == (TODAY - dt.timedelta(days=MAX_SESSION_DATES - 1)).isoformat()
    assert profile.streak(TODAY) == MAX_SESSION_DATES
    assert load(profile.to_attributes()) == (profile, False)


def test_too_many_stored_dates_are_trimmed_to_the_newest_without_a_reset() -> None:
    """Stored dates out of order and over the bound: sorted, the newest kept, nothing reported."""
    dates = [(TODAY - dt.timedelta(days=n)).isoformat() for n in range(MAX_SESSION_DATES + 20)]
    profile, reset = load({"schema": 1, "session_dates": dates})
    assert not reset
    assert len(profile.session_dates) == MAX_SESSION_DATES
    assert profile.session_dates == tuple(sorted(dates)[-MAX_SESSION_DATES:])


# -- familiar stretches ---------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "familiar"), [(0, False), (1, False), (2, False), (3, True), (4, True), (100, True)])
def test_a_stretch_is_familiar_from_its_third_finish(count: int, familiar: bool) -> None:
    """Finished three times or more: familiar; fewer: not."""
    profile = Profile(stretch_counts=(("childs_pose", count), ("pelvic_tilt", 5)))
    assert ("childs_pose" in profile.familiar()) is familiar
    assert "pelvic_tilt" in profile.familiar()


def test_a_new_user_knows_no_stretch() -> None:
    """No counts: nothing is familiar."""
    assert Profile().familiar() == frozenset()


def test_record_finished_counts_each_stretch_once_per_call() -> None:
    """One finish of a routine adds one to each stretch in it, however often the id is listed."""
    once = Profile().record_finished(["pelvic_tilt", "childs_pose", "pelvic_tilt"])
    assert dict(once.stretch_counts) == {"pelvic_tilt": 1, "childs_pose": 1}
    twice = once.record_finished(["childs_pose"])
    assert dict(twice.stretch_counts) == {"pelvic_tilt": 1, "childs_pose": 2}
    assert dict(once.stretch_counts) == {"pelvic_tilt": 1, "childs_pose": 1}, "profiles are values: the old one is unchanged"


def test_record_finished_three_times_makes_the_stretches_familiar() -> None:
    """After the third finished routine its stretches are familiar, others not."""
    profile = Profile()
    for _ in range(2):
        profile = profile.record_finished(["childs_pose", "pelvic_tilt"])
    assert profile.familiar() == frozenset()
    profile = profile.record_finished(["childs_pose"])
    assert profile.familiar() == {"childs_pose"}


def test_record_finished_with_nothing_done_changes_nothing() -> None:
    """A routine where every stretch was skipped adds no counts."""
    profile = Profile(stretch_counts=(("childs_pose", 2),))
    assert profile.record_finished([]).stretch_counts == (("childs_pose", 2),)


def test_record_finished_stops_at_a_hundred_and_stays_valid() -> None:
    """Counts stop at 100, so a long-time user's profile never holds a value the loader would reset."""
    profile = Profile(stretch_counts=(("childs_pose", 99),))
    for _ in range(5):
        profile = profile.record_finished(["childs_pose"])
    assert profile.stretch_counts == (("childs_pose", 100),)
    assert load(profile.to_attributes()) == (profile, False)


def test_recorded_counts_round_trip_in_a_stable_order() -> None:
    """Counts recorded in any order store as a map and load back equal to the profile that wrote them."""
    profile = Profile().record_finished(["pelvic_tilt", "childs_pose"]).record_finished(["knee_twist", "childs_pose"])
    assert dict(profile.stretch_counts) == {"childs_pose": 2, "knee_twist": 1, "pelvic_tilt": 1}
    attributes = profile.to_attributes()
    assert isinstance(attributes["stretch_counts"], dict)
    assert_plain(attributes)
    assert load(attributes) == (profile, False)


@pytest.mark.parametrize("count", [0, 100])
def test_stretch_count_range_ends_are_kept(count: int) -> None:
    """0 and 100 are inside the range."""
    profile, reset = load({"schema": 1, "stretch_counts": {"childs_pose": count}})
    assert (profile.stretch_counts, reset) == ((("childs_pose", count),), False)


def test_empty_stretch_counts_are_no_reset_and_are_not_stored() -> None:
    """An empty map is a user with no finishes; a profile without counts stores no map."""
    assert load({"schema": 1, "stretch_counts": {}}) == (Profile(), False)
    assert "stretch_counts" not in Profile().to_attributes()


def test_stretch_count_ids_are_checked_only_against_a_given_catalogue() -> None:
    """With the catalogue's ids a retired stretch resets the counts; without them the ids are kept."""
    raw = {"schema": 1, "stretch_counts": {"childs_pose": 3, "retired_stretch": 4}}
    assert load(raw) == (Profile(), True)
    unchecked, reset = Profile.from_attributes(raw)
    assert dict(unchecked.stretch_counts) == {"childs_pose": 3, "retired_stretch": 4} and not reset


def test_hint_and_disclaimer_flags_are_independent() -> None:
    """Each flag is stored as 0/1 on its own: a user told the safety note may not have heard the hint."""
    for disclaimer, hint in ((True, False), (False, True)):
        profile = Profile(disclaimer_given=disclaimer, hint_given=hint)
        attributes = profile.to_attributes()
        assert (attributes["disclaimer_given"], attributes["hint_given"]) == (int(disclaimer), int(hint))
        assert load(attributes) == (profile, False)


def test_data_from_before_the_hint_and_counts_loads_with_their_defaults() -> None:
    """Items written before these fields existed: no hint given, no counts, and nothing reported as reset."""
    old = {k: v for k, v in FULL.items() if k not in ("hint_given", "stretch_counts")}
    profile, reset = load(old)
    assert not reset
    assert (profile.hint_given, profile.stretch_counts) == (False, ())
    assert profile.disclaimer_given is True and profile.hold_seconds == 30


# -- per stretch: the way to longer holds, and pain -------------------------------------------------

GROWTH = {"single_knee_to_chest": [15, 3, 1, "2026-11-20"], "double_knee_to_chest": [15, 5, 0, ""]}
PAIN = {"lying_hamstring_stretch": ["2026-11-19", ["2026-11-20"]], "childs_pose": ["2026-11-21", []]}


def test_growth_and_pain_round_trip_as_plain_data() -> None:
    profile, reset = load({**FULL, "growth": GROWTH, "pain": PAIN})
    assert not reset
    attributes = profile.to_attributes()
    assert attributes["growth"] == GROWTH and attributes["pain"] == PAIN
    assert_plain(attributes)
    assert load(attributes) == (profile, False)


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("growth", {"no_such_stretch": [15, 1, 0, ""]}),
        ("growth", {"single_knee_to_chest": [Decimal("1E+125"), 1, 0, ""]}),
        ("growth", {"single_knee_to_chest": [15, -1, 0, ""]}),
        ("growth", {"single_knee_to_chest": [15, 1, 2, ""]}),
        ("growth", {"single_knee_to_chest": [15.5, 1, 0, ""]}),
        ("growth", {"single_knee_to_chest": [15, 1, 0, "2026-02-30"]}),
        ("growth", {"single_knee_to_chest": [15, 1, 0]}),
        ("growth", {"single_knee_to_chest": "15"}),
        ("pain", {"childs_pose": ["21/11/2026", []]}),
        ("pain", {"childs_pose": ["2026-11-21", ["2026-11-20"]]}),  # pain-free before it hurt
        ("pain", {"childs_pose": ["2026-11-19", ["2026-11-20", "2026-11-21"]]}),  # two: it would be forgotten
        ("pain", {"childs_pose": ["2026-11-19", ["x" * 10_000]]}),
    ],
)
def test_a_bad_entry_per_stretch_is_dropped_and_the_good_ones_kept(field: str, bad: dict[str, Any]) -> None:
    good = {"growth": GROWTH, "pain": PAIN}[field]
    profile, reset = load({**FULL, field: {**good, **bad}})
    assert reset, "said once, and written back cleaned"
    kept = profile.to_attributes()[field]
    assert set(kept) == set(good) - set(bad) and all(kept[k] == good[k] for k in kept)


def test_a_chosen_hold_outside_the_catalogues_range_is_moved_inside_it() -> None:
    top = CATALOGUE.stretch("single_knee_to_chest").hold.max
    profile, reset = load({**FULL, "growth": {"single_knee_to_chest": [top + 5, 0, 1, ""]}})
    assert not reset and profile.to_attributes()["growth"]["single_knee_to_chest"] == [top, 0, 1, ""]


def test_growth_and_pain_are_bounded_by_the_catalogue() -> None:
    too_many = {f"stretch_{n}": [15, 1, 0, ""] for n in range(len(STRETCH_IDS) + 1)}
    profile, reset = load({**FULL, "growth": too_many})
    assert reset and profile.growth == ()


@pytest.mark.parametrize("zone", ["../../etc/passwd", "Mars/Olympus_Mons", 7, "", "America/" + "x" * 80, "/etc/localtime"])
def test_a_stored_time_zone_that_is_no_known_zone_is_reset(zone: object) -> None:
    profile, reset = Profile.from_attributes({"schema": 1, "hold_seconds": 30, "time_zone": zone})
    assert reset and profile.time_zone is None and profile.hold_seconds == 30


def test_a_known_time_zone_is_kept_and_written_back() -> None:
    profile, reset = Profile.from_attributes({"schema": 1, "time_zone": "America/Los_Angeles"})
    assert not reset and profile.time_zone == "America/Los_Angeles"
    assert profile.to_attributes()["time_zone"] == "America/Los_Angeles"
