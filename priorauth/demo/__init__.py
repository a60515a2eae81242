"""The demo clinic: a living Riverside Infusion Center, seeded through the services.

The story is in the data files beside this package, with named fields and every day given
as an offset from the seed day (-30: thirty days ago):

- clinic.toml: the clinic, its four staff (one per role), its three payers (phone, portal);
- policies.toml: each payer's policy per drug code, from shared criteria sets;
- patients.toml: thirty patients with coverage, diagnoses, labs, oral iron and CKD history;
- requests.toml: twenty-seven authorization requests and every workflow step they took;
- infusions.toml: infusions given (with the drug discarded) and infusions booked ahead.

`seed()` (seed.py) creates users, payers, patients, requests and infusions through the same
services as the pages, each at its story moment, so every row has its audit events, dated
when the story says they happened.
"""

from __future__ import annotations

from priorauth.demo.seed import seed

__all__ = ["seed"]
