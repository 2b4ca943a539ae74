"""Reports as plain data: the weekly follow-up (`followup.build_report`) and the end-of-cycle
review (`review.build_review`). Nothing here prints; `okrcli.render` turns them into text,
Markdown, JSON or HTML, one renderer per format.
"""
