-- The primary admin, made at first start, was created and modified by no
-- one; Zoho's Users API samples show the first user created and modified
-- by itself, as new orgs now record it. Existing orgs are set the same way.
UPDATE users SET created_by = id
 WHERE created_by = 0 AND id IN (SELECT primary_user_id FROM orgs);
UPDATE users SET modified_by = id
 WHERE modified_by = 0 AND id IN (SELECT primary_user_id FROM orgs);

-- The org's photo (its logo), served by GET /org/photo: one per org, the
-- image itself, at most 1 MB as Zoho's upload limit allows. Like every
-- statement here, safe to run twice.
CREATE TABLE IF NOT EXISTS org_photos (
    org_id       INTEGER NOT NULL PRIMARY KEY REFERENCES orgs(id),
    id           INTEGER NOT NULL,
    content_type TEXT    NOT NULL,
    data         BLOB    NOT NULL,
    created_by   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);
