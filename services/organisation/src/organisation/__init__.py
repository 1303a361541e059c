"""Organisation: the alliance, its communities and grid tree, its departments."""
