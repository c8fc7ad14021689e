"""clean_attribute_values: every datatype accepted and refused, all problems reported together."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.catalog.attributes import clean_attribute_values
from apps.catalog.models import Datatype
from apps.core.errors import ValidationFailed

PERIODS = [("morning", "早晨"), ("evening", "晚间"), ("night", "夜间")]


@pytest.fixture
def category(make_category, make_attribute):
    category = make_category("ENV-NOISE")
    make_attribute(category, "source", Datatype.SINGLEVALUELIST, required=True, order=1,
                   values=[("construction", "建筑施工"), ("square_dance", "广场舞"), ("7", "其他")])  # fmt: skip
    make_attribute(category, "periods", Datatype.MULTIVALUELIST, order=2, values=PERIODS)
    make_attribute(category, "pole", Datatype.STRING, order=3)
    make_attribute(category, "details", Datatype.TEXT, order=4)
    make_attribute(category, "count", Datatype.NUMBER, order=5)
    make_attribute(category, "since", Datatype.DATETIME, order=6)
    make_attribute(category, "notice", Datatype.TEXT, order=7, variable=False, description="只作说明")
    return category


def refused(category, values) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        clean_attribute_values(category=category, values=values)
    assert caught.value.code == "validation_error"
    return caught.value.fields


def test_valid_answers_come_back_normalised(category):
    cleaned = clean_attribute_values(
        category=category,
        values={
            "source": " square_dance ",
            "periods": ["night", "morning"],
            "pole": "  LX-0123 ",
            "details": "每天晚上八点开始",
            "count": "3",
            "since": "2026-12-01T20:00:00",
        },
    )

    assert cleaned == {
        "source": "square_dance",
        "periods": ["morning", "night"],  # in the category's order
        "pole": "LX-0123",
        "details": "每天晚上八点开始",
        "count": 3,
        "since": "2026-12-01T20:00:00+08:00",
    }


def test_only_the_required_answer_is_needed_and_empty_answers_are_dropped(category):
    cleaned = clean_attribute_values(
        category=category, values={"source": "construction", "pole": "", "periods": [], "count": None}
    )

    assert cleaned == {"source": "construction"}


def test_every_problem_is_reported_at_once(category):
    fields = refused(
        category,
        {
            "periods": ["night", "noon"],
            "pole": "x" * 201,
            "details": "y" * 4001,
            "count": "three",
            "since": "yesterday",
            "colour": "red",
            "notice": "I answer anyway",
        },
    )

    assert fields == {
        "attributes.colour": ["“colour” is not an attribute of “噪音扰民”; remove it."],
        "attributes.source": ["“Source” is required: give an answer."],
        "attributes.periods": ["noon: not choices of “Periods”; use keys from morning, evening, night."],
        "attributes.pole": ["“Pole” is 201 characters long; shorten it to at most 200."],
        "attributes.details": ["“Details” is 4001 characters long; shorten it to at most 4000."],
        "attributes.count": ["“Count” must be a number, such as 12 or 3.5."],
        "attributes.since": ["“Since” must be a date and time in ISO 8601, such as 2026-12-01T08:30:00+08:00."],
        "attributes.notice": ["“Notice” is information only and takes no answer; leave it out."],
    }


def test_the_message_counts_the_problems(category):
    with pytest.raises(ValidationFailed) as caught:
        clean_attribute_values(category=category, values={"count": "x"})

    assert caught.value.message == "2 attribute answer(s) need fixing: see the fields listed."


def test_limits_are_inclusive(category):
    cleaned = clean_attribute_values(
        category=category, values={"source": "7", "pole": "x" * 200, "details": "y" * 4000}
    )

    assert cleaned == {"source": "7", "pole": "x" * 200, "details": "y" * 4000}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (" -4 ", -4),
        ("3.5", 3.5),
        ("16.50", 16.5),
        ("12.0", 12),
        ("1e3", 1000),
        (7, 7),
        (2.25, 2.25),
        (Decimal("0.1"), 0.1),
    ],
)
def test_numbers_parse_to_numbers(category, raw, expected):
    cleaned = clean_attribute_values(category=category, values={"source": "7", "count": raw})

    assert cleaned["count"] == expected
    assert type(cleaned["count"]) is type(expected)


@pytest.mark.parametrize("raw", ["", "abc", "1,5", "NaN", "Infinity", "-inf", "1e99999999", True, [1], {"n": 1}])
def test_non_numbers_are_refused(category, raw):
    values = {"source": "7", "count": raw}
    if raw == "":
        # An empty answer is "not given", and count is optional.
        assert clean_attribute_values(category=category, values=values) == {"source": "7"}
        return

    fields = refused(category, values)

    assert list(fields) == ["attributes.count"]


def test_float_infinity_is_refused(category):
    assert list(refused(category, {"source": "7", "count": float("inf")})) == ["attributes.count"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-12-01T20:00:00", "2026-12-01T20:00:00+08:00"),
        ("2026-12-01 20:00", "2026-12-01T20:00:00+08:00"),
        ("2026-12-01", "2026-12-01T00:00:00+08:00"),
        ("2026-12-01T12:00:00Z", "2026-12-01T12:00:00+00:00"),
        ("2026-12-01T12:00:00-05:00", "2026-12-01T12:00:00-05:00"),
        ("2026-12-01T08:30:15.250+08:00", "2026-12-01T08:30:15.250000+08:00"),
    ],
)
def test_datetimes_come_back_as_iso_with_offset(category, raw, expected):
    cleaned = clean_attribute_values(category=category, values={"source": "7", "since": raw})

    assert cleaned["since"] == expected


@pytest.mark.parametrize("raw", ["2026-13-01", "01/12/2026", "tomorrow", "2026-12-01T25:00", 1764547200, ["2026"]])
def test_bad_datetimes_are_refused(category, raw):
    assert list(refused(category, {"source": "7", "since": raw})) == ["attributes.since"]


@pytest.mark.parametrize("raw", ["other", "Construction", ["construction"], True, 3.5])
def test_single_choice_must_be_one_key(category, raw):
    fields = refused(category, {"source": raw})

    assert list(fields) == ["attributes.source"]


def test_single_choice_accepts_an_integer_for_a_numeric_key(category):
    assert clean_attribute_values(category=category, values={"source": 7}) == {"source": "7"}


def test_single_choice_message_lists_the_keys(category):
    assert refused(category, {"source": "other"}) == {
        "attributes.source": ["“other” is not a choice of “Source”: use one of construction, square_dance, 7."]
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("night,morning", ["morning", "night"]),
        (" evening , night ", ["evening", "night"]),
        ("night", ["night"]),
        (["evening"], ["evening"]),
        (("night", "evening", "morning"), ["morning", "evening", "night"]),
    ],
)
def test_multiple_choice_accepts_a_list_or_a_comma_separated_string(category, raw, expected):
    cleaned = clean_attribute_values(category=category, values={"source": "7", "periods": raw})

    assert cleaned["periods"] == expected


def test_multiple_choice_refuses_duplicates(category):
    assert refused(category, {"source": "7", "periods": ["night", "morning", "night"]}) == {
        "attributes.periods": ["night chosen more than once for “Periods”; give each choice once."]
    }
    assert list(refused(category, {"source": "7", "periods": "night,night"})) == ["attributes.periods"]


def test_refused_answers_are_echoed_short(category):
    assert refused(category, {"source": "x" * 1000, "periods": ["a", "b", "a", "c", "d", "e", "f", "g"]}) == {
        "attributes.source": [f"“{'x' * 39}…” is not a choice of “Source”: use one of construction, square_dance, 7."],
        "attributes.periods": ["a, b, c, d, e: not choices of “Periods”; use keys from morning, evening, night."],
    }


def test_a_long_list_of_duplicates_is_refused_quickly(category):
    assert list(refused(category, {"source": "7", "periods": ",".join(["night"] * 200_000)})) == ["attributes.periods"]


@pytest.mark.parametrize("raw", [["noon"], "morning,noon", 5, {"night": True}, [["night"]]])
def test_multiple_choice_refuses_anything_but_known_keys(category, raw):
    assert list(refused(category, {"source": "7", "periods": raw})) == ["attributes.periods"]


@pytest.mark.parametrize("raw", [5, ["a"], {"x": 1}])
def test_text_answers_must_be_text(category, raw):
    assert refused(category, {"source": "7", "pole": raw}) == {"attributes.pole": ["“Pole” must be text."]}


def test_whitespace_only_answer_counts_as_missing_for_required(category):
    assert refused(category, {"source": "   "}) == {"attributes.source": ["“Source” is required: give an answer."]}


def test_values_must_be_a_mapping(category):
    with pytest.raises(ValidationFailed) as caught:
        clean_attribute_values(category=category, values=["source"])

    assert list(caught.value.fields) == ["attributes"]


def test_a_category_without_attributes_accepts_only_nothing(make_category):
    category = make_category("PERMIT-MIGRANT", name="流动人口登记")

    assert clean_attribute_values(category=category, values={}) == {}
    assert clean_attribute_values(category=category, values=None) == {}
    with pytest.raises(ValidationFailed) as caught:
        clean_attribute_values(category=category, values={"x": "1"})
    assert caught.value.fields == {"attributes.x": ["“x” is not an attribute of “流动人口登记”; remove it."]}


def test_prefetched_attributes_are_used_without_queries(category, django_assert_num_queries):
    from apps.catalog.selectors import category_by_code

    loaded = category_by_code("ENV-NOISE")

    with django_assert_num_queries(0):
        assert clean_attribute_values(category=loaded, values={"source": "7"}) == {"source": "7"}
