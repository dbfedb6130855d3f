"""automation.mail."""
