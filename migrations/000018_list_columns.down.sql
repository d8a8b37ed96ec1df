DELETE FROM schema_compatibility WHERE version = 18;
DROP TABLE list_columns;
