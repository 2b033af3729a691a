-- Invitation links are credentials: whoever holds one sets the user's
-- password. Earlier versions kept them in the audit log, which more people
-- may read than may invite; drop them from every stored event. What the
-- event says otherwise (who was invited, by whom, when) stays.
UPDATE audit_events SET after_json = json_remove(after_json, '$.invite_url')
 WHERE after_json IS NOT NULL AND json_valid(after_json) AND json_type(after_json, '$.invite_url') IS NOT NULL;
UPDATE audit_events SET before_json = json_remove(before_json, '$.invite_url')
 WHERE before_json IS NOT NULL AND json_valid(before_json) AND json_type(before_json, '$.invite_url') IS NOT NULL;
