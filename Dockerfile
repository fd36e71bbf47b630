# Vigil's production image: gunicorn serves the site, the same image runs the
# Celery worker and beat (see docker-compose.yml).
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=vigil.settings \
    MEDIA_ROOT=/app/media \
    STATIC_ROOT=/app/staticfiles

RUN groupadd --system vigil \
    && useradd --system --gid vigil --home-dir /app --no-create-home --shell /usr/sbin/nologin vigil

WORKDIR /app
COPY . /app
# The dependencies come from pyproject.toml; the code runs from /app, where
# templates/ and static/ live beside it.
RUN pip install . \
    && rm -rf build *.egg-info

# Static files are collected at build time. The key is a build-time dummy: the
# real one comes from the environment at run time (settings refuse to start without it).
RUN SECRET_KEY=build-time-dummy-not-secret DEBUG=0 ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --no-input \
    && mkdir -p /app/media /app/var \
    && chown -R vigil:vigil /app/media /app/var

USER vigil
EXPOSE 8000

CMD ["gunicorn", "vigil.wsgi:application", "--config", "python:vigil.gunicorn"]
