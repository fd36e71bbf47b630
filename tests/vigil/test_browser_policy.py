"""Permissions-Policy, and the CSP violation reports browsers send (vigil/browser_policy.py)."""

import json

from django.test import TestCase

from tests.factories import make_article


class HeaderTests(TestCase):
    def test_every_page_turns_off_the_powerful_features_and_names_the_report_endpoint(self):
        for url in ["/", make_article().get_absolute_url(), "/healthz/", "/accounts/login/"]:
            with self.subTest(url=url):
                response = self.client.get(url)
                policy = response["Permissions-Policy"]
                for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()"]:
                    self.assertIn(feature, policy)
                self.assertEqual(response["Reporting-Endpoints"], 'csp="/csp-report/"')

    def test_the_csp_reports_to_the_endpoint(self):
        csp = self.client.get("/")["Content-Security-Policy"]
        self.assertIn("report-uri /csp-report/", csp)
        self.assertIn("report-to csp", csp)


class CspReportTests(TestCase):
    def post(self, payload, content_type):
        body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
        return self.client.post("/csp-report/", body, content_type=content_type)

    def test_a_report_uri_violation_is_logged(self):
        with self.assertLogs("vigil.csp", "WARNING") as logged:
            response = self.post(
                {"csp-report": {
                    "document-uri": "https://vigil.example.org/articles/a/",
                    "violated-directive": "script-src-elem",
                    "blocked-uri": "https://evil.example/x.js",
                    "original-policy": "default-src 'self'" * 50,
                }},
                "application/csp-report",
            )
        self.assertEqual(response.status_code, 204)
        (line,) = logged.output
        self.assertIn("script-src-elem", line)
        self.assertIn("https://evil.example/x.js", line)
        self.assertIn("/articles/a/", line)
        self.assertNotIn("original-policy", line)

    def test_reporting_api_violations_are_logged_one_line_each(self):
        reports = [
            {"type": "csp-violation", "body": {
                "documentURL": "https://vigil.example.org/", "effectiveDirective": "img-src",
                "blockedURL": "https://tracker.example/p.gif\nFAKE LOG LINE",
            }},
            {"type": "deprecation", "body": {"id": "x"}},
            {"type": "csp-violation", "body": {"effectiveDirective": "style-src", "blockedURL": "inline"}},
        ]
        with self.assertLogs("vigil.csp", "WARNING") as logged:
            response = self.post(reports, "application/reports+json")
        self.assertEqual(response.status_code, 204)
        self.assertEqual(len(logged.output), 2)
        self.assertNotIn("\n", logged.output[0])
        self.assertIn("img-src", logged.output[0])

    def test_junk_and_oversized_bodies_are_refused_and_not_logged(self):
        with self.assertNoLogs("vigil.csp", "WARNING"):
            self.assertEqual(self.post("not json", "application/csp-report").status_code, 400)
            self.assertEqual(self.post({"hello": "world"}, "application/json").status_code, 400)
            huge = {"csp-report": {"blocked-uri": "x" * 20_000}}
            self.assertEqual(self.post(huge, "application/csp-report").status_code, 400)
        self.assertEqual(self.client.get("/csp-report/").status_code, 405)
