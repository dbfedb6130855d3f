"""automation.programmes.school."""
