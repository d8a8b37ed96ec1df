DELETE FROM schema_compatibility WHERE version = 20;
DROP TABLE certificates;
DROP TABLE certificate_settings;
