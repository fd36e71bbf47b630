"""Vigil against a peer: the realistic article's text served by Wagtail and by Vigil.

    .venv/bin/python bench/wagtail_compare.py [--db vigil_bench_1000] [--rounds 5]

Installs Wagtail with pip into a separate virtual environment under /tmp
(nothing of Wagtail's enters this repository), writes a minimal Wagtail site
there — one page type with a title, a standfirst and a rich-text body, a
trivial view — on the same Django, PostgreSQL (its own database) and Redis
cache as Vigil, publishes one page holding the realistic article's text
(bench/seed.py), and serves it with gunicorn exactly as bench/run.py serves
Vigil (production settings, 2 sync workers pinned to CPU 0, wrk on CPU 1).

Both servers run at once; each round measures Vigil's trivial view, Vigil's
realistic article rendered cold (page cache off, fragments off), Wagtail's
trivial view and Wagtail's page (Wagtail caches no page by default), back to
back. Each side's page is a ratio to its own trivial view, and
Vigil ÷ Wagtail is the ratio of the two. Written to bench/results/wagtail.json,
which bench/run.py reports among its goals.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402 — the path above first
    RESULTS,
    WAGTAIL_RESULT,
    fetch,
    production_env,
    rounds_summary,
    start_server,
    stop_server,
    wrk,
)

SITE_FILES = {
    "wagtailsite/__init__.py": "",
    "wagtailsite/settings.py": '''
        import os
        SECRET_KEY = os.environ["SECRET_KEY"]
        DEBUG = False
        ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
        ROOT_URLCONF = "wagtailsite.urls"
        WSGI_APPLICATION = "wagtailsite.wsgi.application"
        INSTALLED_APPS = [
            "news",
            "wagtail.contrib.forms", "wagtail.contrib.redirects", "wagtail.embeds",
            "wagtail.sites", "wagtail.users", "wagtail.snippets", "wagtail.documents",
            "wagtail.images", "wagtail.search", "wagtail.admin", "wagtail",
            "modelcluster", "taggit",
            "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
            "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
            "django.contrib.postgres",
        ]
        MIDDLEWARE = [
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
            "wagtail.contrib.redirects.middleware.RedirectMiddleware",
        ]
        TEMPLATES = [{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [os.path.join(os.path.dirname(__file__), "templates")],
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]},
        }]
        DATABASES = {"default": {
            "ENGINE": "django.db.backends.postgresql", "NAME": os.environ["WAGTAIL_DB"],
            "USER": "postgres", "HOST": "127.0.0.1", "PORT": "5432", "CONN_MAX_AGE": 600,
        }}
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                              "LOCATION": os.environ["REDIS_URL"], "KEY_PREFIX": "wagtail-bench"}}
        STATIC_URL = "/static/"
        STATIC_ROOT = os.path.join(os.path.dirname(__file__), "..", "static")
        WAGTAIL_SITE_NAME = "Bench"
        WAGTAILADMIN_BASE_URL = "http://127.0.0.1"
        USE_TZ = True
        DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
    ''',
    "wagtailsite/urls.py": '''
        from django.http import HttpResponse
        from django.urls import include, path
        from wagtail import urls as wagtail_urls

        def healthz(request):
            return HttpResponse("ok", content_type="text/plain")

        urlpatterns = [path("healthz/", healthz), path("", include(wagtail_urls))]
    ''',
    "wagtailsite/wsgi.py": '''
        import os
        from django.core.wsgi import get_wsgi_application
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagtailsite.settings")
        application = get_wsgi_application()
    ''',
    "news/__init__.py": "",
    "news/models.py": '''
        from django.db import models
        from wagtail.fields import RichTextField
        from wagtail.models import Page

        class ArticlePage(Page):
            dek = models.TextField(blank=True)
            body = RichTextField()
            content_panels = Page.content_panels + ["dek", "body"]
    ''',
    "news/templates/news/article_page.html": '''
        {% load wagtailcore_tags %}<!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
        <body><main><article>
        <h1>{{ page.title }}</h1><p>{{ page.dek }}</p>
        <p><time datetime="{{ page.first_published_at|date:'Y-m-d' }}">{{ page.first_published_at|date:"j M Y" }}</time></p>
        <div class="prose">{{ page.body|richtext }}</div>
        </article></main></body></html>
    ''',
    "manage.py": '''
        import os, sys
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagtailsite.settings")
        from django.core.management import execute_from_command_line
        execute_from_command_line(sys.argv)
    ''',
}

PUBLISH = '''
import json, sys
from wagtail.models import Page, Site
from news.models import ArticlePage
data = json.loads(sys.stdin.read())
root = Page.get_first_root_node()
site = Site.objects.filter(is_default_site=True).first()
home = site.root_page if site else root
page = ArticlePage.objects.filter(slug=data["slug"]).first()
if page is None:
    page = ArticlePage(title=data["title"], slug=data["slug"], dek=data["dek"], body=data["body"])
    home.add_child(instance=page)
    page.save_revision().publish()
print(page.url)
'''


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="vigil_bench_1000",
                        help="Vigil's seeded benchmark database (bench/run.py makes it)")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--venv", default="/tmp/vigil-bench-wagtail/venv")
    parser.add_argument("--site", default="/tmp/vigil-bench-wagtail/site")
    parser.add_argument("--wagtail-db", default="vigil_bench_wagtail")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8127, help="Vigil, cold")
    parser.add_argument("--wagtail-port", type=int, default=8137)
    return parser.parse_args()


def wagtail_venv(path):
    python = Path(path) / "bin" / "python"
    if not python.exists():
        print(f"Installing Wagtail into {path} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", path], check=True)
    # The same Django as Vigil's, whatever Wagtail would pick on its own.
    import django

    subprocess.run([str(python), "-m", "pip", "install", "-q", "wagtail", "gunicorn",
                    "psycopg[binary]", "redis", f"django=={django.__version__}"], check=True)
    return python


def write_site(site):
    for name, text in SITE_FILES.items():
        target = Path(site) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip())


def main():
    args = parse_args()
    env = production_env(args, args.db)
    os.environ.update(env)
    import django

    django.setup()
    import psycopg

    from bench import seed
    from vigil.rendering import render_markdown

    seed.ensure_realistic_article()
    python = wagtail_venv(args.venv)
    write_site(args.site)
    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                             [args.wagtail_db]).fetchone():
            admin.execute(f'CREATE DATABASE "{args.wagtail_db}"')
    wagtail_env = {**os.environ, "SECRET_KEY": env["SECRET_KEY"], "WAGTAIL_DB": args.wagtail_db,
                   "REDIS_URL": args.redis, "DJANGO_SETTINGS_MODULE": "wagtailsite.settings"}
    wagtail_env.pop("DATABASE_URL", None)

    def manage(*command, **kwargs):
        return subprocess.run([str(python), "manage.py", *command], cwd=args.site,
                              env=wagtail_env, check=True, text=True, capture_output=True, **kwargs)

    manage("makemigrations", "news")
    manage("migrate", "--noinput")
    page_url = manage("shell", "-c", PUBLISH, input=json.dumps({
        "slug": seed.REALISTIC_SLUG, "title": seed.REALISTIC_TITLE, "dek": seed.REALISTIC_DEK,
        "body": render_markdown(seed.REALISTIC_BODY_MARKDOWN),
    })).stdout.strip().splitlines()[-1]
    # The shell may first say what it imported: the versions are its last line.
    versions = manage("shell", "-c", "import django, wagtail; print(django.__version__, "
                      "wagtail.__version__)").stdout.strip().splitlines()[-1].split()

    vigil = start_server(env, args.port, args.workers, page_cache=False)
    gunicorn = [str(Path(args.venv) / "bin" / "gunicorn"), "wagtailsite.wsgi:application",
                "--workers", str(args.workers), "--bind", f"127.0.0.1:{args.wagtail_port}",
                "--log-level", "warning"]
    wagtail = subprocess.Popen(["taskset", "-c", "0", *gunicorn], cwd=args.site, env=wagtail_env,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if fetch(args.wagtail_port, page_url)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"Wagtail did not serve {page_url}")
            time.sleep(0.3)
        trivial = {"url": "/healthz/", "headers": {}}
        vigil_page = {"url": f"/articles/{seed.REALISTIC_SLUG}/", "headers": {}}
        wagtail_page = {"url": page_url, "headers": {}}
        for port, target in ((args.port, vigil_page), (args.wagtail_port, wagtail_page)):
            wrk(port, target, 1, args.connections)  # warm
        sides = {"vigil": [], "wagtail": []}
        for n in range(args.rounds):
            for side, port, target in (("vigil", args.port, vigil_page),
                                       ("wagtail", args.wagtail_port, wagtail_page)):
                beside = wrk(port, trivial, args.duration, args.connections)
                measured = wrk(port, target, args.duration, args.connections)
                sides[side].append({**measured, "trivial_rps": beside["rps"],
                                    "trivial_p95_ms": beside["p95_ms"]})
            print(f"  round {n + 1}: Vigil {sides['vigil'][-1]['rps']:.0f} req/s "
                  f"(trivial {sides['vigil'][-1]['trivial_rps']:.0f}), Wagtail "
                  f"{sides['wagtail'][-1]['rps']:.0f} req/s "
                  f"(trivial {sides['wagtail'][-1]['trivial_rps']:.0f})", flush=True)
    finally:
        stop_server(vigil)
        stop_server(wagtail)
    vigil_summary, wagtail_summary = rounds_summary(sides["vigil"]), rounds_summary(sides["wagtail"])
    per_round = [v["rps"] / v["trivial_rps"] / (w["rps"] / w["trivial_rps"])
                 for v, w in zip(sides["vigil"], sides["wagtail"], strict=True)]
    result = {
        "finished_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "django": versions[0], "wagtail": versions[1], "vigil_db": args.db,
        "ratio": wagtail_summary["ratio"], "vigil_ratio": vigil_summary["ratio"],
        "vigil_over_wagtail": round(statistics.median(per_round), 2),
        "vigil_over_wagtail_min": round(min(per_round), 2),
        "vigil_over_wagtail_max": round(max(per_round), 2),
        "vigil": vigil_summary, "wagtail_page": wagtail_summary,
    }
    RESULTS.mkdir(exist_ok=True)
    WAGTAIL_RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nVigil cold realistic article: {vigil_summary['ratio']:.3f} of its trivial view "
          f"(p95 {vigil_summary['p95_ms']:.1f} ms); Wagtail {result['wagtail']} on Django "
          f"{result['django']}: {wagtail_summary['ratio']:.3f} (p95 "
          f"{wagtail_summary['p95_ms']:.1f} ms).\nVigil ÷ Wagtail = {result['vigil_over_wagtail']} "
          f"(rounds {result['vigil_over_wagtail_min']}–{result['vigil_over_wagtail_max']}). "
          f"Written: {WAGTAIL_RESULT}")


if __name__ == "__main__":
    main()
