"""GovNet Gateway: The suite's only public entry: OAuth2 tokens, access registrations and grants, the audited proxy."""
