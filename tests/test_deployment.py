"""The production shape: docker-compose.yml and the Dockerfile parse and point at
things that exist, and `check --deploy` is clean with production settings.
No Docker engine runs here, so these read the files instead of starting them."""

import importlib
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_of(service):
    command = service["command"]
    return command if isinstance(command, list) else shlex.split(command)


class TestCompose:
    def test_has_the_five_services_and_a_migrate_step(self, compose):
        assert {"web", "worker", "beat", "postgres", "redis", "migrate", "proxy"} <= set(compose["services"])

    def test_pinned_major_versions_of_postgres_and_redis(self, compose):
        assert compose["services"]["postgres"]["image"] == "postgres:16"
        assert compose["services"]["redis"]["image"] == "redis:7"

    def test_web_runs_gunicorn_on_the_project_wsgi_application(self, compose):
        command = command_of(compose["services"]["web"])
        assert command[0] == "gunicorn"
        module, _, attribute = command[1].partition(":")
        assert module == "vigil.wsgi" and (ROOT / "vigil" / "wsgi.py").exists()
        assert hasattr(importlib.import_module(module), attribute or "application")

    @pytest.mark.parametrize("name, role", [("worker", "worker"), ("beat", "beat")])
    def test_celery_services_use_the_vigil_app(self, compose, name, role):
        from celery.app.utils import find_app

        command = command_of(compose["services"][name])
        assert command[:4] == ["celery", "-A", "vigil", role]
        assert find_app("vigil").main == "vigil"

    def test_migrate_runs_manage_py_before_the_others_start(self, compose):
        services = compose["services"]
        assert command_of(services["migrate"])[:3] == ["python", "manage.py", "migrate"]
        assert (ROOT / "manage.py").exists()
        for name in ["web", "worker", "beat"]:
            assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
            assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
            assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"

    def test_proxy_serves_media_from_the_shared_volume_and_passes_the_rest_to_varnish(self, compose):
        proxy = compose["services"]["proxy"]
        assert "media:/srv/media:ro" in proxy["volumes"]
        config_mount = next(
            v for v in proxy["volumes"] if v.endswith("/etc/nginx/templates/default.conf.template:ro")
        )
        config = (ROOT / config_mount.split(":")[0]).read_text()
        assert "server varnish:80;" in config
        assert "gzip on;" in config
        assert re.search(r"location /media/ \{\s*alias /srv/media/;", config)
        assert "ports" not in compose["services"]["web"]  # readers reach web only through the proxy

    def test_varnish_runs_the_shipped_vcl_in_front_of_web_and_is_purged_by_tag(self, compose):
        varnish = compose["services"]["varnish"]
        assert "./deploy/varnish.vcl:/etc/varnish/default.vcl:ro" in varnish["volumes"]
        vcl = (ROOT / "deploy" / "varnish.vcl").read_text()
        assert '.host = "web";' in vcl and '.port = "8000";' in vcl
        assert "xkey.softpurge(req.http.xkey-purge)" in vcl  # expired, kept for grace
        environment = compose["services"]["web"]["environment"]
        assert environment["VIGIL_PURGER"].startswith("${VIGIL_PURGER:-varnish}")
        assert environment["VIGIL_VARNISH_URLS"] == "http://varnish:80/"

    def test_the_cache_is_a_bounded_redis_of_its_own_and_the_broker_evicts_nothing(self, compose):
        """Issue 18: cached pages cannot push out the broker's queue."""
        cache = command_of(compose["services"]["cache"])
        assert cache[cache.index("--maxmemory-policy") + 1] == "allkeys-lru"
        assert cache[cache.index("--maxmemory") + 1]
        broker = command_of(compose["services"]["redis"])
        assert broker[broker.index("--maxmemory-policy") + 1] == "noeviction"
        environment = compose["services"]["web"]["environment"]
        assert environment["CACHE_REDIS_URL"].startswith("redis://cache:6379/")
        assert environment["REDIS_URL"].startswith("redis://redis:6379/")

    def test_proxy_sets_the_forwarded_headers_itself(self, compose):
        """A client's X-Forwarded-For or X-Forwarded-Proto never reaches the app:
        nginx writes both (the address it saw; the deployment's scheme)."""
        config = (ROOT / "deploy" / "nginx.conf").read_text()
        headers = dict(re.findall(r"proxy_set_header\s+(\S+)\s+(.+?);", config))
        assert headers["X-Forwarded-For"] == "$remote_addr"
        assert headers["X-Forwarded-Proto"] == "${PUBLIC_SCHEME}"
        assert "$http_x_forwarded" not in config and "$proxy_add_x_forwarded_for" not in config
        assert compose["services"]["proxy"]["environment"]["PUBLIC_SCHEME"] == "${PUBLIC_SCHEME:-https}"
        assert headers["X-Request-Start"] == '"t=${msec}"'
        # nginx, then Varnish (which appends nginx's address).
        assert compose["services"]["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-2}"

    def test_varnish_queues_at_most_twice_the_workers_for_web(self, compose):
        """Overload is refused at the edge, fast (deploy/varnish.vcl,
        tests/vigil/test_varnish.py): the bound follows the workers compose starts."""
        vcl = (ROOT / "deploy" / "varnish.vcl").read_text()
        bound = int(re.search(r"\.max_connections = (\d+);", vcl).group(1))
        workers = re.fullmatch(r"\$\{WEB_CONCURRENCY:-(\d+)\}",
                               compose["services"]["web"]["environment"]["WEB_CONCURRENCY"])
        assert bound == 2 * int(workers.group(1))
        assert "sub vcl_backend_error" in vcl and 'beresp.http.Retry-After = "5"' in vcl

    def test_web_uses_the_gunicorn_settings_and_readiness(self, compose):
        from vigil import gunicorn

        assert command_of(compose["services"]["web"])[2:] == ["--config", "python:vigil.gunicorn"]
        assert gunicorn.backlog <= 128 and gunicorn.timeout <= 60
        assert "/readyz/" in " ".join(compose["services"]["web"]["healthcheck"]["test"])
        for name in ["worker", "beat"]:
            assert "manage.py readyz" in " ".join(compose["services"][name]["healthcheck"]["test"])

    def test_health_checks(self, compose):
        for name in ["web", "worker", "beat", "postgres", "redis", "proxy"]:
            assert compose["services"][name]["healthcheck"]["test"], name

    def test_volumes_for_database_and_media(self, compose):
        assert {"pgdata", "media"} <= set(compose["volumes"])
        assert "pgdata:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]
        assert "media:/app/media" in compose["services"]["web"]["volumes"]

    def test_environment_configures_database_redis_secret_and_hosts(self, compose):
        for name in ["web", "worker", "beat", "migrate"]:
            environment = compose["services"][name]["environment"]
            assert environment["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in environment["DATABASE_URL"]
            assert environment["REDIS_URL"].startswith("redis://redis:6379/")
            assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")  # no default secret
            assert "ALLOWED_HOSTS" in environment
            assert environment["DEBUG"] == "0"


class TestDockerfile:
    @pytest.fixture(scope="class")
    def dockerfile(self):
        return (ROOT / "Dockerfile").read_text()

    def test_base_image_and_non_root_user(self, dockerfile):
        assert re.search(r"^FROM python:3\.13-slim\b", dockerfile, re.M)
        users = re.findall(r"^USER (\S+)", dockerfile, re.M)
        assert users and users[-1] not in {"root", "0"}

    def test_installs_the_project_and_collects_static_with_a_dummy_key(self, dockerfile):
        assert re.search(r"pip install \.", dockerfile)
        joined = dockerfile.replace("\\\n", " ")
        assert re.search(r"SECRET_KEY=\S+ .*manage\.py collectstatic", joined)

    def test_serves_with_gunicorn(self, dockerfile):
        assert '"gunicorn", "vigil.wsgi:application"' in dockerfile


# Production starts from a clean environment: none of the test run's settings leak in
# (the browser fixture sets DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly refuses).
CLEARED = {
    "DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=120,
    )


class TestProductionSettings:
    def test_check_deploy_reports_nothing(self):
        result = run_manage(
            "check", "--deploy", "--fail-level", "WARNING",
            DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="vigil.example.org",
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "System check identified no issues (0 silenced)." in result.stdout

    def test_collectstatic_as_the_image_build_runs_it(self, tmp_path):
        result = run_manage(
            "collectstatic", "--no-input", "-v0",
            DEBUG="0", SECRET_KEY="build-time-dummy-not-secret", ALLOWED_HOSTS="localhost",
            STATIC_ROOT=str(tmp_path),
        )
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "staticfiles.json").exists()
        assert list(tmp_path.glob("css/vigil.*.css"))

    def test_refuses_to_start_without_a_secret_key(self):
        result = run_manage("check", DEBUG="0", ALLOWED_HOSTS="vigil.example.org")
        assert result.returncode != 0
        assert "SECRET_KEY is not set" in result.stderr

    @pytest.mark.parametrize(("proxies", "believed"), [("0", "None"), ("2", "('HTTP_X_FORWARDED_PROTO', 'https')")])
    def test_the_scheme_is_believed_from_a_proxy_only_when_there_is_one(self, proxies, believed):
        # Without a proxy a reader could send X-Forwarded-Proto themselves.
        result = run_manage(
            "shell", "-c", "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
            DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="vigil.example.org",
            TRUSTED_PROXY_COUNT=proxies,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == believed
