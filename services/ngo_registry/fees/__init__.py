"""Fees for value-added data (G8): the schedule and the meter."""
