"""The sandbox's HTTP layer: FastAPI routers that parse a request, call the domain, shape the answer.

``oidc`` (Keycloak's protocol endpoints), ``weblogin`` (its login pages, rendered by ``pages``),
``device_pages`` and ``broker_pages`` (the device verification and the brokered providers' pages,
sharing ``weblogin``'s helpers), ``account_rest`` (Keycloak's account REST API), ``signup``
(sandbox-only sign-up), ``admin`` (Keycloak's admin API, a subset), ``entrepot`` (the Entrepôt
API), ``requests`` (the sandbox-only request workflow), ``control`` (``/sandbox/…``). ``deps``,
``schemas``, ``account_schemas`` and ``idempotency`` are shared by them.
"""
