"""GovNet Incidents: Incident tickets, SLAs and three-party routing-policy changes (N5, N8)."""
