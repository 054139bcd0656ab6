CREATE TABLE nw_subscription (
    id            VARCHAR(64)  PRIMARY KEY,
    id_key        VARCHAR(64)  NOT NULL UNIQUE,
    display_name  VARCHAR(256) NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
