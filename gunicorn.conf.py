"""The production server's configuration: `gunicorn config.wsgi` reads it from the project
directory (gunicorn loads ./gunicorn.conf.py by default; `-c gunicorn.conf.py` says so).

Every value comes from the environment with a safe default. The access log never carries
credentials: gunicorn's default format logs the Basic user name (%(u)s), which is the API key
here, and the query string (%(r)s, %(q)s), which may carry emails; this format has neither.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "3600"))  # a 10M-row CSV export is one request
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Behind the reverse proxy of docs/deployment.md, the client address is the proxy's.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # "-": stdout; "": off
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Client, time, method, path WITHOUT the query string, protocol, status, bytes, duration in
# ms, user agent. No %(u)s (the Basic user name is the API key), no %(r)s/%(q)s, no headers.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
