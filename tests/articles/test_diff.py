from articles.diff import diff_lines, rewrite_diff


class TestDiffLines:
    def test_identical_text_has_no_rows(self):
        assert diff_lines("a\nb", "a\nb") == []

    def test_changed_line_is_removed_then_added_with_line_numbers(self):
        rows = diff_lines("one\ntwo\nthree", "one\n2\nthree")
        assert [(r.kind, r.text, r.old_number, r.new_number) for r in rows] == [
            ("same", "one", 1, 1),
            ("removed", "two", 2, None),
            ("added", "2", None, 2),
            ("same", "three", 3, 3),
        ]
        assert [r.label for r in rows] == ["", "Removed", "Added", ""]

    def test_far_apart_changes_are_separated_by_a_gap(self):
        old = "\n".join(f"line {n}" for n in range(20))
        new = old.replace("line 1\n", "line one\n").replace("line 18", "line eighteen")
        kinds = [r.kind for r in diff_lines(old, new)]
        assert "gap" in kinds
        assert len(kinds) < 20

    def test_rewrite_diff_names_each_part(self):
        class Live:
            title, dek, body_markdown = "T", "D", "B"

        parts = rewrite_diff(live=Live, title="T2", dek="D", body_markdown="B")
        assert [(p.name, p.changed) for p in parts] == [("Title", True), ("Standfirst", False), ("Body (Markdown)", False)]


class TestDescribeChanges:
    """The default rewrite entry says what changed, not that everything was replaced."""

    class Live:
        title = "Old title"
        dek = "A standfirst."
        body_markdown = "Line one.\nLine two.\nLine three.\nLine four."

    def describe(self, **changes):
        from articles.diff import describe_changes

        proposed = {"title": self.Live.title, "dek": self.Live.dek, "body_markdown": self.Live.body_markdown}
        proposed.update(changes)
        return describe_changes(rewrite_diff(live=self.Live, **proposed))

    def test_two_changed_body_lines_are_described_as_such(self):
        text = self.describe(body_markdown="Line one.\nLine 2.\nLine three.\nLine 4.")
        assert text == "in the body, 2 lines removed and 2 lines added"

    def test_one_line_fields_and_untouched_parts(self):
        assert self.describe(title="New title") == "the title changed"
        assert self.describe(title="New", dek="New standfirst.") == "the title changed; the standfirst changed"
        assert self.describe(body_markdown=self.Live.body_markdown + "\nLine five.") == "a line added to the body"
        assert self.describe() == "the text is unchanged"
