"""A local HTTP server that answers as Aliyun SMS (dysmsapi SendSms) and WeCom (gettoken,
message/send) do, checking what they check: the RPC signature (version 1.0, HMAC-SHA1 over the
sorted, percent-encoded query), a fresh nonce, the access token. Written from the providers'
documentation, independently of the backends under test (its own encoder, its own parsing).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

ACCESS_KEY_ID = "LTAI5tTestKeyId"
ACCESS_KEY_SECRET = "testSecret/with+chars="
CORPID = "ww0123456789abcdef"
CORPSECRET = "wecom-app-secret"
AGENTID = 1000002

UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def doc_encode(text: str) -> str:
    """Percent-encoding as the signature documentation states it: UTF-8 bytes, A-Z a-z 0-9 - _ .
    ~ unchanged, every other byte %XY with upper-case hex (so a space is %20, * is %2A)."""
    return "".join(chr(b) if b in UNRESERVED else f"%{b:02X}" for b in text.encode("utf-8"))


def raw_query(path: str) -> list[tuple[str, str]]:
    """The query's pairs, percent-decoded only (a '+' is a plus: the encoding never emits one)."""
    pairs = []
    for part in urlsplit(path).query.split("&"):
        if part:
            key, _eq, value = part.partition("=")
            pairs.append((unquote(key), unquote(value)))
    return pairs


@dataclass
class Provider:
    url: str = ""
    sms: list[dict[str, str]] = field(default_factory=list)  # accepted SendSms requests
    wecom: list[dict[str, Any]] = field(default_factory=list)  # accepted message/send bodies
    requests: list[str] = field(default_factory=list)  # every path asked, in order
    nonces: set[str] = field(default_factory=set)
    throttle_sms: int = 0  # answer this many SendSms with the throttling code first
    throttle_wecom: int = 0
    tokens: set[str] = field(default_factory=set)
    token_count: int = 0
    wecom_users: set[str] = field(default_factory=lambda: {"zhangwei"})

    def expire_tokens(self) -> None:
        """Every token issued so far stops working (as after its 7200 s)."""
        self.tokens.clear()


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            provider.requests.append(urlsplit(self.path).path)
            if urlsplit(self.path).path == "/cgi-bin/gettoken":
                return self.gettoken()
            return self.send_sms()

        def do_POST(self) -> None:
            provider.requests.append(urlsplit(self.path).path)
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            params = dict(raw_query(self.path))
            if params.get("access_token") not in provider.tokens:
                return self.answer(200, {"errcode": 42001, "errmsg": "access_token expired"})
            if body.get("agentid") != AGENTID or body.get("msgtype") not in ("text", "textcard"):
                return self.answer(200, {"errcode": 40056, "errmsg": "invalid agentid"})
            if provider.throttle_wecom:
                provider.throttle_wecom -= 1
                return self.answer(200, {"errcode": 45009, "errmsg": "api freq out of limit"})
            if body.get("touser") not in provider.wecom_users:
                return self.answer(200, {"errcode": 81013, "errmsg": "user & party & tag all invalid"})
            provider.wecom.append(body)
            return self.answer(
                200, {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"msg{len(provider.wecom)}"}
            )

        def gettoken(self) -> None:
            params = dict(raw_query(self.path))
            if params.get("corpid") != CORPID:
                return self.answer(200, {"errcode": 40013, "errmsg": "invalid corpid"})
            if params.get("corpsecret") != CORPSECRET:
                return self.answer(200, {"errcode": 40001, "errmsg": "invalid credential"})
            provider.token_count += 1
            token = f"token{provider.token_count}"
            provider.tokens.add(token)
            return self.answer(200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

        def send_sms(self) -> None:
            pairs = raw_query(self.path)
            params = dict(pairs)
            given = params.pop("Signature", "")
            canonical = "&".join(f"{doc_encode(k)}={doc_encode(v)}" for k, v in sorted(params.items()))
            to_sign = "GET&" + doc_encode("/") + "&" + doc_encode(canonical)
            expected = base64.b64encode(
                hmac.new((ACCESS_KEY_SECRET + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
            ).decode()
            request_id = "F655A8D5-B967-440B-8683-DAD6FF8DE990"
            if params.get("AccessKeyId") != ACCESS_KEY_ID:
                return self.answer(
                    404,
                    {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."},
                )
            if not hmac.compare_digest(given, expected):
                return self.answer(
                    400,
                    {
                        "RequestId": request_id,
                        "Code": "SignatureDoesNotMatch",
                        "Message": "Specified signature is not matched with our calculation.",
                    },
                )
            required = {
                "Action": "SendSms",
                "Version": "2017-05-25",
                "SignatureMethod": "HMAC-SHA1",
                "SignatureVersion": "1.0",
                "Format": "JSON",
            }
            if any(params.get(k) != v for k, v in required.items()) or not re.fullmatch(
                r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", params.get("Timestamp", "")
            ):
                return self.answer(
                    400, {"RequestId": request_id, "Code": "MissingParameter", "Message": "bad"}
                )
            nonce = params.get("SignatureNonce", "")
            if not nonce or nonce in provider.nonces:
                return self.answer(
                    400, {"RequestId": request_id, "Code": "SignatureNonceUsed", "Message": "nonce used"}
                )
            provider.nonces.add(nonce)
            if provider.throttle_sms:
                provider.throttle_sms -= 1
                return self.answer(
                    200,
                    {
                        "RequestId": request_id,
                        "Code": "isv.BUSINESS_LIMIT_CONTROL",
                        "Message": "触发分钟级流控Permits:1",
                    },
                )
            if not re.fullmatch(r"1[3-9]\d{9}", params.get("PhoneNumbers", "")):
                return self.answer(
                    200,
                    {"RequestId": request_id, "Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"},
                )
            json.loads(params["TemplateParam"])  # must be JSON
            provider.sms.append(params)
            return self.answer(
                200,
                {
                    "RequestId": request_id,
                    "Code": "OK",
                    "Message": "OK",
                    "BizId": f"900619746936498{len(provider.sms)}^0",
                },
            )

    return Handler


def serve() -> Iterator[Provider]:
    provider = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
