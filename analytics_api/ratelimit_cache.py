# placeholder: replaced by the Cursor API work (issue 3)
from django.core.cache.backends.locmem import LocMemCache as AtomicDatabaseCache  # noqa: F401
