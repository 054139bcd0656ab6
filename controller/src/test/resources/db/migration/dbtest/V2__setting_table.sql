-- A second version, so the contract tests see per-feature ordering (V2 uses V1's table).
CREATE TABLE dbtest_setting (
    scope VARCHAR(64) NOT NULL,
    name  VARCHAR(64) NOT NULL,
    setting_value TEXT,
    PRIMARY KEY (scope, name)
);

INSERT INTO dbtest_counter (name, total) VALUES ('seeded', 0);
