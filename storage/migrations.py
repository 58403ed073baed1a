"""Schema migrations, versioned in code. Append only: never edit a released step."""
from typing import NamedTuple

# Migration 4's triggers keep the monthly totals in step with every change; migration 10's keep
# per-day totals the same way. Each change is "take the old row's contribution away, add the
# new one's", so the SQL for one row's contribution is written once here and used with a sign,
# and once for both grains: a grain names its tables and how much of happened_on keys a row.


class Grain(NamedTuple):
    """Where one grain of pre-aggregated totals lives (storage/reports.py reads them)."""
    totals: str      # per org, period and key: the sums (report_totals, report_day_totals)
    households: str  # per org, period and house number: live listings (household_month, household_day)
    column: str      # the period column: 'month' ('YYYY-MM') or 'day' ('YYYY-MM-DD')
    width: int       # how many characters of happened_on make the period
    trigger: str     # trigger name prefix


MONTH = Grain("report_totals", "household_month", "month", 7, "report")
DAY = Grain("report_day_totals", "household_day", "day", 10, "report_day")


def _add_total(g: Grain) -> str:
    return f"ON CONFLICT (org_id, {g.column}, key) DO UPDATE SET total = total + excluded.total;"


def _add_n(g: Grain) -> str:
    return f"ON CONFLICT (org_id, {g.column}, household) DO UPDATE SET n = n + excluded.n;"


def _period(r: str, g: Grain) -> str:
    return f"substr({r}.happened_on, 1, {g.width})"


def _has_place(r: str) -> str:
    return f"(({r}.lat IS NOT NULL AND {r}.lon IS NOT NULL) OR TRIM(COALESCE({r}.address, '')) <> '')"


def _entry_totals(r: str, sign: str, g: Grain = MONTH) -> str:
    """Entry row `r` (OLD or NEW) added to (sign '') or taken from (sign '-') the totals."""
    month = _period(r, g)
    return f"""
        INSERT INTO {g.totals} (org_id, {g.column}, key, total)
        SELECT {r}.org_id, {month}, j.key, {sign}j.value FROM json_each({r}.measures) j
        WHERE {r}.undone_at IS NULL AND j.value <> 0
        {_add_total(g)}
        INSERT INTO {g.totals} (org_id, {g.column}, key, total)
        SELECT {r}.org_id, {month}, 'placed:' || j.key, {sign}j.value FROM json_each({r}.measures) j
        WHERE {r}.undone_at IS NULL AND j.value <> 0 AND {r}.kind = 'poster'
          AND {_has_place(r)}
          AND EXISTS (SELECT 1 FROM evidence WHERE entry_id = {r}.id)
        {_add_total(g)}
        INSERT INTO {g.totals} (org_id, {g.column}, key, total)
        SELECT {r}.org_id, {month}, s.key, {sign}s.n FROM (
            SELECT '#entries' AS key, 1 AS n
            UNION ALL SELECT '#flagged', {r}.flags <> ''
            UNION ALL SELECT '#evidence', (SELECT COUNT(*) FROM evidence WHERE entry_id = {r}.id)
            UNION ALL SELECT '#listed', (SELECT COUNT(*) FROM entry_households WHERE entry_id = {r}.id)
            UNION ALL SELECT '#poster_entries', {r}.kind = 'poster'
            UNION ALL SELECT '#poster_placed', {r}.kind = 'poster'
                AND {_has_place(r)}
                AND EXISTS (SELECT 1 FROM evidence WHERE entry_id = {r}.id)
        ) s
        WHERE {r}.undone_at IS NULL AND s.n <> 0
        {_add_total(g)}"""


def _entry_listings(r: str, sign: str, g: Grain = MONTH) -> str:
    """The house numbers of entry row `r` added to or taken from the household table."""
    sql = f"""
        INSERT INTO {g.households} (org_id, {g.column}, household, n)
        SELECT h.org_id, {_period(r, g)}, h.household, {sign}1 FROM entry_households h
        WHERE h.entry_id = {r}.id AND {r}.undone_at IS NULL
        {_add_n(g)}"""
    if sign:
        sql += f"""
        DELETE FROM {g.households} WHERE n <= 0 AND {g.column} = {_period(r, g)}
          AND org_id IN (SELECT org_id FROM entry_households WHERE entry_id = {r}.id);"""
    return sql


def _evidence(entry_id: str, sign: str, g: Grain = MONTH) -> str:
    """One photo of entry `entry_id` added or taken away; placed figures change with the
    entry's first photo in (count 1 after insert) or its last one out (count 0 after delete)."""
    count = 0 if sign else 1
    return f"""
        INSERT INTO {g.totals} (org_id, {g.column}, key, total)
        SELECT e.org_id, {_period("e", g)}, '#evidence', {sign}1 FROM entries e
        WHERE e.id = {entry_id} AND e.undone_at IS NULL
        {_add_total(g)}
        INSERT INTO {g.totals} (org_id, {g.column}, key, total)
        SELECT e.org_id, {_period("e", g)}, x.key, {sign}x.value
        FROM entries e, (SELECT 'placed:' || j.key AS key, j.value AS value
                         FROM entries p, json_each(p.measures) j WHERE p.id = {entry_id} AND j.value <> 0
                         UNION ALL SELECT '#poster_placed', 1) x
        WHERE e.id = {entry_id} AND e.undone_at IS NULL AND e.kind = 'poster'
          AND {_has_place("e")}
          AND (SELECT COUNT(*) FROM evidence WHERE entry_id = {entry_id}) = {count}
        {_add_total(g)}"""


def _listing(r: str, sign: str, g: Grain = MONTH) -> str:
    """One house-number row `r` (OLD or NEW) of entry_households added or taken away."""
    sql = f"""
        INSERT INTO {g.totals} (org_id, {g.column}, key, total)
        SELECT e.org_id, {_period("e", g)}, '#listed', {sign}1 FROM entries e
        WHERE e.id = {r}.entry_id AND e.undone_at IS NULL
        {_add_total(g)}
        INSERT INTO {g.households} (org_id, {g.column}, household, n)
        SELECT {r}.org_id, {_period("e", g)}, {r}.household, {sign}1 FROM entries e
        WHERE e.id = {r}.entry_id AND e.undone_at IS NULL
        {_add_n(g)}"""
    if sign:
        sql += f"""
        DELETE FROM {g.households} WHERE org_id = {r}.org_id AND household = {r}.household AND n <= 0;"""
    return sql


def _tables(g: Grain) -> str:
    return f"""
    CREATE TABLE {g.totals} (
        org_id INTEGER NOT NULL,
        {g.column} TEXT NOT NULL,
        key TEXT NOT NULL,
        total INTEGER NOT NULL,
        PRIMARY KEY (org_id, {g.column}, key)
    ) WITHOUT ROWID;
    CREATE TABLE {g.households} (
        org_id INTEGER NOT NULL,
        {g.column} TEXT NOT NULL,
        household TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (org_id, {g.column}, household)
    ) WITHOUT ROWID;"""


def _backfill(g: Grain) -> str:
    """Fill the tables from the live entries as they stand (what the triggers then keep)."""
    p = _period("e", g)
    return f"""
    INSERT INTO {g.totals} (org_id, {g.column}, key, total)
    SELECT org_id, {g.column}, key, SUM(n) FROM (
        SELECT e.org_id, {p} AS {g.column}, j.key AS key, j.value AS n
        FROM entries e, json_each(e.measures) j WHERE e.undone_at IS NULL
        UNION ALL
        SELECT e.org_id, {p}, 'placed:' || j.key, j.value
        FROM entries e, json_each(e.measures) j
        WHERE e.undone_at IS NULL AND e.kind = 'poster'
          AND ((e.lat IS NOT NULL AND e.lon IS NOT NULL) OR TRIM(COALESCE(e.address, '')) <> '')
          AND EXISTS (SELECT 1 FROM evidence WHERE entry_id = e.id)
        UNION ALL
        SELECT e.org_id, {p}, '#entries', 1 FROM entries e WHERE e.undone_at IS NULL
        UNION ALL
        SELECT e.org_id, {p}, '#flagged', 1 FROM entries e
        WHERE e.undone_at IS NULL AND e.flags <> ''
        UNION ALL
        SELECT e.org_id, {p}, '#evidence', 1 FROM entries e JOIN evidence v ON v.entry_id = e.id
        WHERE e.undone_at IS NULL
        UNION ALL
        SELECT e.org_id, {p}, '#listed', 1 FROM entries e
        JOIN entry_households h ON h.entry_id = e.id WHERE e.undone_at IS NULL
        UNION ALL
        SELECT e.org_id, {p}, '#poster_entries', 1 FROM entries e
        WHERE e.undone_at IS NULL AND e.kind = 'poster'
        UNION ALL
        SELECT e.org_id, {p}, '#poster_placed', 1 FROM entries e
        WHERE e.undone_at IS NULL AND e.kind = 'poster'
          AND ((e.lat IS NOT NULL AND e.lon IS NOT NULL) OR TRIM(COALESCE(e.address, '')) <> '')
          AND EXISTS (SELECT 1 FROM evidence WHERE entry_id = e.id)
    ) WHERE n <> 0 GROUP BY org_id, {g.column}, key;
    INSERT INTO {g.households} (org_id, {g.column}, household, n)
    SELECT h.org_id, {p}, h.household, COUNT(*)
    FROM entries e JOIN entry_households h ON h.entry_id = e.id
    WHERE e.undone_at IS NULL GROUP BY 1, 2, 3;
"""


def _triggers(g: Grain) -> str:
    x = g.trigger
    return f"""    CREATE TRIGGER {x}_entry_insert AFTER INSERT ON entries WHEN NEW.undone_at IS NULL BEGIN{_entry_totals("NEW", "", g)}
    END;
    CREATE TRIGGER {x}_entry_update AFTER UPDATE ON entries
    WHEN OLD.undone_at IS NOT NEW.undone_at OR OLD.measures IS NOT NEW.measures OR OLD.happened_on IS NOT NEW.happened_on
          OR OLD.org_id IS NOT NEW.org_id OR OLD.kind IS NOT NEW.kind OR OLD.flags IS NOT NEW.flags
          OR OLD.lat IS NOT NEW.lat OR OLD.lon IS NOT NEW.lon OR OLD.address IS NOT NEW.address BEGIN{_entry_totals("OLD", "-", g)}{_entry_listings("OLD", "-", g)}{_entry_totals("NEW", "", g)}{_entry_listings("NEW", "", g)}
    END;
    CREATE TRIGGER {x}_evidence_insert AFTER INSERT ON evidence WHEN NEW.entry_id IS NOT NULL BEGIN{_evidence("NEW.entry_id", "", g)}
    END;
    CREATE TRIGGER {x}_evidence_delete AFTER DELETE ON evidence WHEN OLD.entry_id IS NOT NULL BEGIN{_evidence("OLD.entry_id", "-", g)}
    END;
    CREATE TRIGGER {x}_evidence_update AFTER UPDATE OF entry_id ON evidence
    WHEN OLD.entry_id IS NOT NEW.entry_id BEGIN{_evidence("OLD.entry_id", "-", g)}{_evidence("NEW.entry_id", "", g)}
    END;
    CREATE TRIGGER {x}_households_insert AFTER INSERT ON entry_households BEGIN{_listing("NEW", "", g)}
    END;
    CREATE TRIGGER {x}_households_delete AFTER DELETE ON entry_households BEGIN{_listing("OLD", "-", g)}
    END;
    CREATE TRIGGER {x}_households_update AFTER UPDATE ON entry_households BEGIN{_listing("OLD", "-", g)}{_listing("NEW", "", g)}
    END;
    """


def _entry_delete(g: Grain) -> str:
    """A hard DELETE of an entry (nothing in the bot does one; a hand-made fix might)."""
    return f"""
    CREATE TRIGGER {g.trigger}_entry_delete AFTER DELETE ON entries BEGIN{_entry_totals("OLD", "-", g)}{_entry_listings("OLD", "-", g)}
    END;"""


_REPORT_TOTALS = _tables(MONTH) + _backfill(MONTH) + _triggers(MONTH)

# 9: per-day totals, so a period that is not whole months (1-20 November) is read from the
# day rows instead of summing the raw entries; whole months still come from migration 4's.
# The same keys and meaning as report_totals / household_month (see migration 4), kept by the
# same triggers, and back-filled here. Also a trigger for each grain on a hard DELETE of an
# entry. And orgs gain the APP install count the office last imported (app_installed, NULL:
# never given) with the day it was imported (app_installed_on): the install rate counts from it.
_DAY_TOTALS = _tables(DAY) + _backfill(DAY) + _triggers(DAY) + _entry_delete(DAY) + _entry_delete(MONTH) + """
    ALTER TABLE orgs ADD COLUMN app_installed INTEGER CHECK (app_installed IS NULL OR app_installed >= 0);
    ALTER TABLE orgs ADD COLUMN app_installed_on TEXT;
"""


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
    # 4: pre-aggregated monthly totals for summaries (bot/summary.py, storage/reports.py).
    # report_totals: per org and month (YYYY-MM), the sum of each measure over live entries,
    # plus 'placed:<measure>' (poster-kind measures on entries with photo AND place) and
    # '#entries', '#flagged', '#evidence', '#listed' (house numbers listed), '#poster_entries',
    # '#poster_placed'. household_month: live listings per org, month and house number.
    # Both are kept by the triggers below (insert, undo/restore, edit, evidence, listings),
    # and back-filled here; storage/reports.py reads whole months from them and scans raw
    # entries only for partial months. Never write to these tables by hand.
    _REPORT_TOTALS,
    # 5: chat state that survives a restart (handlers/persistence.py)
    """
    CREATE TABLE chat_state (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (kind, key)
    ) WITHOUT ROWID;
    """,
    # 6: one conversation core for every channel. People are user ids; their accounts on
    # each channel are rows (channel, external id, private chat). Office chats are
    # (channel, chat id). Redelivery marks are per (channel, event id). Conversation state
    # (one flow per person, the buttons last shown, a photo awaiting its report) and the
    # one-line cards live in our own tables. Scheduled messages go through an outbox
    # addressed to people ('u<id>') or chats ('c:<channel>:<chat>'); the old ledger's rows
    # move there, so nothing already sent is sent again. PTB's chat_state is dropped:
    # a flow in progress at the upgrade is simply started again.
    # Runs with foreign keys off (Database.migrate), as SQLite's table rebuild requires.
    """
    CREATE TABLE accounts (
        channel TEXT NOT NULL,
        external_id TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id),
        chat_id TEXT NOT NULL,
        blocked_at TEXT,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (channel, external_id)
    );
    CREATE INDEX accounts_user ON accounts(user_id);
    INSERT INTO accounts (channel, external_id, user_id, chat_id, blocked_at, seen_at)
        SELECT 'telegram', CAST(telegram_id AS TEXT), id, CAST(telegram_id AS TEXT), blocked_at, updated_at
        FROM users;
    CREATE TABLE users_v6 (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        org_id INTEGER NOT NULL REFERENCES orgs(id),
        role TEXT NOT NULL CHECK (role IN ('worker','contact','office')),
        lang TEXT NOT NULL DEFAULT 'zh',
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    INSERT INTO users_v6 SELECT id, name, org_id, role, lang, active, created_at, updated_at FROM users;
    DROP TABLE users;
    ALTER TABLE users_v6 RENAME TO users;
    CREATE INDEX users_org ON users(org_id);

    CREATE TABLE office_chats_v6 (
        org_id INTEGER NOT NULL REFERENCES orgs(id),
        channel TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        bound_by INTEGER REFERENCES users(id),
        bound_at TEXT NOT NULL,
        PRIMARY KEY (org_id, channel)
    );
    INSERT INTO office_chats_v6 SELECT org_id, 'telegram', CAST(chat_id AS TEXT), bound_by, bound_at
        FROM office_chats;
    DROP TABLE office_chats;
    ALTER TABLE office_chats_v6 RENAME TO office_chats;

    CREATE TABLE inbox (
        channel TEXT NOT NULL,
        event_id TEXT NOT NULL,
        handled_at TEXT NOT NULL,
        PRIMARY KEY (channel, event_id)
    ) WITHOUT ROWID;
    INSERT INTO inbox SELECT 'telegram', CAST(update_id AS TEXT), processed_at FROM processed_updates;
    DROP TABLE processed_updates;

    CREATE TABLE conversations (
        user_id INTEGER PRIMARY KEY REFERENCES users(id),
        flow TEXT,
        data TEXT,
        touched_at TEXT,
        menu TEXT,
        menu_at TEXT,
        photo TEXT,
        photo_at TEXT
    );
    CREATE TABLE cards (
        token TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        data TEXT NOT NULL,
        source TEXT,
        created_at TEXT NOT NULL,
        used_at TEXT
    );
    CREATE INDEX cards_user ON cards(user_id, source);
    DROP TABLE chat_state;

    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        topic TEXT NOT NULL,
        recipient TEXT NOT NULL,
        body TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued','sending','sent','blocked','failed','unreachable')),
        not_before TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        settled_at TEXT,
        UNIQUE (topic, recipient)
    );
    CREATE INDEX outbox_queue ON outbox(status, not_before);
    INSERT INTO outbox (topic, recipient, body, status, not_before, created_at, settled_at)
        SELECT s.topic, COALESCE('u' || a.user_id, 'c:telegram:' || s.recipient), '{}',
               CASE s.status WHEN 'pending' THEN 'sending' ELSE s.status END, s.sent_at, s.sent_at, s.sent_at
        FROM sent_ledger s LEFT JOIN accounts a
          ON a.channel = 'telegram' AND a.external_id = CAST(s.recipient AS TEXT);
    DROP TABLE sent_ledger;
    """,
    # 7: wrong invite codes per account (a hash of it), so that guessing is slowed down
    # across restarts too (handlers/start.py); rows older than the pause are forgotten.
    """
    CREATE TABLE invite_tries (
        channel TEXT NOT NULL,
        who TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX invite_tries_who ON invite_tries(channel, who, at);
    CREATE INDEX invite_tries_at ON invite_tries(at);
    """,
    # 8: the inbox keeps each inbound event from its arrival (payload, received_at) until it
    # is handled (handled_at, with the replies it gave) and answered (both cleared), so that
    # a crash loses neither: the next start handles what is unhandled, in arrival order (seq
    # breaks ties), and sends what is unanswered. Rows of handled events keep being the
    # redelivery mark. See storage/inbox.py.
    """
    CREATE TABLE inbox_v8 (
        seq INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        event_id TEXT NOT NULL,
        payload TEXT,
        received_at TEXT NOT NULL,
        handled_at TEXT,
        replies TEXT,
        UNIQUE (channel, event_id)
    );
    INSERT INTO inbox_v8 (channel, event_id, received_at, handled_at)
        SELECT channel, event_id, handled_at, handled_at FROM inbox;
    DROP TABLE inbox;
    ALTER TABLE inbox_v8 RENAME TO inbox;
    CREATE INDEX inbox_unfinished ON inbox(channel, received_at, seq) WHERE payload IS NOT NULL;
    """,
    # 9: early warnings (预警劝阻): one row per warning about a likely victim, from its import
    # to its outcome. Personal fields (name … photo_ref) are erased once a closed warning is
    # WARNING_RETENTION_DAYS old (purged_at); the rest stays for the figures. Each warning
    # message is urgent: the outbox sends it in quiet hours too (bot/warnings.py).
    """
    CREATE TABLE warnings (
        id INTEGER PRIMARY KEY,
        office_id INTEGER NOT NULL REFERENCES orgs(id),
        org_id INTEGER REFERENCES orgs(id),
        area_text TEXT NOT NULL DEFAULT '',
        name TEXT,
        phone TEXT,
        address TEXT,
        id_last4 TEXT,
        kind TEXT NOT NULL,
        warned_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        due_at TEXT NOT NULL,
        imported_by INTEGER REFERENCES users(id),
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','returned','closed')),
        round INTEGER NOT NULL DEFAULT 0,
        assigned_at TEXT,
        dispatched_at TEXT,
        assignees TEXT NOT NULL DEFAULT '[]',
        half_at TEXT,
        overdue_at TEXT,
        tries INTEGER NOT NULL DEFAULT 0,
        retry_at TEXT,
        outcome TEXT CHECK (outcome IN ('met','phone','unreachable','defrauded')),
        outcome_at TEXT,
        outcome_by INTEGER REFERENCES users(id),
        first_contact_at TEXT,
        amount INTEGER,
        note TEXT,
        photo_ref TEXT,
        follow_up_at TEXT,
        follow_up_by INTEGER REFERENCES users(id),
        purged_at TEXT,
        UNIQUE (phone, warned_at)
    );
    CREATE INDEX warnings_open ON warnings(status, office_id);
    CREATE INDEX warnings_received ON warnings(received_at);
    ALTER TABLE outbox ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX outbox_urgent ON outbox(status, not_before) WHERE urgent = 1;
    """,
    # 10: per-day totals and the imported APP install count (see _DAY_TOTALS above)
    _DAY_TOTALS,
]
