"""The closed vocabularies (priorauth/domain/vocab.py): every value has words, the same value
has the same words in every vocabulary, and the stored spellings are the ones stated here."""

from __future__ import annotations

import pytest

from priorauth.domain import vocab
from priorauth.domain.vocab import (
    Channel,
    EligibilityMethod,
    EligibilityResult,
    InfusionStatus,
    PayerKind,
    Role,
    Sex,
    Urgency,
    label,
)
from priorauth.domain.workflow import Status


def test_the_stored_spellings():
    assert InfusionStatus.values() == ("scheduled", "administered", "cancelled", "no_show")
    assert EligibilityResult.values() == ("active", "inactive", "changed_plan")
    assert EligibilityMethod.values() == ("portal", "phone", "electronic")
    assert Channel.values() == ("portal", "fax", "phone", "electronic")
    assert Role.values() == ("front_desk", "scheduler", "billing", "admin")
    assert PayerKind.values() == ("commercial", "medicare", "medicaid", "other")
    assert Urgency.values() == ("standard", "expedited")
    assert Sex.values() == ("F", "M", "X")


def test_members_have_labels_and_choices_follow_declaration_order():
    assert InfusionStatus.NO_SHOW.label == "No-show"
    assert Role.FRONT_DESK.label == "Front desk"
    assert EligibilityResult.choices() == [
        ("active", "Active"),
        ("inactive", "Inactive"),
        ("changed_plan", "Changed plan"),
    ]


def test_label_of_a_stored_string_a_member_and_an_unknown_value():
    assert label("partially_approved") == "Partially approved"
    assert label(Status.NOT_REQUIRED) == "Not required"
    assert label("no_show", InfusionStatus) == "No-show"
    assert label("retired", InfusionStatus) == "retired"
    assert label("tsat") == "TSAT"
    assert label("something_else") == "something_else"
    assert label(None) == ""


def test_every_label_is_words_and_a_value_means_the_same_everywhere():
    seen: dict[str, str] = {}
    for enum, labels in vocab.vocabularies().items():
        for value, words in labels.items():
            assert "_" not in words and words[0].isupper(), (enum.__name__, value, words)
            assert seen.setdefault(value, words) == words, (enum.__name__, value)


def test_an_enum_with_a_value_left_unlabelled_is_refused():
    with pytest.raises(ValueError, match="labels do not match"):

        @vocab.labelled({"one": "One"})
        class Partial(vocab.Vocabulary):
            ONE = "one"
            TWO = "two"
