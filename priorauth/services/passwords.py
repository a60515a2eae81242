"""The password rule: long enough, not a common password, not the person's email or name."""

from __future__ import annotations

from functools import cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 256  # beyond any password manager's; keeps hashing cheap


@cache
def _common_passwords() -> frozenset[str]:
    """About 30,000 passwords seen most often in leaks (shipped with zxcvbn), lower case."""
    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def _personal(email: str | None, name: str | None) -> set[str]:
    """The email, its part before the @, and the name, with and without spaces."""
    words = set()
    if email:
        email = email.strip().lower()
        words |= {email, email.partition("@")[0]}
    if name:
        name = name.strip().lower()
        words |= {name, name.replace(" ", "")}
    return {word for word in words if word}


def problems(password: str, *, email: str | None = None, name: str | None = None) -> list[str]:
    """What is wrong with the password, in words; an empty list when it is acceptable."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"must be at least {MIN_LENGTH} characters long")
    if len(password) > MAX_LENGTH:
        found.append(f"must be at most {MAX_LENGTH} characters long")
    folded = password.strip().lower()
    if folded in _common_passwords():
        found.append("is on a list of the most common passwords")
    if folded in _personal(email, name):
        found.append("must not be your email address or name")
    return found
