"""gunicorn's settings for the production shape (Dockerfile, docker-compose.yml):

    gunicorn -c python:vigil.gunicorn vigil.wsgi:application

Sized to shed load rather than collapse under it. The queue in front of the
workers is bounded at the edge (deploy/varnish.vcl, .max_connections: twice
WEB_CONCURRENCY), which refuses the rest at once; a full listen backlog cannot
do that (Linux drops the connection and the client retries it after seconds),
so the backlog here is only the backstop, with Vigil's deadline
(vigil/shedding.py). A worker timeout kills a stuck worker well before the
proxy gives up; workers are recycled now and then. gunicorn reads this before
Django starts, so the few knobs come from the environment here.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: each serves one request at a time, CPU-bound rendering.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Connections waiting for a worker. Behind Varnish's bound at most WEB_CONCURRENCY
# wait here; without it (web reached directly) this caps the queue, slowly.
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
