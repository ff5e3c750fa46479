"""Writes: functions that change data inside a transaction, validate, and raise clear errors."""
