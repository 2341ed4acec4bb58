-- A tool's or data class's page shows its history: the audit events naming it as target.
CREATE INDEX audit_events_target_idx ON audit_events (target, seq);

-- Search filters by permitted data class and by team.
CREATE INDEX tool_data_classes_class_idx ON tool_data_classes (data_class_id);
CREATE INDEX tool_teams_team_idx ON tool_teams (team_id);
