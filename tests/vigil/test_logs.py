"""Structured logs (vigil/logs.py): JSON lines with time, level, logger and
request id in production; the request id crosses from the proxy to the response."""

import json
import logging

from django.test import SimpleTestCase

from vigil.logs import JsonFormatter, RequestIdFilter


class JsonLineTests(SimpleTestCase):
    def line(self, record):
        RequestIdFilter().filter(record)
        return json.loads(JsonFormatter().format(record))

    def test_a_line_has_time_level_logger_message_and_request_id(self):
        record = logging.LogRecord("vigil.cache", logging.WARNING, __file__, 1, "cache %s", ("down",), None)
        line = self.line(record)
        self.assertEqual(line["level"], "WARNING")
        self.assertEqual(line["logger"], "vigil.cache")
        self.assertEqual(line["message"], "cache down")
        self.assertEqual(line["request_id"], "-")
        self.assertRegex(line["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")

    def test_an_exception_and_extra_fields_stay_inside_the_one_line(self):
        try:
            raise ValueError("bad\nvalue")
        except ValueError:
            import sys

            record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
        record.status = 500
        text = JsonFormatter().format(record)
        self.assertNotIn("\n", text)
        line = json.loads(text)
        self.assertIn("ValueError: bad", line["exc"])
        self.assertEqual(line["status"], 500)


class RequestIdTests(SimpleTestCase):
    def test_the_proxys_request_id_is_on_the_log_line_and_the_response(self):
        with self.assertLogs("vigil.request", logging.INFO) as logs:
            response = self.client.get("/healthz/", headers={"X-Request-ID": "f00dfeed-1234"})
        self.assertEqual(response["X-Request-ID"], "f00dfeed-1234")
        record = logs.records[-1]
        self.assertEqual((record.request_id, record.status, record.path), ("f00dfeed-1234", 200, "/healthz/"))

    def test_an_unsafe_request_id_is_replaced(self):
        response = self.client.get("/healthz/", headers={"X-Request-ID": 'x"\n{"level": "fake"}'})
        self.assertRegex(response["X-Request-ID"], r"^[0-9a-f]{32}$")
