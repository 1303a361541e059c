"""Incidents: grid incidents and whistle-and-report escalations to departments."""
