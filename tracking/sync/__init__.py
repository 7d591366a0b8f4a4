"""Mirror Cursor's and Qoder's own APIs into the service (`manage.py sync`, docs/sync.md)."""
