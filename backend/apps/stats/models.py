"""The stats app keeps no tables: its jobs write their results through the owning apps' services."""
