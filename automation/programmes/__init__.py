"""automation.programmes."""
