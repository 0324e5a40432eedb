"""``python -m cartes_cli.sandbox serve …``: the sandbox without the CLI (``cartes sandbox serve``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cartes_cli.sandbox", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run a sandbox server in the foreground")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    serve.add_argument("--data", type=Path, default=None, metavar="DIR", help="data directory")
    serve.add_argument("--seed", default=None, help="load a data set into an empty sandbox (demo)")
    serve.add_argument("--token-ttl", type=int, default=300, metavar="SECONDS", help="access-token lifetime")
    serve.add_argument(
        "--refresh-ttl", type=int, default=1800, metavar="SECONDS", help="refresh-token lifetime"
    )
    serve.add_argument(
        "--latency", type=int, default=0, metavar="MS", help="delay added to every /api answer"
    )
    serve.add_argument("--log-requests", action="store_true", help="access log on stderr")
    serve.add_argument(
        "--no-requests-api",
        dest="requests_api",
        action="store_false",
        help="answer 404 on the sandbox-only request API, like the real platform",
    )
    serve.add_argument(
        "--no-accounts-api",
        dest="accounts_api",
        action="store_false",
        help="answer 404 on the sandbox-only account API (sign-up, profile, password, 2FA)",
    )
    serve.add_argument(
        "--scriptable-captchas",
        action="store_true",
        help="captchas answerable by scripts (GET /sandbox/captchas/ID; the answer in each captcha)",
    )
    serve.add_argument(
        "--password-max-age-days",
        type=int,
        default=365,
        metavar="DAYS",
        help="passwords older than this must be renewed at login (default 365)",
    )
    serve.add_argument(
        "--device-interval", type=int, default=5, metavar="SECONDS", help="device flow polling interval"
    )
    serve.add_argument(
        "--device-expires-in", type=int, default=600, metavar="SECONDS", help="device code lifetime"
    )
    faults = serve.add_argument_group("fault injection (see docs/reliability.md)")
    faults.add_argument(
        "--fault-rate", type=float, default=0.0, metavar="R", help="probability of a fault per request (0-1)"
    )
    faults.add_argument(
        "--fault-seed", type=int, default=None, metavar="N", help="seed: replay the same faults"
    )
    faults.add_argument(
        "--fault-kinds",
        default="all",
        metavar="LIST",
        help="500,502,503,429,drop,slow,after-500,after-502,after-drop or all, before, after, errors, drops",
    )
    faults.add_argument(
        "--fault-scope", default="api,token", metavar="LIST", help="api, token, oidc (default api,token)"
    )
    faults.add_argument(
        "--fault-retry-after", type=int, default=1, metavar="SECONDS", help="Retry-After of injected 429s"
    )
    faults.add_argument(
        "--fault-delay", type=float, default=35.0, metavar="SECONDS", help="how long a slow fault waits"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from cartes_cli.sandbox.server import serve

    return serve(
        host=args.host,
        port=args.port,
        data_dir=args.data,
        seed=args.seed,
        token_ttl=args.token_ttl,
        refresh_ttl=args.refresh_ttl,
        latency_ms=args.latency,
        log_requests=args.log_requests,
        requests_api=args.requests_api,
        device_interval=args.device_interval,
        device_expires_in=args.device_expires_in,
        accounts_api=args.accounts_api,
        scriptable_captchas=args.scriptable_captchas,
        password_max_age_days=args.password_max_age_days,
        fault_rate=args.fault_rate,
        fault_seed=args.fault_seed,
        fault_kinds=args.fault_kinds,
        fault_scope=args.fault_scope,
        fault_retry_after=args.fault_retry_after,
        fault_delay=args.fault_delay,
    )


if __name__ == "__main__":
    sys.exit(main())
