DELETE FROM schema_compatibility WHERE version = 23;
DROP TABLE reconfirm_tokens;
DROP TABLE reconfirm_requests;
DROP TABLE reconfirm_settings;
