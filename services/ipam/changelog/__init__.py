"""The change log: every create, update and delete of the ipam service, kept at least two years."""
