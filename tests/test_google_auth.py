"""Credentials: every way they can be wrong gives a message saying what to do (files in tmp_path, no network)."""
from __future__ import annotations

import datetime as dt
import json
import stat

import pytest
from google.oauth2.credentials import Credentials

from automation.cli.main import main
from automation.errors import AutomationError
from automation.store import Store
from automation.workspace.google import GoogleBackend
from automation.workspace.google.auth import (SCOPE, CredentialsError, describe, load_credentials, required_scopes,
                                              sign_in, write_token)

SCOPES = required_scopes()
CLIENT = {"installed": {"client_id": "123.apps.googleusercontent.com", "project_id": "club",
                        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                        "token_uri": "https://oauth2.googleapis.com/token", "client_secret": "s3cret",
                        "redirect_uris": ["http://localhost"]}}


class FakeTokenEndpoint:
    """A google.auth.transport.Request answering the token endpoint without the network."""

    def __init__(self, status: int, body: dict):
        self.status, self.body, self.calls = status, body, 0

    def __call__(self, url, method="GET", body=None, headers=None, timeout=None, **kwargs):
        self.calls += 1
        outer = self

        class Response:
            status = outer.status
            headers = {"content-type": "application/json"}
            data = json.dumps(outer.body).encode()

        return Response()


def token_info(expired: bool, refresh: bool = True, scopes=SCOPES) -> dict:
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    info = {"token": "ya29.old", "client_id": "123.apps.googleusercontent.com", "client_secret": "s3cret",
            "token_uri": "https://oauth2.googleapis.com/token", "scopes": scopes,
            "expiry": (now + dt.timedelta(hours=-1 if expired else 1)).isoformat() + "Z"}
    if refresh:
        info["refresh_token"] = "1//refresh"
    return info


@pytest.fixture
def client_file(tmp_path):
    p = tmp_path / "credentials.json"
    p.write_text(json.dumps(CLIENT))
    return p


def test_missing_file(tmp_path):
    with pytest.raises(CredentialsError, match="not there.*docs/GOOGLE.md"):
        load_credentials(tmp_path / "credentials.json", SCOPES)


def test_malformed_file(tmp_path):
    p = tmp_path / "credentials.json"
    p.write_text("{not json")
    with pytest.raises(CredentialsError, match="damaged"):
        load_credentials(p, SCOPES)
    p.write_text(json.dumps({"hello": 1}))
    with pytest.raises(CredentialsError, match="not a Google credentials file"):
        load_credentials(p, SCOPES)


def test_oauth_client_without_sign_in_says_run_auth(client_file):
    with pytest.raises(CredentialsError, match="python main.py auth"):
        load_credentials(client_file, SCOPES)


def test_valid_token_loads_without_any_call(client_file):
    write_token(Credentials.from_authorized_user_info(token_info(expired=False)), client_file.with_name("token.json"))
    endpoint = FakeTokenEndpoint(500, {})
    loaded = load_credentials(client_file, SCOPES, request=endpoint)
    assert loaded.kind == "oauth" and loaded.credentials.token == "ya29.old" and endpoint.calls == 0


def test_expired_token_is_refreshed_and_saved_0600(client_file):
    token = client_file.with_name("token.json")
    token.write_text(json.dumps(token_info(expired=True)))
    endpoint = FakeTokenEndpoint(200, {"access_token": "ya29.new", "expires_in": 3600, "scope": " ".join(SCOPES)})
    loaded = load_credentials(client_file, SCOPES, request=endpoint)
    assert loaded.credentials.token == "ya29.new" and endpoint.calls == 1
    assert json.loads(token.read_text())["token"] == "ya29.new"
    assert stat.S_IMODE(token.stat().st_mode) == 0o600


def test_revoked_token_says_sign_in_again(client_file):
    client_file.with_name("token.json").write_text(json.dumps(token_info(expired=True)))
    endpoint = FakeTokenEndpoint(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
    with pytest.raises(CredentialsError, match="revoked.*Testing.*python main.py auth"):
        load_credentials(client_file, SCOPES, request=endpoint)


def test_expired_token_without_refresh_token(client_file):
    client_file.with_name("token.json").write_text(json.dumps(token_info(expired=True, refresh=False)))
    with pytest.raises(CredentialsError, match="sign in again"):
        load_credentials(client_file, SCOPES, request=FakeTokenEndpoint(500, {}))


def test_token_missing_a_scope(client_file):
    client_file.with_name("token.json").write_text(json.dumps(token_info(False, scopes=[SCOPE["drive.file"]])))
    with pytest.raises(CredentialsError, match="does not allow gmail.compose"):
        load_credentials(client_file, SCOPES)


def test_broken_token_file(client_file):
    client_file.with_name("token.json").write_text(json.dumps({"token": "x"}))
    with pytest.raises(CredentialsError, match="incomplete"):
        load_credentials(client_file, SCOPES)


def test_sign_in_writes_the_token_0600(client_file):
    def browser(flow):
        assert set(flow.oauth2session.scope) == set(SCOPES)
        return Credentials.from_authorized_user_info(token_info(expired=False))

    loaded = sign_in(client_file, SCOPES, run_flow=browser)
    token = client_file.with_name("token.json")
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert json.loads(token.read_text())["refresh_token"] == "1//refresh"
    text = describe(loaded, token)
    assert "gmail.compose" in text and "drive.file" in text and str(token) in text


def test_sign_in_refused_in_the_browser(client_file):
    def refuse(flow):
        raise RuntimeError("access_denied")

    with pytest.raises(CredentialsError, match="did not finish"):
        sign_in(client_file, SCOPES, run_flow=refuse)


def service_account(tmp_path, **extra) -> dict:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return {"type": "service_account", "project_id": "club", "private_key_id": "abc", "private_key": pem,
            "client_email": "club-bot@club.iam.gserviceaccount.com", "client_id": "1",
            "token_uri": "https://oauth2.googleapis.com/token", **extra}


def test_service_account_with_delegation(tmp_path):
    p = tmp_path / "sa.json"
    p.write_text(json.dumps(service_account(tmp_path, delegated_user="admin@amuca.kg")))
    loaded = load_credentials(p, SCOPES)
    assert loaded.kind == "service_account" and loaded.subject == "admin@amuca.kg"
    assert loaded.credentials._subject == "admin@amuca.kg"
    assert "acting as admin@amuca.kg" in describe(loaded)


def test_service_account_with_a_broken_key(tmp_path):
    p = tmp_path / "sa.json"
    p.write_text(json.dumps({**service_account(tmp_path), "private_key": "-----BEGIN PRIVATE KEY-----\nxx\n"}))
    with pytest.raises(CredentialsError, match="service account key"):
        load_credentials(p, SCOPES)


@pytest.mark.parametrize("options", [{}, {"folder_id": "F"}], ids=["alone", "with a Shared Drive folder"])
def test_service_account_without_delegation_is_refused_at_start_with_what_to_do(tmp_path, options):
    """Even with a Shared Drive folder (accepted before): Gmail cannot send as it and forms.create cannot be
    told a folder, so the season would fail later; it is refused at once, naming both ways out."""
    p = tmp_path / "sa.json"
    p.write_text(json.dumps(service_account(tmp_path)))
    with pytest.raises(CredentialsError) as info:
        GoogleBackend.create(Store(":memory:"), p, "club@amuca.kg", options=options)
    text = str(info.value)
    assert "without domain-wide delegation" in text and "delegated_user" in text and "python main.py auth" in text
    assert "gmail.compose" in text  # the scopes to grant in the Admin console


def test_gmail_com_group_address_means_roster_as_list(client_file):
    write_token(Credentials.from_authorized_user_info(token_info(expired=False)), client_file.with_name("token.json"))
    backend = GoogleBackend.create(Store(":memory:"), client_file, "amuca@gmail.com")
    assert type(backend.group).__name__ == "RosterListGroup"
    with pytest.raises(CredentialsError, match="unknown setting"):
        GoogleBackend.create(Store(":memory:"), client_file, "amuca@gmail.com", options={"grups": "x"})


def test_backend_google_without_credentials_is_a_clean_cli_error(tmp_path, capsys):
    cfg = tmp_path / "club.yaml"
    plan = (__import__("pathlib").Path(__file__).resolve().parent.parent / "examples/club2022/plan.yaml")
    cfg.write_text(f"plan: {plan}\nstate: state.sqlite\nbackend: google\n")
    assert main(["--config", str(cfg), "responses", "sync"]) == 2
    err = capsys.readouterr().err
    assert "credentials.json" in err and "docs/GOOGLE.md" in err and "Traceback" not in err
    assert issubclass(CredentialsError, AutomationError)


def test_auth_check_command(client_file, capsys):
    write_token(Credentials.from_authorized_user_info(token_info(expired=False)), client_file.with_name("token.json"))
    cfg = client_file.with_name("club.yaml")
    cfg.write_text(f"credentials: {client_file.name}\nbackend: google\ngoogle: {{groups: roster}}\n")
    assert main(["--config", str(cfg), "auth", "--check"]) == 0
    out = capsys.readouterr().out
    assert "drive.file" in out and "roster" in out


# --- a partial grant: the admin unticked the optional gmail.readonly box ----------------------------


class TokenEndpoint:
    """A requests adapter answering Google's token endpoint with the scopes actually granted."""

    def __init__(self, granted: list[str]):
        self.granted = granted

    def adapter(self):
        import requests
        from requests.adapters import BaseAdapter

        granted = self.granted

        class Adapter(BaseAdapter):
            def send(self, request, **kwargs):
                r = requests.Response()
                r.status_code, r.url, r.request = 200, request.url, request
                r.headers["Content-Type"] = "application/json"
                r._content = json.dumps({"access_token": "ya29.new", "expires_in": 3599, "refresh_token": "1//r",
                                         "token_type": "Bearer", "scope": " ".join(granted)}).encode()
                return r

            def close(self):
                pass

        return Adapter()

    def __call__(self, flow):
        """A browser sign-in: Google redirected back with a code; the flow exchanges it for a token."""
        flow.redirect_uri = "http://localhost:1/"
        flow.oauth2session.mount("https://oauth2.googleapis.com/", self.adapter())
        flow.fetch_token(code="4/code")
        return flow.credentials


def test_a_partial_grant_without_the_optional_read_box_is_accepted_and_explained(client_file, monkeypatch):
    monkeypatch.delenv("OAUTHLIB_RELAX_TOKEN_SCOPE", raising=False)
    asked = required_scopes(read_mail=True)
    granted = [s for s in asked if s != SCOPE["gmail.readonly"]]
    loaded = sign_in(client_file, asked, run_flow=TokenEndpoint(granted))  # oauthlib: "Scope has changed"
    assert sorted(loaded.scopes) == sorted(granted) and loaded.declined == [SCOPE["gmail.readonly"]]
    saved = json.loads(client_file.with_name("token.json").read_text())
    assert sorted(saved["scopes"]) == sorted(granted)  # what Google granted, so a refresh asks for no more
    text = describe(loaded)
    assert "unticked" in text and "gmail.readonly" in text and "Nothing is lost" in text
    # club.yaml still says read_mail: true: the saved sign-in is accepted all the same
    assert load_credentials(client_file, asked).scopes == granted
    import os
    assert "OAUTHLIB_RELAX_TOKEN_SCOPE" not in os.environ


def test_a_grant_without_a_needed_box_says_which_box_to_tick(client_file):
    asked = required_scopes()
    granted = [SCOPE["drive.file"]]
    with pytest.raises(CredentialsError, match="Manage drafts and send emails.*tick that box"):
        sign_in(client_file, asked, run_flow=TokenEndpoint(granted))
    assert not client_file.with_name("token.json").exists()


def test_auth_check_refuses_a_service_account_without_delegation_too(tmp_path):
    p = tmp_path / "sa.json"
    p.write_text(json.dumps(service_account(tmp_path)))
    with pytest.raises(CredentialsError, match="Domain-wide delegation"):
        load_credentials(p, SCOPES)  # what `python main.py auth --check` calls
