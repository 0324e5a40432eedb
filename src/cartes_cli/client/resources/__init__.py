"""One module per API area, each a resource class reached as an attribute of the client:

- ``users``: ``UsersResource`` (``client.users.me()``)
- ``communities``: ``CommunitiesResource`` (workspaces, members, join forms, ``resolve``)
- ``datastores``: ``DatastoresResource``
- ``requests``: ``RequestsResource`` (join and creation requests, decisions)
- ``accounts``: ``AccountsResource`` (sign-up, e-mail verification) and ``AccountResource`` (my
  account: profile, password, TOTP)
- ``sandbox``: ``SandboxResource`` (the sandbox's outbox, captcha answers, support)
- ``admin``: ``AdminResource`` (Keycloak's admin REST, for staff)

Resources depend on the base client only (:mod:`cartes_cli.client._base`); nothing is imported
here, so that a script importing one resource module does not pay for the others.
"""
