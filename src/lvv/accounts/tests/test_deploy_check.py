"""Production settings: `check --deploy` clean, secrets only from the environment,
`__Host-` cookies. Each runs `lvv manage` in a child process with lvv.conf.production, because
settings modules cannot be swapped inside the test process."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

LVV = Path(sys.executable).with_name("lvv")
SECRETS = ("LVV_SECRET_KEY", "LVV_PSEUDONYM_KEY", "LVV_AUDIT_KEY", "LVV_DUPLICATE_KEY")


def _env(tmp_path, **overrides) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LVV_")}
    env.update({name: secrets.token_urlsafe(50) for name in SECRETS})
    env["LVV_FIELD_KEYS"] = Fernet.generate_key().decode()  # must be a valid Fernet key (lvv.core.crypto)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "lvv.conf.production",
            "LVV_ALLOWED_HOSTS": "lvv.example.nl",
            "LVV_VAR_DIR": str(tmp_path),
            "LVV_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _lvv(tmp_path, *args, **overrides) -> subprocess.CompletedProcess:
    command = [str(LVV)] if LVV.exists() else [sys.executable, "-m", "lvv.cli"]
    return subprocess.run(
        [*command, "manage", *args],
        env=_env(tmp_path, **overrides),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _lvv(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("missing", (*SECRETS, "LVV_FIELD_KEYS"))
def test_production_refuses_to_start_without_a_secret(tmp_path, missing):
    result = _lvv(tmp_path, "check", **{missing: None})
    assert result.returncode != 0
    assert "in productie moeten deze geheimen als omgevingsvariabele gezet zijn" in result.stderr
    assert missing in result.stderr.splitlines()[-1]
    assert result.returncode == 2 and "Traceback" not in result.stderr, "a plain Dutch message, no traceback"
    assert not any(tmp_path.glob("*key*")), "no development key may be made in production"


def test_production_refuses_a_short_secret_key(tmp_path):
    result = _lvv(tmp_path, "check", LVV_SECRET_KEY="kort")
    assert result.returncode != 0 and "minstens 50 tekens" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = _lvv(tmp_path, "check", LVV_ALLOWED_HOSTS=None)
    assert result.returncode != 0 and "zet LVV_ALLOWED_HOSTS" in result.stderr


PRINT_SETTINGS = """
import json
from django.conf import settings as s
names = ["SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
         "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE",
         "SESSION_COOKIE_PATH", "CSRF_COOKIE_PATH", "SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_DOMAIN", "DEBUG",
         "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "SECRET_KEY", "LVV_AUDIT_KEY"]
print(json.dumps({n: getattr(s, n) for n in names}))
"""


def test_production_cookies_are_host_prefixed_secure_httponly_lax(tmp_path):
    result = _lvv(tmp_path, "shell", "-c", PRINT_SETTINGS, LVV_SECRET_KEY="s" * 60, LVV_AUDIT_KEY="audit-from-env")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_NAME"] == "__Host-sessionid" and values["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    for kind in ("SESSION", "CSRF"):
        assert values[f"{kind}_COOKIE_SECURE"] is True and values[f"{kind}_COOKIE_HTTPONLY"] is True
        assert values[f"{kind}_COOKIE_SAMESITE"] == "Lax"
        assert values[f"{kind}_COOKIE_PATH"] == "/" and values[f"{kind}_COOKIE_DOMAIN"] is None
    assert values["DEBUG"] is False and values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_SSL_REDIRECT"]
    assert values["SECRET_KEY"] == "s" * 60 and values["LVV_AUDIT_KEY"] == "audit-from-env"
