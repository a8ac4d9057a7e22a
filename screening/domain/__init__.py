"""The clinical core of the screener: instruments, scoring, safety and treatment-history rules.

This package is pure: it imports only the Python standard library, never Flask, WTForms or
SQLAlchemy, so every clinical rule can be read, reviewed and tested without a web server.
Instrument wording, thresholds and drug tables live in `data/` with their sources.
"""
