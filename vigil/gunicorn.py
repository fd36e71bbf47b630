"""gunicorn's settings for the production shape (Dockerfile, docker-compose.yml):

    gunicorn -c python:vigil.gunicorn vigil.wsgi:application

Sized to shed load rather than collapse under it (vigil/shedding.py): a short
listen backlog, so an overloaded web refuses new connections instead of queueing
them for minutes; a worker timeout that kills a stuck worker well before the
proxy gives up; workers recycled now and then. gunicorn reads this before
Django starts, so the few knobs come from the environment here.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: each serves one request at a time, CPU-bound rendering.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Connections waiting for a worker. Past this the kernel refuses and the proxy
# answers at once; each waiting one also costs a reader a deadline's wait.
backlog = int(os.environ.get("GUNICORN_BACKLOG", "64"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
# vigil.logs writes one line per request (JSON, with its request id); gunicorn's
# own lines go through the same formatter.
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "vigil.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
