-- Which subscription is the default one (where netwatcher's storage accounts and first watchers live). One row,
-- inserted if absent by the first controller to start: several controllers starting at once on an empty
-- database agree on one default, and a restart never changes it. Filled at start-up (SubscriptionService):
-- on a database from before this version, with the oldest subscription, which was the default then.
CREATE TABLE nw_subscription_default (
    slot            VARCHAR(16)  PRIMARY KEY,
    subscription_id VARCHAR(64)  NOT NULL,
    chosen_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
