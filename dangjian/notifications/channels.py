"""Channel backends: how one message leaves the platform (email, SMS, WeCom, or the log).

Every backend has the same shape: `send(message) -> provider message id`, raising
`TransientError` (try again later: throttled, provider down, network) or `PermanentError`
(this message will never go through: bad number, unknown account, wrong credentials). The
pipeline (`delivery.py`) decides when to send, retries, and keeps the log; a backend only talks
to its provider. The address (a phone number, an email address, a WeCom account) is handed to the
backend at sending time and never stored by it.

Which backend serves a channel is a setting (`docs/operations.md`): SMS is Aliyun SMS
(dysmsapi `SendSms`, signature version 1.0) or the console; WeCom is the WeCom application
message API or the console; email is Django's mail backend (`DANGJIAN_EMAIL_URL`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage

logger = logging.getLogger("dangjian.notifications")

HTTP_TIMEOUT = 10  # seconds: a hung provider must not hold a worker thread


class TransientError(Exception):
    """The provider could not take the message now; the pipeline retries with a back-off."""


class PermanentError(Exception):
    """The message will never go through as it is; the pipeline gives up and reports it."""


@dataclass(frozen=True)
class Outgoing:
    """One message for one recipient on one channel."""

    delivery_id: int
    address: str  # the phone number, email address or WeCom account: only in memory
    title: str
    body: str = ""
    url: str = ""  # a path on this site


class Backend(Protocol):
    name: str

    def send(self, message: Outgoing) -> str: ...


class ConsoleBackend:
    """The default when no provider is configured: writes one line to the log (never the
    address itself, only its masked form, given by the pipeline)."""

    def __init__(self, channel: str) -> None:
        self.name = f"console-{channel}"
        self.channel = channel

    def send(self, message: Outgoing) -> str:
        logger.info("%s delivery %s: %s", self.channel, message.delivery_id, message.title)
        return f"console-{message.delivery_id}"


class EmailBackend:
    name = "email"

    def send(self, message: Outgoing) -> str:
        lines = [message.body] if message.body else []
        if message.url and settings.SITE_URL:
            lines.append(settings.SITE_URL + message.url)
        subject = " ".join(message.title.split())  # a header carries no line break
        try:
            EmailMessage(subject, "\n\n".join(lines) or subject, to=[message.address]).send()
        except Exception as exc:  # SMTP errors, refused connections: the server may recover
            raise TransientError(f"mail server: {exc}"[:300]) from exc
        return ""


# --- HTTP -------------------------------------------------------------------------------------


def _request(url: str, *, body: bytes | None = None) -> urllib.request.Request:
    """A GET (or, with a body, a JSON POST) to a provider: http(s) only, whatever the settings say."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise PermanentError("the provider's address must start with https://")
    if body is None:
        return urllib.request.Request(url, method="GET")  # noqa: S310 (scheme checked above)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    return urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310


def _http(request: urllib.request.Request) -> tuple[int, dict[str, Any]]:
    """(status, JSON body) of a provider's answer; errors with a JSON body are answers too."""
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 (https or test URL from settings)
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TransientError(f"network: {exc}"[:300]) from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        if status >= 500:
            raise TransientError(f"HTTP {status}") from exc
        raise PermanentError(f"HTTP {status}: not JSON") from exc
    if not isinstance(data, dict):
        raise PermanentError(f"HTTP {status}: unexpected answer")
    return status, data


# --- Aliyun SMS (dysmsapi SendSms, RPC signature version 1.0) ----------------------------------


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud's RPC signature requires: UTF-8, unreserved characters
    (A-Z a-z 0-9 - _ . ~) kept, everything else %XX with upper-case hex, space as %20."""
    return urllib.parse.quote(value, safe="-_.~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    """Base64(HMAC-SHA1(secret + "&", method & %2F & encode(sorted canonical query)))."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


# Codes after which the same message may go through later; every other code is permanent.
ALIYUN_TRANSIENT = {
    "isv.BUSINESS_LIMIT_CONTROL",  # throttled (per number per minute/hour/day)
    "isp.SYSTEM_ERROR",
    "isv.OUT_OF_SERVICE",
    "Throttling",
    "Throttling.User",
    "Throttling.Api",
    "ServiceUnavailable",
    "InternalError",
}


class AliyunSmsBackend:
    """One SMS through a template: the template must have a `${title}` variable."""

    name = "aliyun-sms"

    def __init__(self) -> None:
        self.endpoint = settings.NOTIFICATION_ALIYUN_SMS["endpoint"]
        self.key_id = settings.NOTIFICATION_ALIYUN_SMS["access_key_id"]
        self.secret = settings.NOTIFICATION_ALIYUN_SMS["access_key_secret"]
        self.sign_name = settings.NOTIFICATION_ALIYUN_SMS["sign_name"]
        self.template = settings.NOTIFICATION_ALIYUN_SMS["template_code"]

    def params(
        self, phone: str, title: str, *, out_id: str = "", nonce: str = "", timestamp: str = ""
    ) -> dict[str, str]:
        """The request's parameters without `Signature` (OutId is echoed in delivery receipts)."""
        return {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": "cn-hangzhou",
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": self.template,
            # A template variable takes at most 35 characters.
            "TemplateParam": json.dumps({"title": title[:35]}, ensure_ascii=False),
            "Timestamp": timestamp or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        } | ({"OutId": out_id} if out_id else {})

    def send(self, message: Outgoing) -> str:
        params = self.params(message.address, message.title, out_id=str(message.delivery_id))
        signature = aliyun_signature(params, self.secret)
        query = "&".join(
            f"{percent_encode(k)}={percent_encode(v)}" for k, v in [("Signature", signature), *params.items()]
        )
        status, data = _http(_request(f"{self.endpoint}?{query}"))
        code = str(data.get("Code", ""))
        if code == "OK":
            return str(data.get("BizId", ""))
        detail = f"{code}: {data.get('Message', '')}"[:300]
        if code in ALIYUN_TRANSIENT or status >= 500:
            raise TransientError(detail)
        raise PermanentError(detail)


# --- WeCom (企业微信) application messages ----------------------------------------------------

WECOM_TOKEN_EXPIRED = {40014, 42001}  # invalid / expired access_token: fetch a new one
WECOM_TRANSIENT = {-1, 45009, 45033}  # system busy, API frequency limit, too many concurrent calls
_token_lock = threading.Lock()


class WeComBackend:
    """`gettoken` (corpid + secret → access_token, cached until shortly before it expires) and
    `message/send` to one WeCom account: a text card when the site's address is known (the card
    opens the link), plain text otherwise."""

    name = "wecom"

    def __init__(self) -> None:
        conf = settings.NOTIFICATION_WECOM
        self.api = conf["api"].rstrip("/")
        self.corpid = conf["corpid"]
        self.secret = conf["secret"]
        self.agentid = int(conf["agentid"] or 0)
        self.cache_key = f"wecom-token:{self.corpid}:{self.agentid}"

    def token(self, *, refresh: bool = False) -> str:
        with _token_lock:
            if not refresh and (cached := cache.get(self.cache_key)):
                return str(cached)
            query = urllib.parse.urlencode({"corpid": self.corpid, "corpsecret": self.secret})
            _status, data = _http(_request(f"{self.api}/cgi-bin/gettoken?{query}"))
            errcode = int(data.get("errcode", -1))
            if errcode != 0 or not data.get("access_token"):
                detail = f"gettoken {errcode}: {data.get('errmsg', '')}"[:300]
                raise (TransientError if errcode in WECOM_TRANSIENT else PermanentError)(detail)
            expires_in = int(data.get("expires_in", 7200))
            # Renewed five minutes early: a token must not expire between reading and using it.
            cache.set(self.cache_key, data["access_token"], max(expires_in - 300, 1))
            return str(data["access_token"])

    def payload(self, message: Outgoing) -> dict[str, Any]:
        base: dict[str, Any] = {"touser": message.address, "agentid": self.agentid, "safe": 0}
        if message.url and settings.SITE_URL:
            return base | {
                "msgtype": "textcard",
                "textcard": {
                    "title": message.title[:128],
                    "description": (message.body or message.title)[:512],
                    "url": settings.SITE_URL + message.url,
                    "btntxt": "详情",
                },
            }
        text = message.title + (f"\n{message.body}" if message.body else "")
        return base | {"msgtype": "text", "text": {"content": text[:2000]}}

    def _post(self, token: str, body: bytes) -> dict[str, Any]:
        url = f"{self.api}/cgi-bin/message/send?{urllib.parse.urlencode({'access_token': token})}"
        return _http(_request(url, body=body))[1]

    def send(self, message: Outgoing) -> str:
        body = json.dumps(self.payload(message), ensure_ascii=False).encode()
        data = self._post(self.token(), body)
        if int(data.get("errcode", -1)) in WECOM_TOKEN_EXPIRED:
            data = self._post(self.token(refresh=True), body)
        errcode = int(data.get("errcode", -1))
        detail = f"{errcode}: {data.get('errmsg', '')}"[:300]
        if errcode in WECOM_TRANSIENT:
            raise TransientError(detail)
        if errcode != 0:
            raise PermanentError(detail)
        if data.get("invaliduser") or data.get("unlicenseduser"):
            # Accepted, but not for this account (left the company, not licensed, wrong id).
            raise PermanentError(f"account not reachable in WeCom: {detail}")
        return str(data.get("msgid", ""))


def backend_for(channel: str) -> Backend:
    """The configured backend of a channel (the console when its provider is not configured)."""
    if channel == "email":
        return EmailBackend()
    if channel == "sms" and settings.NOTIFICATION_SMS_BACKEND == "aliyun":
        return AliyunSmsBackend()
    if channel == "wecom" and settings.NOTIFICATION_WECOM_BACKEND == "wecom":
        return WeComBackend()
    return ConsoleBackend(channel)
