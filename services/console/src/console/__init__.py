"""Console: the coordinators' web console, a backend-for-frontend over the services."""
