"""Participant lists in and out: reading files within limits, their columns, the export and import
resources, and the runs that the admin views and the management commands call."""
