DELETE FROM schema_compatibility WHERE version = 21;
DROP TABLE embed_origins;
