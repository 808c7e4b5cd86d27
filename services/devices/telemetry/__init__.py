"""SNMP telemetry: counter arithmetic, the poller, raw samples and daily roll-ups, availability."""
