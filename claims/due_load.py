"""The load a due date is balanced against, kept as counts by the database.

claims_dueload holds, per day, how many claims of live or scheduled pieces
fall due: one row per (editor, day) and one row per day for every claim
(editor NULL: what an unassigned claim is balanced against). A proposal reads
at most one row per day of its window (Claim.proposed_due), where counting
the claims themselves read every claim due in the window (70k rows at 300k
claims).

The counts are derived data, like an index, so the database keeps them: the
triggers below move them on every write to claims_claim (insert, update of a
due date, editor or article, delete) and on every article status change in or
out of the load, whoever writes (an action, the admin, a data migration, a
bulk UPDATE, the benchmark's INSERT ... SELECT). No action has to remember it.

- PostgreSQL: statement-level triggers with transition tables, so a bulk
  write costs two grouped upserts, and every writer locks the rows it
  touches in one order (the editors' rows by day, then the every-claim rows
  by day): two reviews moving claims between the same two days cannot
  deadlock on them (tests/claims/test_due_load_concurrency.py).
- SQLite: row-level triggers (it has no others).

SQLite drops a table's triggers when a migration remakes the table; the
post_migrate hook (claims.apps) puts back what is missing and recounts.
`manage.py due_load` compares the counts with a GROUP BY of the claims, and
`--rebuild` recounts them.
"""

from django.db import connection, transaction
from django.db.models import Count

# The pieces whose claims are load: live ones, and scheduled ones about to be.
LOAD_STATUSES = ("published", "scheduled")
_IN_LOAD = "('published', 'scheduled')"
TABLE = "claims_dueload"

# --- PostgreSQL -------------------------------------------------------------

# `moved` yields (editor_id, day, due) changes; the editor's row and the
# every-claim row of the day take each one, netted per row: the editors' rows
# first, by day, then the every-claim rows, by day.
_PG_APPLY = f"""
    WITH moved(editor_id, day, due) AS ({{moved}}),
    net AS (
        SELECT editor_id, day, sum(due)::integer AS due FROM moved WHERE editor_id IS NOT NULL
        GROUP BY editor_id, day HAVING sum(due) <> 0
    )
    INSERT INTO {TABLE} AS load (editor_id, day, due)
    SELECT editor_id, day, due FROM net ORDER BY day, editor_id
    ON CONFLICT (editor_id, day) WHERE editor_id IS NOT NULL
    DO UPDATE SET due = load.due + EXCLUDED.due;

    WITH moved(editor_id, day, due) AS ({{moved}}),
    net AS (
        SELECT day, sum(due)::integer AS due FROM moved GROUP BY day HAVING sum(due) <> 0
    )
    INSERT INTO {TABLE} AS load (editor_id, day, due)
    SELECT NULL, day, due FROM net ORDER BY day
    ON CONFLICT (day) WHERE editor_id IS NULL
    DO UPDATE SET due = load.due + EXCLUDED.due;
"""


def _claims_in(rows, sign):
    return (
        f"SELECT c.assigned_editor_id, c.next_review_due, {sign} FROM {rows} AS c "
        f"JOIN articles_article AS a ON a.id = c.article_id WHERE a.status IN {_IN_LOAD}"
    )


_PG_MOVED = {
    "claims_claim": {
        "INSERT": _claims_in("new_claims", 1),
        "UPDATE": _claims_in("old_claims", -1) + " UNION ALL " + _claims_in("new_claims", 1),
        "DELETE": _claims_in("old_claims", -1),
    },
    "articles_article": {
        # Claims of pieces that entered the load (+1) or left it (-1).
        "UPDATE": (
            "SELECT c.assigned_editor_id, c.next_review_due, "
            f"CASE WHEN n.status IN {_IN_LOAD} THEN 1 ELSE -1 END "
            "FROM new_articles AS n JOIN old_articles AS o ON o.id = n.id "
            "JOIN claims_claim AS c ON c.article_id = n.id "
            f"WHERE (n.status IN {_IN_LOAD}) <> (o.status IN {_IN_LOAD})"
        ),
    },
}
# Names of the transition tables and the triggers: old_claims, due_load_claims_update…
_ROWS = {"claims_claim": "claims", "articles_article": "articles"}
_PG_TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_{rows}",
    "UPDATE": "REFERENCING OLD TABLE AS old_{rows} NEW TABLE AS new_{rows}",
    "DELETE": "REFERENCING OLD TABLE AS old_{rows}",
}


def _pg_triggers():
    """(name, CREATE statements) of every PostgreSQL trigger."""
    triggers = []
    for table, events in _PG_MOVED.items():
        rows = _ROWS[table]
        for event, moved in events.items():
            name = f"due_load_{rows}_{event.lower()}"
            body = _PG_APPLY.replace("{moved}", moved)
            triggers.append(
                (
                    name,
                    [
                        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
                        f"BEGIN {body} RETURN NULL; END $$",
                        f"CREATE OR REPLACE TRIGGER {name} AFTER {event} ON {table} "
                        + _PG_TRANSITIONS[event].format(rows=rows)
                        + f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
                    ],
                )
            )
    # A TRUNCATE fires no row trigger: the counts go with the claims.
    name = "due_load_claims_truncate"
    triggers.append(
        (
            name,
            [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
                f"BEGIN DELETE FROM {TABLE}; RETURN NULL; END $$",
                f"CREATE OR REPLACE TRIGGER {name} AFTER TRUNCATE ON claims_claim "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            ],
        )
    )
    return triggers


# --- SQLite -----------------------------------------------------------------


def _sqlite_add(row, sign, *, where="1"):
    """Statements adding `sign` for the claim `row` (NEW or OLD) when it is load."""
    in_load = f"(SELECT status FROM articles_article WHERE id = {row}.article_id) IN {_IN_LOAD}"
    return (
        f"INSERT OR IGNORE INTO {TABLE} (editor_id, day, due) "
        f"SELECT NULL, {row}.next_review_due, 0 WHERE {in_load} AND {where} "
        f"UNION ALL SELECT {row}.assigned_editor_id, {row}.next_review_due, 0 "
        f"WHERE {row}.assigned_editor_id IS NOT NULL AND {in_load} AND {where};"
        f"UPDATE {TABLE} SET due = due + ({sign}) WHERE day = {row}.next_review_due "
        f"AND (editor_id IS NULL OR editor_id = {row}.assigned_editor_id) AND {in_load} AND {where};"
    )


def _sqlite_article_moves():
    """Statements moving an article's claims into (+1) or out of (-1) the load."""
    sign = f"(CASE WHEN NEW.status IN {_IN_LOAD} THEN 1 ELSE -1 END)"
    return (
        f"INSERT OR IGNORE INTO {TABLE} (editor_id, day, due) "
        "SELECT NULL, next_review_due, 0 FROM claims_claim WHERE article_id = NEW.id "
        "UNION ALL SELECT assigned_editor_id, next_review_due, 0 FROM claims_claim "
        "WHERE article_id = NEW.id AND assigned_editor_id IS NOT NULL;"
        f"UPDATE {TABLE} SET due = due + {sign} * ("
        "SELECT count(*) FROM claims_claim AS c WHERE c.article_id = NEW.id "
        f"AND c.next_review_due = {TABLE}.day "
        f"AND ({TABLE}.editor_id IS NULL OR c.assigned_editor_id = {TABLE}.editor_id)) "
        "WHERE day IN (SELECT next_review_due FROM claims_claim WHERE article_id = NEW.id) "
        "AND (editor_id IS NULL OR editor_id IN "
        "(SELECT assigned_editor_id FROM claims_claim WHERE article_id = NEW.id));"
    )


def _sqlite_triggers():
    moved = (
        "OLD.next_review_due IS NOT NEW.next_review_due "
        "OR OLD.assigned_editor_id IS NOT NEW.assigned_editor_id "
        "OR OLD.article_id IS NOT NEW.article_id"
    )
    return [
        ("due_load_claims_insert", "AFTER INSERT ON claims_claim", _sqlite_add("NEW", 1)),
        (
            "due_load_claims_update",
            "AFTER UPDATE OF next_review_due, assigned_editor_id, article_id ON claims_claim "
            f"WHEN {moved}",
            _sqlite_add("OLD", -1) + _sqlite_add("NEW", 1),
        ),
        ("due_load_claims_delete", "AFTER DELETE ON claims_claim", _sqlite_add("OLD", -1)),
        (
            "due_load_articles_update",
            "AFTER UPDATE OF status ON articles_article "
            f"WHEN (OLD.status IN {_IN_LOAD}) IS NOT (NEW.status IN {_IN_LOAD})",
            _sqlite_article_moves(),
        ),
    ]


# --- installing, checking, recounting ---------------------------------------


def trigger_names(using=None):
    vendor = (using or connection).vendor
    if vendor == "postgresql":
        return [name for name, _ in _pg_triggers()]
    if vendor == "sqlite":
        return [name for name, _, _ in _sqlite_triggers()]
    raise NotImplementedError(f"No due-load triggers for {vendor}.")


def missing_triggers(using=None):
    """The due-load triggers this database lacks."""
    using = using or connection
    with using.cursor() as cursor:
        if using.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'due\\_load\\_%%' AND NOT tgisinternal"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
    return [name for name in trigger_names(using) if name not in present]


def install_triggers(using=None):
    """Create (or replace) every due-load trigger."""
    using = using or connection
    with using.cursor() as cursor:
        if using.vendor == "postgresql":
            for _, statements in _pg_triggers():
                for statement in statements:
                    cursor.execute(statement)
        else:
            for name, when, body in _sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


def drop_triggers(using=None):
    using = using or connection
    with using.cursor() as cursor:
        for name in trigger_names(using):
            if using.vendor == "postgresql":
                table = "articles_article" if "_articles_" in name else "claims_claim"
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def _models(claim_model, load_model):
    """The models given (a migration's historical ones), else the current ones."""
    if claim_model is None or load_model is None:
        from .models import Claim, DueLoad

        return claim_model or Claim, load_model or DueLoad
    return claim_model, load_model


def counted(claim_model=None):
    """What the counts should be: {(editor id or None, day): claims due}, from
    a GROUP BY of the claims themselves (None: every claim)."""
    claim_model, _ = _models(claim_model, None)
    expected = {}
    rows = (
        claim_model.objects.filter(article__status__in=LOAD_STATUSES)
        .order_by()
        .values_list("assigned_editor_id", "next_review_due")
        .annotate(due=Count("pk"))
    )
    for editor_id, day, due in rows:
        expected[(None, day)] = expected.get((None, day), 0) + due
        if editor_id is not None:
            expected[(editor_id, day)] = due
    return expected


def drift(claim_model=None, load_model=None):
    """{(editor id or None, day): (counted, kept)} wherever the kept count is
    not the GROUP BY's (a zero row counts as no row). Empty when exact."""
    claim_model, load_model = _models(claim_model, load_model)
    expected = counted(claim_model)
    kept = {
        (editor_id, day): due
        for editor_id, day, due in load_model.objects.exclude(due=0).values_list("editor_id", "day", "due")
    }
    return {
        key: (expected.get(key, 0), kept.get(key, 0))
        for key in expected.keys() | kept.keys()
        if expected.get(key, 0) != kept.get(key, 0)
    }


def rebuild(claim_model=None, load_model=None, using=None):
    """Recount every row from the claims, writers waiting meanwhile. Returns
    how many rows it wrote."""
    claim_model, load_model = _models(claim_model, load_model)
    using = using or connection
    with transaction.atomic(using=using.alias):
        if using.vendor == "postgresql":
            # Reads go on; a write to a claim or an article waits for the recount.
            with using.cursor() as cursor:
                cursor.execute("LOCK TABLE claims_claim, articles_article IN SHARE MODE")
        load_model.objects.all().delete()
        rows = [
            load_model(editor_id=editor_id, day=day, due=due)
            for (editor_id, day), due in counted(claim_model).items()
        ]
        load_model.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def ensure(using=None):
    """After a migration: put back any trigger the database lost (SQLite drops
    a table's triggers when it remakes the table), and then recount, since
    writes may have gone uncounted meanwhile. Returns the names put back."""
    using = using or connection
    if TABLE not in using.introspection.table_names():
        return []
    missing = missing_triggers(using)
    if missing:
        install_triggers(using)
        rebuild(using=using)
    return missing
