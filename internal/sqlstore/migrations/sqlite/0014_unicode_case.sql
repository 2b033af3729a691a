-- lower() now folds Unicode case (see fold.go): rebuild the unique indexes
-- built with SQLite's ASCII-only one. A database that holds two names
-- equal under Unicode folding fails here and says which index.
REINDEX roles_name;
REINDEX territories_name;
REINDEX user_groups_name;
