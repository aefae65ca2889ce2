"""Briefings as data (claims, citations, their JSON file) and the templates that define
their sections."""
