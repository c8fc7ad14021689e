"""Start-up refuses malformed environment variables with one line naming the variable."""

import pytest

from tests.conftest import run_check


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "not-a-url"),
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("CELERY_BROKER_URL", "nonsense"),
        ("DEBUG", "ture"),
        ("CONN_MAX_AGE", "ten"),
        ("MAX_UPLOAD_BYTES", "big"),
        ("EMAIL_URL", "pigeon://coop"),
        ("CACHE_URL", "memcache://x"),
    ],
)
def test_malformed_variable_gives_one_line_naming_it(name, value):
    extra = {name: value}
    if name == "CONN_MAX_AGE":
        extra["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/test"
    result = run_check(**extra)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]
    assert "Traceback" not in result.stderr


def test_production_refuses_the_demo_secret_key():
    result = run_check(DEBUG="0", ALLOWED_HOSTS="example.org")
    assert result.returncode == 1
    assert "SECRET_KEY" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_production_starts_with_a_real_secret_key():
    result = run_check(DEBUG="0", ALLOWED_HOSTS="example.org", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr


def test_no_variables_gives_the_embedded_default():
    from django.conf import settings

    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert ("en", "English") in settings.LANGUAGES
    result = run_check()
    assert result.returncode == 0, result.stderr
