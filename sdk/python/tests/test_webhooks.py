"""verify_webhook against the documented scheme: t=<unix>,v1=HMAC-SHA256(secret, "<t>.<raw body>") in hex."""
import hashlib
import hmac
import json
from datetime import datetime, timezone

import pytest

from azora_sdk import WebhookVerificationError, sign_webhook, verify_webhook

SECRET = "whsec_3f9a0c1d"
OLD_SECRET = "whsec_old_0001"
NOW = 1_796_050_000
BODY = json.dumps({"id": "01a21b4c-5d6e-7f80-9a1b-2c3d4e5f6a7b", "type": "ping", "createdAt": "2026-11-26T15:04:00.1+00:00",
                   "data": {"subscriptionId": "01a2"}}, separators=(",", ":")).encode()


def v1(secret: str, t: int, body: bytes) -> str:
    """The reference computation, written out as the API reference gives it."""
    return hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def reason(payload, header, secrets, **kwargs) -> str:
    with pytest.raises(WebhookVerificationError) as caught:
        verify_webhook(payload, header, secrets, **kwargs)
    return caught.value.reason


def test_a_correct_signature_returns_the_event():
    header = f"t={NOW},v1={v1(SECRET, NOW, BODY)}"
    event = verify_webhook(BODY, header, SECRET, now=NOW)
    assert event["type"] == "ping"
    assert event["data"] == {"subscriptionId": "01a2"}


def test_during_a_rotation_either_v1_and_either_secret_is_accepted():
    header = f"t={NOW},v1={v1(SECRET, NOW, BODY)},v1={v1(OLD_SECRET, NOW, BODY)}"
    assert verify_webhook(BODY, header, SECRET, now=NOW)["type"] == "ping"
    assert verify_webhook(BODY, header, OLD_SECRET, now=NOW)["type"] == "ping"
    assert verify_webhook(BODY, header, ["whsec_unrelated", OLD_SECRET], now=NOW)["type"] == "ping"
    # A receiver holding both secrets accepts a header signed with only the new one.
    only_new = f"t={NOW},v1={v1(SECRET, NOW, BODY)}"
    assert verify_webhook(BODY, only_new, [OLD_SECRET, SECRET], now=NOW)["type"] == "ping"


def test_a_wrong_secret_is_refused():
    header = f"t={NOW},v1={v1(SECRET, NOW, BODY)}"
    assert reason(BODY, header, "whsec_wrong", now=NOW) == "signature"
    assert reason(BODY, header, ["whsec_wrong", "whsec_other"], now=NOW) == "signature"


def test_a_changed_body_is_refused():
    header = f"t={NOW},v1={v1(SECRET, NOW, BODY)}"
    assert reason(BODY.replace(b"ping", b"pong"), header, SECRET, now=NOW) == "signature"
    assert reason(BODY + b" ", header, SECRET, now=NOW) == "signature"


def test_a_changed_timestamp_is_refused():
    header = f"t={NOW + 1},v1={v1(SECRET, NOW, BODY)}"
    assert reason(BODY, header, SECRET, now=NOW) == "signature"


def test_the_tolerance_holds_both_ways_and_is_an_option():
    old = NOW - 301
    assert reason(BODY, f"t={old},v1={v1(SECRET, old, BODY)}", SECRET, now=NOW) == "stale"
    future = NOW + 301
    assert reason(BODY, f"t={future},v1={v1(SECRET, future, BODY)}", SECRET, now=NOW) == "stale"
    edge = NOW - 300
    assert verify_webhook(BODY, f"t={edge},v1={v1(SECRET, edge, BODY)}", SECRET, now=NOW)["type"] == "ping"
    assert verify_webhook(BODY, f"t={old},v1={v1(SECRET, old, BODY)}", SECRET, now=NOW, tolerance=600)["type"] == "ping"
    assert reason(BODY, f"t={NOW - 11},v1={v1(SECRET, NOW - 11, BODY)}", SECRET, now=NOW, tolerance=10) == "stale"


def test_now_may_be_an_aware_datetime_and_defaults_to_the_clock():
    at = datetime.fromtimestamp(NOW, timezone.utc)
    assert verify_webhook(BODY, f"t={NOW},v1={v1(SECRET, NOW, BODY)}", SECRET, now=at)["type"] == "ping"
    # Without now, the machine's clock: a 2026 timestamp signed now-ish passes, one from 1970 is stale.
    fresh = sign_webhook(BODY, SECRET)
    assert verify_webhook(BODY, fresh, SECRET)["type"] == "ping"
    assert reason(BODY, f"t=1,v1={v1(SECRET, 1, BODY)}", SECRET) == "stale"
    with pytest.raises(ValueError):
        verify_webhook(BODY, fresh, SECRET, now=datetime(2026, 1, 1))


@pytest.mark.parametrize("header", [
    None,
    "",
    "   ",
    f"v1={v1(SECRET, NOW, BODY)}",                                   # no t
    f"t={NOW}",                                                       # no v1
    f"t=abc,v1={v1(SECRET, NOW, BODY)}",                              # t not a number
    f"t=-5,v1={v1(SECRET, NOW, BODY)}",                               # t negative
    f"t={NOW},t={NOW},v1={v1(SECRET, NOW, BODY)}",                    # two t
    f"t={NOW},v1=deadbeef",                                           # v1 too short
    f"t={NOW},v1={'z' * 64}",                                         # v1 not hex
    f"t={NOW},v1={v1(SECRET, NOW, BODY)},garbage",                    # a part without =
    f"t={NOW},v1=é{v1(SECRET, NOW, BODY)[1:]}",                       # not ASCII
    f"t=１２３,v1={v1(SECRET, NOW, BODY)}",                             # Unicode digits
])
def test_malformed_headers_are_refused(header):
    assert reason(BODY, header, SECRET, now=NOW) == "malformed"


def test_unknown_schemes_and_spaces_are_tolerated():
    header = f" t={NOW} , v0=abc, v1={v1(SECRET, NOW, BODY).upper()} "
    assert verify_webhook(BODY, header, SECRET, now=NOW)["type"] == "ping"


def test_a_signed_body_that_is_not_a_json_object_is_malformed():
    for body in (b"not json", b"[1,2]", b"\xff\xfe"):
        header = f"t={NOW},v1={v1(SECRET, NOW, body)}"
        assert reason(body, header, SECRET, now=NOW) == "malformed"


def test_payload_may_be_bytes_like_or_text_and_secrets_bytes():
    header = f"t={NOW},v1={v1(SECRET, NOW, BODY)}"
    for payload in (BODY, bytearray(BODY), memoryview(BODY), BODY.decode()):
        assert verify_webhook(payload, header, SECRET, now=NOW)["type"] == "ping"
    assert verify_webhook(BODY, header, SECRET.encode(), now=NOW)["type"] == "ping"
    assert verify_webhook(BODY, header, (s for s in ["x", SECRET]), now=NOW)["type"] == "ping"


def test_no_secret_is_a_programming_error_not_a_verification_failure():
    header = f"t={NOW},v1={v1(SECRET, NOW, BODY)}"
    for secrets in ([], "", [""]):
        with pytest.raises(ValueError):
            verify_webhook(BODY, header, secrets, now=NOW)


def test_sign_webhook_makes_what_the_relay_sends():
    assert sign_webhook(BODY, SECRET, NOW) == f"t={NOW},v1={v1(SECRET, NOW, BODY)}"
    assert sign_webhook(BODY, [SECRET, OLD_SECRET], NOW) == f"t={NOW},v1={v1(SECRET, NOW, BODY)},v1={v1(OLD_SECRET, NOW, BODY)}"


def test_the_comparison_is_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    header = f"t={NOW},v1={v1(SECRET, NOW, BODY)},v1={v1(OLD_SECRET, NOW, BODY)}"
    verify_webhook(BODY, header, [SECRET, "whsec_x"], now=NOW)
    # Every v1 against every secret's digest, whatever matched first.
    assert len(calls) == 4
