"""Small helpers to read typed settings from the environment."""

import os
import sys
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# Commands that change the schema or the grants connect as the tables' owner; everything else (the
# web and worker processes too) as the application's role, which cannot alter the audit log.
OWNER_COMMANDS = frozenset({"migrate", "dbroles"})


def database_url(default: str, argv: list[str] | None = None) -> str:
    """`MIGRATE_DATABASE_URL` for `dangjian migrate` and `dangjian dbroles` when it is set,
    otherwise `DATABASE_URL` (see docs/operations.md, "Database roles")."""
    argv = sys.argv if argv is None else argv
    owner_url = os.environ.get("MIGRATE_DATABASE_URL")
    if owner_url and len(argv) > 1 and argv[1] in OWNER_COMMANDS:
        return owner_url
    return os.environ.get("DATABASE_URL") or default


class EmailConfig(NamedTuple):
    backend: str
    host: str = ""
    port: int = 25
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False


# Schemes of DANGJIAN_EMAIL_URL: plain SMTP, SMTP upgraded with STARTTLS, SMTP over TLS, or the
# console (development: mails are printed by the worker instead of sent).
_EMAIL_SCHEMES = {"smtp": (False, False), "smtp+tls": (True, False), "smtps": (False, True)}


def email_config(url: str) -> EmailConfig | None:
    """`smtp+tls://user:password@host:587`, `smtps://…:465`, `smtp://host:25` or `console://`;
    None when `url` is empty (email is then not configured). `?tls=1` / `?ssl=1` also work."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme == "console":
        return EmailConfig("django.core.mail.backends.console.EmailBackend")
    if parts.scheme not in _EMAIL_SCHEMES:
        raise ValueError(f"DANGJIAN_EMAIL_URL: unknown scheme {parts.scheme!r}")
    use_tls, use_ssl = _EMAIL_SCHEMES[parts.scheme]
    query = {k: v[-1].strip().lower() in {"1", "true", "yes", "on"} for k, v in parse_qs(parts.query).items()}
    use_tls, use_ssl = query.get("tls", use_tls), query.get("ssl", use_ssl)
    return EmailConfig(
        backend="django.core.mail.backends.smtp.EmailBackend",
        host=parts.hostname or "",
        port=parts.port or (465 if use_ssl else 587 if use_tls else 25),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
    )
