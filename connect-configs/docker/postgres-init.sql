-- The sample source database of docker-compose.yml: the tables connect-configs/connect captures, the lag monitor's
-- heartbeat table and Debezium's signal table (incremental snapshots, bin/cdc rebuild).
CREATE DATABASE shop;
\connect shop
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id),
                     total numeric(12, 2) NOT NULL, status text NOT NULL DEFAULT 'new',
                     created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE cdc_heartbeat (id int PRIMARY KEY, beat_ms bigint NOT NULL, beat_at timestamptz NOT NULL);
CREATE TABLE debezium_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048));
INSERT INTO customers (name, email) VALUES ('Ada', 'ada@example.com'), ('Grace', 'grace@example.com');
INSERT INTO orders (customer_id, total) VALUES (1, 12.50), (2, 99.00);
