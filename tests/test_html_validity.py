"""The Nu HTML Checker over every page type a reader or the desk opens: no error.

vnu.jar comes from the npm package `vnu-jar`, installed by `make validators`
(run by `make test` and so by CI) into var/tools/, and runs on the machine's Java.
Where either is missing the test is skipped, saying which; CI installs both.
All pages go to one checker run: the JVM starts once.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.test import TestCase

from tests.site_pages import build_site, desk_pages, error_documents, reader_pages

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = Path(os.environ.get("VNU_JAR", ROOT / "var/tools/node_modules/vnu-jar/build/dist/vnu.jar"))


def nu_errors(documents):
    """{name: [error messages]} for each {name: html} in `documents`, from one vnu run."""
    with tempfile.TemporaryDirectory(prefix="vigil-vnu-") as folder:
        names, paths = {}, []
        for n, (name, html) in enumerate(documents.items()):
            path = Path(folder) / f"page-{n}.html"
            path.write_bytes(html)
            names[path.name] = name
            paths.append(str(path))
        run = subprocess.run(
            ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *paths],
            capture_output=True, text=True, timeout=300,
        )
    errors = {name: [] for name in documents}
    for message in json.loads(run.stderr or "{}").get("messages", []):
        url = message.get("url", "")
        name = names.get(url.rsplit("/", 1)[-1], url)
        errors.setdefault(name, []).append(
            f"line {message.get('lastLine')}: {message.get('message')} [{message.get('extract', '').strip()[:120]}]"
        )
    return errors


def _skip_reason():
    if shutil.which("java") is None:
        return "needs Java for the Nu HTML Checker (make validators installs it)"
    if not VNU_JAR.exists():
        return f"needs vnu.jar at {VNU_JAR} (make validators installs it)"
    return None


@pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")
class NuHtmlCheckerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site()

    def test_every_page_type_has_no_nu_error(self):
        documents = {}
        for name, path in reader_pages(self.site).items():
            response = self.client.get(path)
            self.assertLess(response.status_code, 500, name)
            documents[f"reader: {name}"] = response.content
        response = self.client.post(self.site["article"].get_absolute_url() + "dissent/", {"argument": "Too short."})
        documents["reader: dissent form with errors"] = response.content
        response = self.client.post("/corrections/report/", {"what_is_wrong": ""})
        documents["reader: report form with errors"] = response.content
        documents.update({f"error: {name}": html for name, html in error_documents(self.site).items()})
        self.client.force_login(self.site["admin"])
        for name, path in desk_pages(self.site).items():
            response = self.client.get(path)
            self.assertEqual(response.status_code, 200, name)
            documents[f"desk: {name}"] = response.content
        response = self.client.post(f"/desk/claims/{self.site['claim'].code}/review/", {"reasoning": ""})
        documents["desk: review form with errors"] = response.content

        errors = {name: found for name, found in nu_errors(documents).items() if found}
        self.assertEqual(errors, {}, json.dumps(errors, indent=2, ensure_ascii=False))
