"""create_demo_users: one user per role, passwords written once, in a block naming the database."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db
def test_demo_users_are_created_once_with_working_passwords(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("create_demo_users")
    path = tmp_path / "demo-credentials.txt"
    lines = path.read_text().splitlines()
    assert lines[0].startswith(f"# database {connection.settings_dict['NAME']}, ")
    users = dict(line.split(None, 1) for line in lines[1:])
    assert set(users) == {"analyst", "editor", "admin"}
    for name, password in users.items():
        assert User.objects.get(username=name).check_password(password)
    assert path.stat().st_mode & 0o777 == 0o600

    call_command("create_demo_users")  # users exist: nothing new is written
    assert path.read_text().splitlines() == lines
