"""GovNet IPAM: IP address management for the provincial special-purpose data network (N1, N2, N3, N7)."""
