from __future__ import annotations

from django.db import models


class RateLimitCounter(models.Model):
    """One counter of the database rate-limit cache (analytics_api.ratelimit_cache).

    Used only through single atomic SQL statements, never through the ORM's read-modify-write.
    """

    key = models.CharField(max_length=255, primary_key=True)
    value = models.BigIntegerField()
    # Unix time in seconds: compared in SQL with a bound parameter, free of time zones.
    expires = models.FloatField(db_index=True)

    class Meta:
        db_table = "analytics_api_ratelimit_counter"

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
