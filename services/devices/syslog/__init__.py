"""Syslog intake and security monitoring of the devices service (N11), anti-malware and heartbeats (N12)."""
