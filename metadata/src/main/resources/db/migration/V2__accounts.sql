-- Who may do what: accounts (people and robots), namespaces (a user's own, or an organization's) with
-- their members, the namespaces robots may use, refresh tokens, and failed logins for throttling.
--
-- A repository belongs to the namespace named by its first path component (`acme/app` and
-- `acme/team/app` to `acme`). Everything here lives in PostgreSQL, not in a replica's memory, so every
-- replica answers the same.

create table account (
    id                  bigint generated always as identity primary key,
    name                varchar(255) collate "C" not null,
    kind                varchar(16) not null check (kind in ('user', 'robot')),
    -- bcrypt; null for accounts whose password another identity provider checks
    password_hash       varchar(100),
    identity_provider   varchar(32) not null default 'local',
    administrator       boolean not null default false,
    expires_at          timestamptz,
    last_used_at        timestamptz,
    description         text,
    created_at          timestamptz not null default now(),
    constraint account_name_unique unique (name)
);

create table namespace (
    id                  bigint generated always as identity primary key,
    name                varchar(255) collate "C" not null,
    kind                varchar(16) not null check (kind in ('user', 'organization')),
    -- the user whose personal namespace this is
    owner_account_id    bigint references account (id) on delete cascade,
    public              boolean not null default false,
    created_at          timestamptz not null default now(),
    constraint namespace_name_unique unique (name)
);

create table namespace_member (
    namespace_id        bigint not null references namespace (id) on delete cascade,
    account_id          bigint not null references account (id) on delete cascade,
    role                varchar(16) not null check (role in ('read', 'write', 'delete', 'admin')),
    -- 'local' when granted through Berth's API; an identity provider's name when synced from its groups
    granted_by          varchar(32) not null default 'local',
    created_at          timestamptz not null default now(),
    primary key (namespace_id, account_id)
);
create index namespace_member_by_account on namespace_member (account_id);

-- What a robot may do, namespace by namespace; the namespace need not exist as a row above (an
-- administrator's repositories outside any user or organization).
create table robot_permission (
    account_id          bigint not null references account (id) on delete cascade,
    namespace           varchar(255) collate "C" not null,
    actions             varchar(64) not null,
    primary key (account_id, namespace)
);

alter table repository add column public boolean not null default false;

-- Refresh tokens handed to `docker login` and containerd (OAuth2 password grant with access_type=offline);
-- only their SHA-256 is kept.
create table refresh_token (
    token_hash          varchar(64) primary key,
    account_id          bigint not null references account (id) on delete cascade,
    expires_at          timestamptz not null,
    created_at          timestamptz not null default now()
);
create index refresh_token_by_account on refresh_token (account_id);

-- Failed logins per account name and source address, in a sliding window; a login is refused while
-- the count is at the limit.
create table login_failure (
    account_name        varchar(255) not null,
    source_address      varchar(64) not null,
    failures            integer not null,
    window_started_at   timestamptz not null,
    primary key (account_name, source_address)
);
