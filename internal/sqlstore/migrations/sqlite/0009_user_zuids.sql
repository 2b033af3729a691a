-- Each user's ZUID, the Zoho Accounts user ID that GET /oauth/user/info
-- answers and the Users API's zuid and the org's primary_zuid repeat. Zoho
-- keeps it apart from the 19-digit CRM ID, and so does crmguard: it must be
-- a JSON number a JavaScript client reads exactly (at most 2^53 - 1), which
-- the CRM ID is not. A table of its own rather than a column on users, so
-- that every statement here is safe to run twice.
CREATE TABLE IF NOT EXISTS user_zuids (
    user_id INTEGER NOT NULL PRIMARY KEY,
    zuid    INTEGER NOT NULL UNIQUE
);

-- Existing users, numbered in the order they were made.
INSERT OR IGNORE INTO user_zuids (user_id, zuid)
SELECT id, (SELECT COALESCE(MAX(zuid), 700000000) FROM user_zuids)
           + ROW_NUMBER() OVER (ORDER BY created_at, id)
  FROM users
 WHERE id NOT IN (SELECT user_id FROM user_zuids);

-- Every new user gets the next one in the statement that inserts it, on
-- every path that inserts users (one, many, a restored snapshot). A
-- restored snapshot brings its own rows first, which this leaves alone.
CREATE TRIGGER IF NOT EXISTS users_zuid AFTER INSERT ON users
BEGIN
    INSERT OR IGNORE INTO user_zuids (user_id, zuid)
    SELECT NEW.id, COALESCE(MAX(zuid), 700000000) + 1 FROM user_zuids;
END;
