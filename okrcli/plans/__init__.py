"""Effects as data before they happen: check-ins, new cycles, the demo."""
