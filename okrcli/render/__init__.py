"""Renderers: turn findings and report data into text, JSON, Markdown, HTML, annotations, SARIF."""
