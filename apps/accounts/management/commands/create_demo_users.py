from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from apps.accounts.roles import ROLES
from apps.accounts.services import user_create_with_role


class Command(BaseCommand):
    help = "Create demo users analyst, editor and admin with random passwords (printed once)."

    def handle(self, *args, **options):
        path = settings.VAR_DIR / "demo-credentials.txt"
        created = []
        for role in ROLES:
            if User.objects.filter(username=role).exists():
                continue
            _user, password = user_create_with_role(username=role, role=role)
            created.append(f"{role}  {password}")
        if not created:
            self.stdout.write(f"Demo users already exist; their passwords are in {path}.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # One block per creation, headed by the database it belongs to: after a database is
        # reset, the newest block (the last) holds the passwords that work.
        database = connection.settings_dict["NAME"]
        header = f"# database {database}, {timezone.now():%Y-%m-%d %H:%M} UTC"
        with path.open("a") as fh:
            fh.write("\n".join([header, *created]) + "\n")
        path.chmod(0o600)
        self.stdout.write("Demo users (user  password), also written to " + str(path) + ":")
        for line in created:
            self.stdout.write("  " + line)
