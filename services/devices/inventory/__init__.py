"""The devices inventory: sites, terminal equipment, interfaces, uplinks, compliance and monitoring credentials."""
