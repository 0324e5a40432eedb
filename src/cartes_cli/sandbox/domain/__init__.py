"""The sandbox's domain: state transitions and rules, without HTTP (no FastAPI here).

``context.Sandbox`` is the running sandbox every operation receives (config, store, keys, clock,
in-memory login flows and guards). ``requests`` holds the request workflow, ``communities`` the
membership rules and edits, ``accounts``, ``passwords`` and ``second_factor`` the accounts,
``tokens`` the tokens and sessions, ``mail`` the e-mails written to the outbox, ``bruteforce`` the
login guard, ``fixtures`` the bulk data of benchmarks; the others (``flows``, ``captchas``,
``credentials``, ``brokers``, ``keys``, ``offers``, ``faults``) are the building blocks they share.
Refusals are the error answers of ``cartes_cli.sandbox.errors``, which know nothing of FastAPI.
"""
