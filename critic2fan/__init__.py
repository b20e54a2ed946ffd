"""critic2fan: find a brand's public critics and help staff turn them into fans."""

__version__ = "0.1.0"
