import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0001_initial"),
        ("tracking", "0003_commit_source"),
    ]

    operations = [
        migrations.CreateModel(
            name="SyncState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("source", models.CharField(max_length=16)),
                ("stream", models.CharField(max_length=16)),
                ("checkpoint", models.DateTimeField(blank=True, null=True)),
                ("last_run_at", models.DateTimeField(blank=True, null=True)),
                ("last_success_at", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True, default="")),
                ("records", models.BigIntegerField(default=0)),
                ("created", models.BigIntegerField(default=0)),
                ("updated", models.BigIntegerField(default=0)),
                ("requests", models.BigIntegerField(default=0)),
                ("team", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="teams.team")),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("team", "source", "stream"), name="tracking_sync_state_unique")
                ],
            },
        ),
    ]
