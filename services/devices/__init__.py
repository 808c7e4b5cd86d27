"""GovNet Devices: Terminal equipment, compliance, SNMP polling, syslog, link utilisation and availability (N4, N6, N11-N14)."""
