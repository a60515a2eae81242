"""Email digests: build each recipient's digest, render it, deliver it exactly once.

digest.py (what each recipient gets), render.py (HTML + text from templates/email/),
delivery.py (SMTP or the outbox directory), runner.py (the send loop and its protocol).
"""
