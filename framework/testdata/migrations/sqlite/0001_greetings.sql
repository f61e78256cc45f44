CREATE TABLE greetings (name TEXT PRIMARY KEY, greeted_at TEXT NOT NULL);
