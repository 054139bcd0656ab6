-- Finished operations expire after the retention (operation-retention-hours); the sweeper deletes
-- them by age.
CREATE INDEX nw_operation_updated ON nw_operation (updated_at);
