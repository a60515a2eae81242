"""Words for stored values (priorauth/domain/vocab.py), the rules the other vocabulary tests
leave open: a value is labelled by the vocabulary asked for or by its member's own, never by
another vocabulary that happens to know the same string, and a refused registration names
the values that do not match."""

from __future__ import annotations

import pytest

from priorauth.domain import vocab
from priorauth.domain.vocab import Channel, InfusionStatus, label


@pytest.fixture
def registry(monkeypatch):
    """Vocabularies registered by a test are forgotten after it."""
    monkeypatch.setattr(vocab, "_LABELS", dict(vocab._LABELS))


def test_a_value_the_given_vocabulary_does_not_know_comes_back_as_it_is():
    assert label("tsat", InfusionStatus) == "tsat"
    assert label("portal", Channel) == "Payer portal"


def test_a_member_takes_the_words_of_its_own_vocabulary(registry):
    @vocab.labelled({"portal": "Web form", "fax": "Fax"})
    class Route(vocab.Vocabulary):
        PORTAL = "portal"
        FAX = "fax"

    assert label(Route.PORTAL) == "Web form"
    assert Route.PORTAL.label == "Web form"
    assert label("portal", Route) == "Web form"
    assert label(Channel.PORTAL) == "Payer portal"


def test_labels_registered_for_an_enum_defined_elsewhere(registry):
    from enum import StrEnum

    class Shade(StrEnum):
        LIGHT = "light"
        DARK = "dark"

    labels = {"light": "Light", "dark": "Dark"}
    vocab.register_labels(Shade, labels)
    labels["dark"] = "changed afterwards"
    assert [label(member) for member in Shade] == ["Light", "Dark"]
    assert vocab.choices(Shade) == [("light", "Light"), ("dark", "Dark")]


def test_a_refused_registration_names_the_values_that_do_not_match():
    with pytest.raises(ValueError) as refused:

        @vocab.labelled({"one": "One", "three": "Three"})
        class Partial(vocab.Vocabulary):
            ONE = "one"
            TWO = "two"

    assert str(refused.value).startswith("Partial labels do not match its values: {")
    assert "'two'" in str(refused.value) and "'three'" in str(refused.value)
    assert "'one'" not in str(refused.value)
