from django.apps import AppConfig


class CorrectionsConfig(AppConfig):
    name = "corrections"

    def ready(self):
        from vigil.notifications import notice_describer

        from .notices import ERROR_REPORT_RECEIVED, describe_error_report_received

        notice_describer(ERROR_REPORT_RECEIVED, describe_error_report_received)
