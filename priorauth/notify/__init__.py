"""Email digests: render each recipient's digest and deliver it exactly once.

What a digest says is domain/digests.py (grouping, ordering) and queries/digests.py (loading);
here: render.py (HTML + text from templates/email/), delivery.py (SMTP or the outbox
directory), runner.py (the send loop and its protocol). Only services, the scheduler and the
CLI import this package; pages reach it through services/digests.py.
"""
