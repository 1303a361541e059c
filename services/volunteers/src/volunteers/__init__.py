"""Volunteers: teams, service records, points, and emergency mobilisation."""
