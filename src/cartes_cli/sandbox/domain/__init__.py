"""The sandbox's domain: state transitions and rules, without HTTP (no FastAPI here).

``context.Sandbox`` is the running sandbox every operation receives (config, store, keys, clock,
in-memory login flows and guards). ``requests`` holds the request workflow, ``signup`` and
``passwords`` the accounts, ``tokens`` the tokens and sessions, ``mail`` the e-mails written to the
outbox, ``bruteforce`` the login guard; the others are the building blocks they share.
"""
