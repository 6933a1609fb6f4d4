"""Webhooks and API keys against a running API: a real signed delivery from the relay, verified with verify_webhook."""
import json
import time

import pytest

from azora_sdk import AzoraApiError, AzoraClient, WebhookVerificationError, verify_webhook
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, API_URL, live, new_password, unique_email
from receiver import Receiver

pytestmark = live


def settle(client, subscription_id, deliveries, within=15.0):
    """Waits until the delivery log shows each delivery delivered: the relay records an outcome after the receiver
    answers, and deleting the subscription while it does so is a race the API loses with a 503 (a deadlock)."""
    deadline = time.monotonic() + within
    while True:
        log = {d.id: d for d in client.paginate(client.list_webhook_deliveries, id=subscription_id)}
        outcomes = {d: log[d].outcome if d in log else None for d in deliveries}
        if all(outcome == "delivered" for outcome in outcomes.values()):
            return [log[d] for d in deliveries]
        assert time.monotonic() < deadline, f"deliveries not recorded as delivered within {within:.0f} s: {outcomes}"
        time.sleep(0.2)


@pytest.fixture
def instructor():
    """A fresh account that an admin made an instructor (webhooks and API keys need the role)."""
    email, password = unique_email(), new_password()
    with AzoraClient(API_URL) as client:
        client.register(email=email, password=password, name="Python SDK partner")
        user = client.get_profile()
        with AzoraClient(API_URL) as admin:
            admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
            assert "instructor" in admin.set_user_roles(user.id, roles=["instructor"]).roles
            admin.sign_out()
        # A change of roles closes the user's sessions: sign in again for a token that carries the role.
        client.sign_in(email, password)
        yield client
        client.sign_out()


def test_a_ping_arrives_signed_and_verifies(instructor):
    with Receiver() as receiver:
        subscription = instructor.create_webhook(url=receiver.url, events=["ping"], description="Python SDK test")
        assert subscription.secret and subscription.active
        try:
            delivery = instructor.ping_webhook(subscription.id)
            assert delivery.event_type == "ping"
            got = receiver.next()
            header = got.headers["Azora-Signature"]

            event = verify_webhook(got.body, header, subscription.secret)
            assert event["type"] == "ping" and event["data"]["subscriptionId"] == str(subscription.id)
            assert got.headers["Azora-Event-Id"] == event["id"] and got.headers["Azora-Event-Type"] == "ping"
            assert got.headers["Azora-Delivery-Id"] == str(delivery.id)

            with pytest.raises(WebhookVerificationError) as wrong:
                verify_webhook(got.body, header, "whsec_not_the_secret")
            assert wrong.value.reason == "signature"
            changed = json.dumps({**event, "type": "payment.success"}).encode()
            with pytest.raises(WebhookVerificationError) as tampered:
                verify_webhook(changed, header, subscription.secret)
            assert tampered.value.reason == "signature"
            with pytest.raises(WebhookVerificationError) as replayed:
                verify_webhook(got.body, header, subscription.secret, now=time.time() + 301)
            assert replayed.value.reason == "stale"

            # After a rotation each delivery carries both signatures, so either secret verifies it.
            rotated = instructor.rotate_webhook_secret(subscription.id)
            assert rotated.secret != subscription.secret
            second = instructor.ping_webhook(subscription.id)
            after = receiver.next()
            header = after.headers["Azora-Signature"]
            assert header.count("v1=") == 2
            assert verify_webhook(after.body, header, rotated.secret)["type"] == "ping"
            assert verify_webhook(after.body, header, subscription.secret)["type"] == "ping"
            with pytest.raises(WebhookVerificationError):
                verify_webhook(after.body, header, ["whsec_a", "whsec_b"])

            recorded = settle(instructor, subscription.id, [delivery.id, second.id])
            assert all(d.last_status_code == 200 and d.delivered_at is not None for d in recorded)
        finally:
            instructor.delete_webhook(subscription.id)


def test_webhook_subscriptions_are_managed(instructor):
    with Receiver() as receiver:
        created = instructor.create_webhook(url=receiver.url, events=["ping", "course.enrolled"])
        assert [w.id for w in instructor.list_webhooks()] == [created.id]
        fetched = instructor.get_webhook(created.id)
        assert fetched.secret is None and set(fetched.events) == {"ping", "course.enrolled"}

        changed = instructor.update_webhook(created.id, description="renamed", active=False)
        assert changed.description == "renamed" and changed.active is False
        assert changed.url == receiver.url and set(changed.events) == {"ping", "course.enrolled"}

        instructor.update_webhook(created.id, active=True)
        delivery = instructor.ping_webhook(created.id)
        receiver.next()
        settle(instructor, created.id, [delivery.id])

        with pytest.raises(AzoraApiError) as refused:
            instructor.create_webhook(url=receiver.url, events=["no.such.event"])
        assert refused.value.code == "VALIDATION_ERROR" and "events" in refused.value.errors

        instructor.delete_webhook(created.id)
        with pytest.raises(AzoraApiError) as gone:
            instructor.get_webhook(created.id)
        assert gone.value.status == 404


def test_an_api_key_works_within_its_scopes_until_revoked(instructor):
    key = instructor.create_api_key(name="Python SDK", scopes=["catalog:read", "webhooks:manage"])
    assert key.key.startswith("azk_") and key.key not in repr(key)
    assert key.id in {k.id for k in instructor.list_api_keys()}

    with AzoraClient(API_URL, api_key=key.key) as partner:
        assert partner.session is None
        assert partner.list_courses(limit=1).pagination.total > 0
        assert partner.list_webhooks() == []
        with pytest.raises(AzoraApiError) as refused:
            partner.get_profile()
        assert (refused.value.status, refused.value.code) == (403, "API_KEY_NOT_ACCEPTED")

        instructor.revoke_api_key(key.id)
        with pytest.raises(AzoraApiError) as revoked:
            partner.list_webhooks()
        assert (revoked.value.status, revoked.value.code) == (401, "UNAUTHORIZED")
