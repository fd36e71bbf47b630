"""The kept due-date counts (claims.due_load) under concurrent writers on
PostgreSQL: claims moved both ways between the same days at once, by two
editors and by nobody's, leave no deadlock and exact counts."""

import datetime
import threading

import pytest
from django.db import connection, transaction

from claims import due_load
from claims.models import Claim
from tests.factories import make_article, make_claim, make_editor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

X, Y = datetime.date(2026, 7, 1), datetime.date(2026, 7, 9)


def test_moves_both_ways_at_once_neither_deadlock_nor_drift():
    article = make_article()
    editors = [make_editor(), make_editor()]
    claims = [
        make_claim(article=article, next_review_due=X if n % 2 else Y, assigned_editor=editors[n % 3 % 2] if n % 3 else None)
        for n in range(12)
    ]
    barrier = threading.Barrier(len(claims))
    errors = []

    def shuttle(claim):
        try:
            barrier.wait(timeout=10)
            for _ in range(15):
                with transaction.atomic():
                    row = Claim.objects.select_for_update().get(pk=claim.pk)
                    row.next_review_due = Y if row.next_review_due == X else X
                    row.save(update_fields=["next_review_due"])
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=shuttle, args=(claim,)) for claim in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert due_load.drift() == {}
    assert sum(due for (editor, _), due in due_load.counted().items() if editor is None) == 12
