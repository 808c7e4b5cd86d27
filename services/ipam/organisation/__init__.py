"""Who uses the network: agencies (N2), the catalogue of network services and applications (N1),
which agency uses which service, and each agency's declared yearly demand (N3)."""
