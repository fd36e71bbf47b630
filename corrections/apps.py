from django.apps import AppConfig


class CorrectionsConfig(AppConfig):
    name = "corrections"

    def ready(self):
        from vigil.conditional import feed_stamp
        from vigil.notifications import notice_describer

        from .feeds import entries_changed
        from .notices import ERROR_REPORT_RECEIVED, describe_error_report_received

        feed_stamp(entries_changed)
        notice_describer(ERROR_REPORT_RECEIVED, describe_error_report_received)
