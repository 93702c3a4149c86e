"""DANGJIAN_EMAIL_URL: the mail server of notification emails."""

import pytest

from dangjian.settings.env import email_config

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_not_configured() -> None:
    assert email_config("") is None


def test_starttls_with_escaped_credentials() -> None:
    config = email_config("smtp+tls://dj%40example.cn:p%3Ass@mail.example.cn:2525")
    assert config is not None
    assert (config.backend, config.host, config.port) == (SMTP, "mail.example.cn", 2525)
    assert (config.user, config.password, config.use_tls, config.use_ssl) == (
        "dj@example.cn",
        "p:ss",
        True,
        False,
    )


@pytest.mark.parametrize(
    ("url", "port", "tls", "ssl"),
    [
        ("smtp://mail.example.cn", 25, False, False),
        ("smtps://mail.example.cn", 465, False, True),
        ("smtp://mail.example.cn?tls=1", 587, True, False),
    ],
)
def test_default_ports(url: str, port: int, tls: bool, ssl: bool) -> None:
    config = email_config(url)
    assert config is not None and (config.port, config.use_tls, config.use_ssl) == (port, tls, ssl)


def test_console_and_unknown_schemes() -> None:
    config = email_config("console://")
    assert config is not None and config.backend.endswith("console.EmailBackend")
    with pytest.raises(ValueError):
        email_config("http://mail.example.cn")
