"""The sandbox's HTTP layer: FastAPI routers that parse a request, call the domain, shape the answer.

``oidc`` (Keycloak's protocol endpoints), ``weblogin`` (its login pages, rendered by ``pages``),
``account_rest`` (Keycloak's account REST API), ``signup`` (sandbox-only sign-up), ``admin``
(Keycloak's admin API, read mostly), ``entrepot`` (the Entrepôt API), ``requests`` (the
sandbox-only request workflow), ``control`` (``/sandbox/…``). ``deps``, ``schemas`` and
``idempotency`` are shared by them.
"""
