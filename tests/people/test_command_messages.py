"""The refusals of import_staff (and import_catalog) in the language a command runs in: zh-hans by default.

The English wording is pinned by each command's own tests; these pin that the
refusals are translated, keep the option names and paths as typed, and that a
refused import writes nothing. import_catalog's are here too, beside its sibling.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from apps.catalog.models import ServiceCategory
from apps.people.models import User

pytestmark = pytest.mark.django_db


def refusal(command: str, *args) -> str:
    with translation.override("zh-hans"), pytest.raises(CommandError) as caught:
        call_command(command, *map(str, args), stdout=io.StringIO(), stderr=io.StringIO())
    return str(caught.value)


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def staff_csv(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text("username,full_name,phone,role,org_code\n", encoding="utf-8")
    return path


def test_import_staff_missing_file(tmp_path):
    assert refusal("import_staff", tmp_path / "nope.csv") == f"{tmp_path / 'nope.csv'}：文件不存在——请检查路径"


def test_import_staff_password_variable_unset(tmp_path, monkeypatch):
    monkeypatch.delenv("STAFF_PW", raising=False)
    assert refusal("import_staff", staff_csv(tmp_path), "--password-from-env", "STAFF_PW") == (
        "--password-from-env STAFF_PW：该环境变量未设置或为空——请先 export 它"
    )
    assert not User.objects.exists()


def test_import_staff_weak_password_names_the_rule_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv("STAFF_PW", "12345678")
    message = refusal("import_staff", staff_csv(tmp_path), "--password-from-env", "STAFF_PW")
    assert message.startswith("--password-from-env STAFF_PW：")
    assert "too common" not in message  # Django's own validators speak Chinese too
    assert "12345678" not in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "{path}：文件不存在——请检查路径"),
        (b"\xff\xfe[", "{path}：不是 UTF-8 文本（invalid start byte）——请将文件保存为 UTF-8"),
        (b"[{", "{path}：第 1 行第 3 列不是有效的 JSON："),
    ],
)
def test_import_catalog_refusals(tmp_path, content, expected):
    path = tmp_path / "catalog.json"
    if content is not None:
        path.write_bytes(content)
    assert refusal("import_catalog", path).startswith(expected.format(path=path))
    assert not ServiceCategory.objects.exists()


def test_import_catalog_a_directory(tmp_path):
    assert refusal("import_catalog", tmp_path) == f"{tmp_path}：这是一个目录——请指定 .json 文件"


def test_import_catalog_a_refused_file_keeps_the_path_and_the_translated_reason(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text('[{"name": "没有编码"}]', encoding="utf-8")
    message = refusal("import_catalog", path)
    assert message.startswith(f"{path}：")
    assert "problem" not in message  # the import's own message is translated as well
    assert not ServiceCategory.objects.exists()
