DROP TABLE rate_limits;
DROP TABLE api_keys;
DROP TABLE password_resets;
DROP TABLE sessions;
DROP TABLE identities;
DROP TABLE customers CASCADE;
DROP TABLE addresses;
