"""Resources: the needs, resources and projects lists, joint meetings, micro-wishes."""
