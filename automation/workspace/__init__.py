"""Backends: the ports jobs talk to, and their local and Google implementations."""
