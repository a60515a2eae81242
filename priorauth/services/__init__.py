"""Use cases: load models, ask the domain, write the result and an audit event, flush.

Services never commit; the web or API handler that called them commits once.
"""
