"""newsmon: an event-driven streaming news monitor."""

__version__ = "0.1.0"
