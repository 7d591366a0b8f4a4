"""The Qoder dialect: AI Code Metrics and Tracking (QODER.md) over the canonical records."""
