"""Friendly pages instead of Django's bare defaults (DEBUG is off)."""

from django.test import Client
from django.test.client import RequestFactory
from django.views.defaults import server_error


def test_unknown_address_gets_a_friendly_404(client, db):
    response = client.get("/nergens/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Pagina niet gevonden" in text and "css/plan.css" in text


def test_server_error_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Er ging iets mis" in response.content.decode()


def test_a_post_without_csrf_token_says_what_to_do(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/plan/tick/", {"item": 1})
    assert response.status_code == 403
    assert "Probeer het opnieuw" in response.content.decode()
