"""Disk and git -> model: safe YAML with marks, the loader, --at snapshots, check-in history."""
