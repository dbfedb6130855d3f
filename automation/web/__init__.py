"""automation.web."""
