"""The password rule: 12+ characters, not a common password, not the email or name."""

from __future__ import annotations

import pytest

from priorauth.demo import data as demo_data
from priorauth.services.passwords import problems


@pytest.mark.parametrize("password", ["a", "short-pass1", ""])
def test_short_passwords_are_refused(password):
    assert "must be at least 12 characters long" in problems(password)


@pytest.mark.parametrize(
    "password", ["password1234", "PASSWORD1234", "QwertY123456", "LeaveMeAlone"]
)
def test_common_passwords_are_refused_whatever_the_case(password):
    assert problems(password) == ["is on a list of the most common passwords"]


def test_password_is_not_the_email_or_the_name():
    assert problems("ann.smith@clinic.org", email="Ann.Smith@clinic.org") == [
        "must not be your email address or name"
    ]
    assert problems("annabelle.smith", email="annabelle.smith@clinic.org") == [
        "must not be your email address or name"
    ]
    assert problems("Annabelle Smithers", name="annabelle smithers") == [
        "must not be your email address or name"
    ]


def test_several_problems_are_all_named():
    assert problems("password", email="x@y.org") == [
        "must be at least 12 characters long",
        "is on a list of the most common passwords",
    ]


def test_an_over_long_password_is_refused():
    assert problems("x" * 257) == ["must be at most 256 characters long"]


@pytest.mark.parametrize("password", ["correct-horse-7", "violet-lantern-harbor", "x" * 256])
def test_good_passwords_pass(password):
    assert problems(password, email="ann@clinic.org", name="Ann") == []


def test_the_demo_password_passes():
    for box, name, _role in demo_data.USERS:
        email = f"{box}@{demo_data.EMAIL_DOMAIN}"
        assert problems(demo_data.PASSWORD, email=email, name=name) == []
