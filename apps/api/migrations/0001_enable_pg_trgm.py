# pg_trgm for the claim search (apps/claims/matching.py). CREATE EXTENSION IF NOT
# EXISTS: harmless when another app's migration has enabled it already.
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]

    operations = [TrigramExtension()]
