"""Where refresh tokens live between runs: the system keyring, or (announced) a private file.

``KeyringStore`` runs every keyring call in a daemon thread bounded by a time-out: a locked
Secret Service that pops up an unlock prompt nobody sees, or a D-Bus that never answers, becomes
a ``CredentialStoreError`` with a sentence saying what to do, instead of a hung CLI; a call that
meets an item gnome-keyring says is missing is made again (``_patiently``). It refuses
backends that are not a real keyring (keyring's fail and null backends, plaintext files from
keyrings.alt, an empty chainer), recognised by module/class name and ``priority``, so the check
works whether or not keyrings.alt is installed.

``FileStore`` is the ``--insecure-storage`` fallback: a JSON object in a 0600 file inside a 0700
directory, written atomically.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from cartes_cli.errors import CredentialStoreError
from cartes_cli.i18n import _
from cartes_cli.paths import write_private_atomically

__all__ = [
    "DEFAULT_SERVICE",
    "CredentialStore",
    "FileStore",
    "KeyringStore",
    "backend_problem",
    "credential_key",
]

T = TypeVar("T")

DEFAULT_SERVICE = "cartes"


def _fallback_hint() -> str:
    return _("run 'cartes login --insecure-storage' to keep the token in a private file")


def credential_key(profile: str, account: str, kind: str = "refresh_token") -> str:
    """The name a secret is stored under: ``<profile>/<account>/<kind>`` (``default/alice/refresh_token``)."""
    parts = [profile.strip(), account.strip(), kind.strip()]
    if not all(parts):
        raise ValueError("profile, account and kind must all be non-empty")
    return "/".join(parts)


@runtime_checkable
class CredentialStore(Protocol):
    """A place for secrets. ``delete`` of a missing key is not an error."""

    @property
    def name(self) -> str:
        """``keyring`` or ``file``."""
        ...

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def delete(self, key: str) -> None: ...


# --- keyring ------------------------------------------------------------------------------

SECRET_SERVICE_ATTEMPTS = 4
"""Tries of a keyring call that meets a Secret Service object that is not there (yet, or any more).

secretstorage raises ``ItemNotFoundException`` for a D-Bus object that does not answer
(``NoSuchObject``, ``UnknownObject``, ``UnknownMethod``). With several clients at once,
gnome-keyring produces it where nothing is wrong: a read finds an item that another process then
replaces (a refresh storing its new token); a write (``CreateItem`` with ``replace``, then the new
item's label) meets it while other clients write (seen in CI: one of six simultaneous logins to
different profiles failed so; the error does not say which of the write's D-Bus calls met it).
Each of these calls is idempotent (a read, a create-or-replace of the item with the same
attributes, a delete), so it is made again, a little later.
"""


def _class_names(obj: object) -> set[str]:
    return {cls.__name__ for cls in type(obj).__mro__}


def _patiently(call: Callable[[], T]) -> T:
    """``call()``, made again while the Secret Service says its object is not there (bounded)."""
    for attempt in range(SECRET_SERVICE_ATTEMPTS - 1):
        try:
            return call()
        except Exception as exc:
            if "ItemNotFoundException" not in _class_names(exc):
                raise
        time.sleep(0.02 * (attempt + 1))
    return call()


def _priority(backend: object) -> float | None:
    try:
        value = type(backend).priority  # type: ignore[attr-defined]
    except Exception:  # a backend raises from priority when it cannot run here
        return None
    return float(value) if isinstance(value, (int, float)) else None


def _backend_label(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__name__}"


def backend_problem(backend: object) -> str | None:
    """Why ``backend`` is not a keyring to keep tokens in, or None if it is fine."""
    cls = type(backend)
    module = cls.__module__
    name = cls.__name__
    label = _backend_label(backend)
    if name == "ChainerBackend" or module.endswith("backends.chainer"):
        try:
            chained = list(getattr(backend, "backends", None) or [])
        except Exception:
            chained = []
        problems = [backend_problem(b) for b in chained]
        if not chained or all(p is not None for p in problems):
            return _("no usable system keyring was found")
        return problems[0]  # writes go to the first backend of the chain
    if module.endswith("backends.fail") and name == "Keyring":
        return _("no system keyring was found")
    if module.endswith("backends.null") and name == "Keyring":
        return _("the keyring is disabled (null backend)")
    if "plaintext" in name.lower() or "plaintext" in module.lower():
        return _("the keyring backend {backend} keeps secrets in a plain-text file").format(backend=label)
    priority = _priority(backend)
    if priority is None:
        return _("the keyring backend {backend} cannot run here").format(backend=label)
    if priority < 1:
        return _("the keyring backend {backend} is not a secure system keyring").format(backend=label)
    return None


class KeyringStore:
    """The system keyring (Secret Service, KWallet, macOS Keychain, Windows Credential Manager).

    ``backend`` (tests) replaces ``keyring.get_keyring()``, which is otherwise resolved lazily in
    the worker thread (finding the backend may itself hang on D-Bus).
    """

    name = "keyring"

    def __init__(self, service: str = DEFAULT_SERVICE, timeout: float = 3.0, *, backend: Any = None) -> None:
        self.service = service
        self.timeout = timeout
        self._backend = backend
        self._checked = False
        self._broken: str | None = None

    def __repr__(self) -> str:
        return f"KeyringStore(service={self.service!r}, timeout={self.timeout!r})"

    # --- the bounded call ---------------------------------------------------------------------

    def _resolve(self) -> Any:
        if self._backend is None:
            import keyring

            self._backend = keyring.get_keyring()
        return self._backend

    def _call(self, action: str, fn: Callable[[Any], T]) -> T:
        if self._broken is not None:
            raise CredentialStoreError(self._broken)
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                backend = self._resolve()
                outcome["value"] = _patiently(lambda: fn(backend))
            except BaseException as exc:
                outcome["error"] = exc
            finally:
                done.set()

        worker = threading.Thread(target=work, name=f"cartes-keyring-{action}", daemon=True)
        worker.start()
        if not done.wait(self.timeout):
            self._broken = _(
                "The system keyring did not answer within {seconds} s (is it locked?). Unlock it, or {hint}."
            ).format(seconds=f"{self.timeout:g}", hint=_fallback_hint())
            raise CredentialStoreError(self._broken)
        if "error" in outcome:
            raise self._explain(outcome["error"], action) from None
        value: T = outcome["value"]
        return value

    def _explain(self, exc: BaseException, action: str) -> CredentialStoreError:
        names = _class_names(exc)
        if isinstance(exc, CredentialStoreError):
            return exc
        if "KeyringLocked" in names:
            return CredentialStoreError(
                _("The system keyring is locked. Unlock it, or {hint}.").format(hint=_fallback_hint())
            )
        if "NoKeyringError" in names:
            return CredentialStoreError(
                _(
                    "No system keyring is available (no Secret Service, KWallet, macOS Keychain or Windows "
                    "Credential Manager was found). Start one, or {hint}."
                ).format(hint=_fallback_hint())
            )
        if "InitError" in names:
            return CredentialStoreError(
                _("The system keyring could not be opened ({kind}). Check that it runs, or {hint}.").format(
                    kind=type(exc).__name__, hint=_fallback_hint()
                )
            )
        doing = {
            "checking": _("while checking a secret"),
            "reading": _("while reading a secret"),
            "writing": _("while writing a secret"),
            "deleting": _("while deleting a secret"),
        }.get(action) or f"while {action} a secret"
        return CredentialStoreError(
            _(
                "The system keyring failed {doing} ({kind}). Check that it runs and is unlocked, or {hint}."
            ).format(doing=doing, kind=type(exc).__name__, hint=_fallback_hint())
        )

    # --- public -------------------------------------------------------------------------------

    def check_usable(self) -> str:
        """Raise ``CredentialStoreError`` unless the active backend is a real keyring; return its name."""

        def assess(backend: Any) -> tuple[str | None, str]:
            return backend_problem(backend), _backend_label(backend)

        problem, label = self._call("checking", assess)
        if problem is not None:
            raise CredentialStoreError(
                _(
                    "Cannot keep the token in the system keyring: {problem}. "
                    "Set up or unlock a system keyring, or {hint}."
                ).format(problem=problem, hint=_fallback_hint())
            )
        self._checked = True
        return label

    def get(self, key: str) -> str | None:
        def read(backend: Any) -> str | None:
            value = backend.get_password(self.service, key)
            return value if isinstance(value, str) else None

        return self._call("reading", read)

    def set(self, key: str, value: str) -> None:
        if not self._checked:
            self.check_usable()

        def write(backend: Any) -> None:
            backend.set_password(self.service, key, value)

        self._call("writing", write)

    def delete(self, key: str) -> None:
        def remove(backend: Any) -> None:
            try:
                backend.delete_password(self.service, key)
            except Exception as exc:
                if "PasswordDeleteError" not in _class_names(exc):
                    raise  # "no such password" is fine: delete is idempotent

        self._call("deleting", remove)


# --- file ---------------------------------------------------------------------------------


class FileStore:
    """A JSON object ``{key: secret}`` in a private file (0600 in a 0700 directory)."""

    name = "file"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FileStore({str(self.path)!r})"

    def _load(self) -> dict[str, str]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise CredentialStoreError(
                _("Cannot read the credential file {path} ({reason}).").format(
                    path=self.path, reason=exc.strerror or type(exc).__name__
                )
            ) from None
        if not text.strip():
            return {}
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise CredentialStoreError(
                _("The credential file {path} is damaged; delete it and log in again.").format(path=self.path)
            )
        return {str(k): v for k, v in data.items() if isinstance(v, str)}

    def _save(self, data: dict[str, str]) -> None:
        text = json.dumps(data, indent=2, sort_keys=True) + "\n"
        try:
            write_private_atomically(self.path, text.encode("utf-8"))
        except OSError as exc:
            raise CredentialStoreError(
                _("Cannot write the credential file {path} ({reason}).").format(
                    path=self.path, reason=exc.strerror or type(exc).__name__
                )
            ) from None

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._load().get(key)

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """This file to ourselves, across threads and processes, for a read-change-write."""
        from filelock import Timeout

        from cartes_cli.locks import file_lock, timed_out

        with self._lock:
            try:
                with file_lock(self.path):
                    yield
            except Timeout:
                raise timed_out(self.path) from None

    def set(self, key: str, value: str) -> None:
        with self._exclusive():
            data = self._load()
            data[key] = value
            self._save(data)

    def delete(self, key: str) -> None:
        with self._exclusive():
            data = self._load()
            if key not in data:
                return
            del data[key]
            if data:
                self._save(data)
            else:
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
