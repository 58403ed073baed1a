"""Schema migrations, versioned in code. Append only: never edit a released step."""

MIGRATIONS: list[str] = [
    # 1: organisations, people, invites, update ledger
    """
    CREATE TABLE orgs (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('township','street','community','village','grid','department')),
        parent_id INTEGER REFERENCES orgs(id),
        households INTEGER NOT NULL DEFAULT 0 CHECK (households >= 0),
        population INTEGER NOT NULL DEFAULT 0 CHECK (population >= 0)
    );
    CREATE INDEX orgs_parent ON orgs(parent_id);
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        telegram_id INTEGER NOT NULL UNIQUE,
        name TEXT NOT NULL,
        org_id INTEGER NOT NULL REFERENCES orgs(id),
        role TEXT NOT NULL CHECK (role IN ('worker','contact','office')),
        lang TEXT NOT NULL DEFAULT 'zh',
        active INTEGER NOT NULL DEFAULT 1,
        blocked_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX users_org ON users(org_id);
    CREATE TABLE memberships (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        org_id INTEGER NOT NULL REFERENCES orgs(id),
        role TEXT NOT NULL,
        since TEXT NOT NULL,
        invite_code TEXT
    );
    CREATE TABLE invites (
        code TEXT PRIMARY KEY,
        org_id INTEGER NOT NULL REFERENCES orgs(id),
        role TEXT NOT NULL CHECK (role IN ('worker','contact','office')),
        uses_left INTEGER NOT NULL CHECK (uses_left >= 0),
        expires_at TEXT NOT NULL,
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL
    );
    CREATE TABLE office_chats (
        org_id INTEGER PRIMARY KEY REFERENCES orgs(id),
        chat_id INTEGER NOT NULL,
        bound_by INTEGER REFERENCES users(id),
        bound_at TEXT NOT NULL
    );
    CREATE TABLE processed_updates (
        update_id INTEGER PRIMARY KEY,
        processed_at TEXT NOT NULL
    );
    """,
    # 2: the work log, its evidence and its history
    """
    CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        org_id INTEGER NOT NULL REFERENCES orgs(id),
        kind TEXT NOT NULL,
        measures TEXT NOT NULL,
        happened_on TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        lat REAL, lon REAL, address TEXT,
        source TEXT NOT NULL CHECK (source IN ('flow','quick')),
        flags TEXT NOT NULL DEFAULT '',
        update_id INTEGER,
        version INTEGER NOT NULL DEFAULT 1,
        undone_at TEXT,
        undone_by INTEGER REFERENCES users(id)
    );
    CREATE INDEX entries_org_day ON entries(org_id, happened_on);
    CREATE INDEX entries_user_day ON entries(user_id, happened_on);
    CREATE INDEX entries_day ON entries(happened_on);
    CREATE TABLE entry_versions (
        entry_id INTEGER NOT NULL REFERENCES entries(id),
        version INTEGER NOT NULL,
        measures TEXT NOT NULL,
        happened_on TEXT NOT NULL,
        changed_at TEXT NOT NULL,
        changed_by INTEGER REFERENCES users(id),
        PRIMARY KEY (entry_id, version)
    );
    CREATE TABLE entry_households (
        entry_id INTEGER NOT NULL REFERENCES entries(id),
        org_id INTEGER NOT NULL REFERENCES orgs(id),
        household TEXT NOT NULL
    );
    CREATE INDEX entry_households_org ON entry_households(org_id, household);
    CREATE INDEX entry_households_entry ON entry_households(entry_id);
    CREATE TABLE evidence (
        id INTEGER PRIMARY KEY,
        entry_id INTEGER REFERENCES entries(id),
        submission_id INTEGER,
        file_id TEXT NOT NULL,
        file_unique_id TEXT NOT NULL,
        sha256 TEXT,
        path TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX evidence_entry ON evidence(entry_id);
    CREATE INDEX evidence_unique ON evidence(file_unique_id);
    CREATE INDEX evidence_sha ON evidence(sha256);
    """,
    # 3: submissions and the exactly-once ledgers of the scheduler
    """
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY,
        deadline_id TEXT NOT NULL,
        period_key TEXT NOT NULL,
        org_id INTEGER NOT NULL REFERENCES orgs(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        submitted_at TEXT NOT NULL,
        late INTEGER NOT NULL,
        nil_reason TEXT,
        note TEXT,
        figures TEXT NOT NULL,
        evidence_count INTEGER NOT NULL DEFAULT 0,
        replaced_by INTEGER REFERENCES submissions(id),
        update_id INTEGER
    );
    CREATE INDEX submissions_period ON submissions(period_key, org_id);
    CREATE TABLE sent_ledger (
        topic TEXT NOT NULL,
        recipient INTEGER NOT NULL,
        status TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        PRIMARY KEY (topic, recipient)
    );
    """,
]
