-- Run once by the postgres:16 image on an empty data directory (/docker-entrypoint-initdb.d),
-- as POSTGRES_USER (govnet): one database per GovNet service, each owned by govnet.
-- Each service's schema comes from its own migrations (`govnet migrate <service>`).
CREATE DATABASE gateway OWNER govnet ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE ipam OWNER govnet ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE devices OWNER govnet ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE incidents OWNER govnet ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE ngo_registry OWNER govnet ENCODING 'UTF8' TEMPLATE template0;
