"""Contract suites: one shared test class per port, subclassed by each implementation (as django-anymail does)."""
