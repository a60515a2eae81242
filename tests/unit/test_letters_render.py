"""Letter templates render in a sandbox with plain values only (priorauth/letters)."""

from __future__ import annotations

import pytest

from priorauth.domain.letters import PLACEHOLDERS, letter_context
from priorauth.domain.vocab import LetterKind
from priorauth.letters import TemplateRefused, default_body, render
from priorauth.letters.sample import sample_facts
from tests.unit.test_letters_appeals import EVIDENCE, FACTS, NAMES, POLICY, TODAY

CONTEXT = letter_context(FACTS, EVIDENCE, POLICY, NAMES, TODAY)


@pytest.mark.parametrize(
    "body",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ patient.__class__ }}",
        "{{ request.items.__globals__ }}",
        "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
    ],
)
def test_the_sandbox_refuses_python_internals(body):
    with pytest.raises(TemplateRefused, match="unsafe|undefined|no attribute"):
        render(body, CONTEXT)


@pytest.mark.parametrize("body", ["{{ config }}", "{{ nobody }}", "{{ patient.ssn }}", "{{ g }}"])
def test_unknown_names_are_refused_not_left_blank(body):
    with pytest.raises(TemplateRefused, match="undefined|no attribute"):
        render(body, CONTEXT)


def test_a_syntax_error_is_refused_with_its_line():
    with pytest.raises(TemplateRefused, match="line 2"):
        render("Dear payer,\n{% if %}", CONTEXT)


def test_text_is_not_html_escaped():
    context = letter_context(
        FACTS.__class__(**{**FACTS.__dict__, "patient_name": "O'Brien & <Co>"}),
        EVIDENCE,
        POLICY,
        NAMES,
        TODAY,
    )
    assert render("{{ patient.name }}", context) == "O'Brien & <Co>"


def test_the_medical_necessity_default_cites_the_request_and_its_evidence():
    text = render(default_body(LetterKind.MEDICAL_NECESSITY), CONTEXT)
    for part in (
        "MRN-77",
        "1970-03-01",
        "M123",
        "Blue Harbor Health",
        "J1439",
        "ferric carboxymaltose",
        "750 mg per administration",
        "2 administrations",
        "1500 billing units",
        "2026-03-02",
        "2026-05-30",
        "D50.9 Iron deficiency anemia, unspecified",
        "K90.0 Celiac disease",
        "ferritin 12 ng/mL on 2026-02-10",
        "TSAT 9 % on 2026-02-10",
        "hemoglobin 9.8 g/dL on 2026-02-11",
        "ferrous sulfate from 2025-10-01 to 2026-01-05",
        "inadequate response",
        "CKD stage 3, no dialysis",
        "J1756 iron sucrose on 2025-06-03",
        "Dr. Grace Hopper",
        "Harbor Infusion",
    ):
        assert part in text, part


def test_the_appeal_default_shows_reason_deadline_and_argument():
    facts = FACTS.__class__(**{**FACTS.__dict__, "denial_reason": "labs_out_of_range"})
    context = letter_context(facts, EVIDENCE, POLICY, NAMES, TODAY)
    text = render(default_body(LetterKind.APPEAL), context)
    assert "Labs out of range or too old" in text
    assert "Appeal deadline: 2026-08-19" in text
    assert context["denial"]["argument"] in text


def test_every_kind_has_a_default_and_it_renders_with_the_sample():
    facts, evidence = sample_facts()
    context = letter_context(facts, evidence, None, {}, facts.requested_start)
    for kind in LetterKind:
        assert "MRN-0000" in render(default_body(kind), context)


def test_each_placeholder_listed_exists_in_the_context():
    for names, _ in PLACEHOLDERS:
        root = names.split(" ")[0].split(".")[0].rstrip(",")
        assert root in CONTEXT, root
