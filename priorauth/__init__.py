"""priorauth: prior-authorization tracking for IV iron infusion clinics.

The application factory is `priorauth.factory.create_app`; docs/architecture.md maps the
packages and the walls between them.
"""
