"""Demo clinic (filled in below)."""


def seed(force: bool = False):
    return None
