-- Phases, part states and roles are stored by their enum names (CheckPhase, PartState, CheckRole).
UPDATE nw_check SET state = UPPER(state);
UPDATE nw_check_part SET state = UPPER(state), role = UPPER(role);
-- A failed check keeps its ARM error in its own column, not as a "__error" key inside the result.
ALTER TABLE nw_check ADD COLUMN error_json TEXT;
UPDATE nw_check SET error_json = SUBSTRING(result_json, 12, LENGTH(result_json) - 12), result_json = NULL
    WHERE result_json LIKE '{"\_\_error":%' ESCAPE '\';
