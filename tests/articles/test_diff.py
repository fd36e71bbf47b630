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
