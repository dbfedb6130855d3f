"""automation.forms."""
