"""The admin console (placeholder, filled below)."""
