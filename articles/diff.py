"""Line diffs of an article's live text against a rewrite, for the desk.

Pure functions, no database: the template renders the rows as a table whose
first column says "Removed" or "Added" in words, so the diff never depends on
colour alone.
"""

import difflib
from dataclasses import dataclass

CONTEXT_LINES = 2


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "removed", "added" or "gap" (unchanged lines left out)
    text: str = ""
    old_number: int | None = None
    new_number: int | None = None

    @property
    def label(self):
        return {"removed": "Removed", "added": "Added", "gap": "…"}.get(self.kind, "")


@dataclass(frozen=True)
class FieldDiff:
    name: str
    lines: list

    @property
    def changed(self):
        return any(line.kind in ("removed", "added") for line in self.lines)

    @property
    def summary(self):
        """What changed in this part, in words for the correction log."""
        noun = self.name.split(" (")[0].lower()
        removed = sum(line.kind == "removed" for line in self.lines)
        added = sum(line.kind == "added" for line in self.lines)
        if removed <= 1 and added <= 1:
            return f"the {noun} changed" if removed and added else (
                f"a line added to the {noun}" if added else f"a line removed from the {noun}"
            )
        return f"in the {noun}, {_lines(removed)} removed and {_lines(added)} added"


def _lines(count):
    return "1 line" if count == 1 else f"{count} lines"


def describe_changes(diffs):
    """One sentence saying which parts of the text changed, and how much."""
    parts = [field.summary for field in diffs if field.changed]
    if not parts:
        return "the text is unchanged"
    return "; ".join(parts)


def diff_lines(old, new, *, context=CONTEXT_LINES):
    """Rows saying how `new` differs from `old`, line by line, with a little
    unchanged context around each change. Identical texts give no rows."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    if a == b:
        return []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    rows = []
    for group in matcher.get_grouped_opcodes(context):
        if rows:
            rows.append(DiffLine("gap"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [
                    DiffLine("same", a[i], old_number=i + 1, new_number=j1 + (i - i1) + 1)
                    for i in range(i1, i2)
                ]
                continue
            rows += [DiffLine("removed", a[i], old_number=i + 1) for i in range(i1, i2)]
            rows += [DiffLine("added", b[j], new_number=j + 1) for j in range(j1, j2)]
    return rows


def rewrite_diff(*, live, title, dek, body_markdown):
    """The diff of each part of an article (`live`, with title/dek/body_markdown)
    against a proposed replacement."""
    return [
        FieldDiff("Title", diff_lines(live.title, title)),
        FieldDiff("Standfirst", diff_lines(live.dek, dek)),
        FieldDiff("Body (Markdown)", diff_lines(live.body_markdown, body_markdown)),
    ]
